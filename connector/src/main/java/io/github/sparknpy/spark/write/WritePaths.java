package io.github.sparknpy.spark.write;

import io.github.sparknpy.spark.config.NpyOptionException;
import java.io.IOException;
import java.nio.file.Files;
import org.apache.hadoop.fs.Path;

/** The path a write publishes at, decided once on the driver for every save mode. */
final class WritePaths {
  /** Links followed before a chain counts as a loop (Linux's own limit). */
  private static final int MAX_LINKS = 40;

  private WritePaths() {}

  /**
   * Refuses names Hadoop cannot list, and follows a local symbolic link to the file it names, as
   * {@code np.save} does: every save mode then writes through the link (Overwrite replaces the
   * target file, Append extends it, a dangling link's target is created) and the link stays. Hadoop
   * file systems have symbolic links switched off by default; their paths are kept as given.
   */
  static Path resolve(Path qualified, boolean local) throws IOException {
    String name = qualified.getName();
    if (name.indexOf(':') >= 0) {
      throw new NpyOptionException(
          ("Cannot write to %s: the name '%s' contains ':', which Hadoop cannot list in a"
                  + " directory (every later read of the directory would fail with"
                  + " URISyntaxException). Choose a name without ':'")
              .formatted(qualified, name));
    }
    if (!local) {
      return qualified;
    }
    java.nio.file.Path p = java.nio.file.Path.of(qualified.toUri());
    for (int i = 0; Files.isSymbolicLink(p); i++) {
      if (i == MAX_LINKS) {
        throw new NpyOptionException(
            "Cannot write to %s: it is a loop of symbolic links (more than %s in a row). Fix the links"
                .formatted(qualified, MAX_LINKS));
      }
      p = p.resolveSibling(Files.readSymbolicLink(p)).normalize();
    }
    if (p.equals(java.nio.file.Path.of(qualified.toUri()))) {
      return qualified;
    }
    return resolve(new Path("file", null, p.toAbsolutePath().toString()), true);
  }
}
