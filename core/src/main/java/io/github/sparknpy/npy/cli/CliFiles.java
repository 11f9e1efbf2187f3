package io.github.sparknpy.npy.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/** Paths from the command line and the messages the CLI prints for expected errors. */
final class CliFiles {
  private CliFiles() {}

  /** The path of an input file operand, which must exist and not be a directory. */
  static Path existingFile(String operand) throws IOException {
    Path path = Path.of(operand);
    if (operand.isEmpty() || !Files.exists(path)) {
      throw new NoSuchFileException(operand);
    }
    if (Files.isDirectory(path)) {
      throw new FileSystemException(operand, null, "is a directory");
    }
    return path;
  }

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
