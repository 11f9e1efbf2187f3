package io.github.sparknpy.npy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every file under a directory with its SHA-256, so a test can show a failed operation changed
 * nothing: no file edited, created (not even a hidden temp file) or deleted.
 */
public final class DirectorySnapshot {
  private final Path root;
  private final Map<String, String> digests;

  private DirectorySnapshot(Path root, Map<String, String> digests) {
    this.root = root;
    this.digests = digests;
  }

  public static DirectorySnapshot of(Path root) {
    Map<String, String> digests = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = root.relativize(p).toString();
        digests.put(name, Files.isDirectory(p) ? "dir" : sha256(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new DirectorySnapshot(root, digests);
  }

  /** Relative path of every file and directory, hidden ones included → SHA-256 (or "dir"). */
  public Map<String, String> digests() {
    return java.util.Collections.unmodifiableMap(digests);
  }

  /** Fails unless the directory holds exactly the same files with the same bytes as before. */
  public void assertUnchanged() {
    assertThat(of(root).digests).as("files under " + root).isEqualTo(digests);
  }

  private static String sha256(Path file) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
