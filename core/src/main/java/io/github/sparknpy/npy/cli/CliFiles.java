package io.github.sparknpy.npy.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Paths from the command line and the messages the CLI prints for expected errors. */
final class CliFiles {
  private CliFiles() {}

  /** The path of an input file operand, which must exist and not be a directory. */
  static Path existingFile(String operand) throws IOException {
    Path path = localPath(operand);
    if (operand.isEmpty() || !Files.exists(path)) {
      throw new NoSuchFileException(operand);
    }
    if (Files.isDirectory(path)) {
      throw new FileSystemException(operand, null, "is a directory");
    }
    return path;
  }

  /**
   * The local path an operand names: a plain path, or a {@code file:} URI as Spark and Hadoop print
   * them ({@code file:/tmp/x.npy}, {@code file:///tmp/x.npy}, {@code file://localhost/tmp/x.npy};
   * percent-escapes are decoded when the name as given does not exist). Other schemes ({@code
   * hdfs:}, {@code s3a:}, …) are refused with what to do: the CLI works on local files.
   */
  static Path localPath(String operand) throws IOException {
    Matcher scheme = SCHEME.matcher(operand);
    if (!scheme.lookingAt()) {
      return Path.of(operand);
    }
    if (!scheme.group(1).equalsIgnoreCase("file")) {
      throw new FileSystemException(
          operand,
          null,
          "not a local file: npy works on local files; copy it to a local disk (e.g. hdfs dfs"
              + " -get, aws s3 cp), run npy on the copy, then put the result back");
    }
    String rest = operand.substring(scheme.end());
    if (rest.startsWith("//")) {
      int slash = rest.indexOf('/', 2);
      String host = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
      if (!host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
        throw new FileSystemException(
            operand, null, "names host '" + host + "': npy works on this machine's files only");
      }
      rest = slash < 0 ? "/" : rest.substring(slash);
    }
    Path literal = Path.of(rest);
    if (!Files.exists(literal) && rest.indexOf('%') >= 0) {
      try {
        Path decoded = Path.of(URI.create("file://" + rest));
        if (Files.exists(decoded)) {
          return decoded;
        }
      } catch (IllegalArgumentException e) {
        // not a well-formed escape: the name as given
      }
    }
    return literal;
  }

  /** A URI scheme of two or more letters (one letter would be a Windows drive). */
  private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]+):");

  /**
   * The message for an error on the data: the library's own (it names the file) or a Unix-like one.
   */
  static String message(Throwable e) {
    if (e instanceof UncheckedIOException u && u.getCause() != null) {
      return message(u.getCause());
    }
    if (e instanceof NoSuchFileException f) {
      return name(f.getFile()) + ": no such file or directory";
    }
    if (e instanceof AccessDeniedException f) {
      return name(f.getFile()) + ": permission denied";
    }
    if (e instanceof FileAlreadyExistsException f) {
      return name(f.getFile()) + ": file already exists";
    }
    if (e instanceof NotDirectoryException f) {
      return name(f.getFile()) + ": not a directory";
    }
    if (e instanceof FileSystemException f && f.getFile() != null) {
      String where =
          f.getOtherFile() == null
              ? name(f.getFile())
              : name(f.getFile()) + " -> " + name(f.getOtherFile());
      return where + ": " + (f.getReason() != null ? f.getReason() : e.getClass().getSimpleName());
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  private static String name(String file) {
    return file.isEmpty() ? "''" : file;
  }
}
