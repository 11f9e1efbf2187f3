package io.github.sparknpy.npy.cli;

/** A command line the tool cannot run: unknown command or option, missing or extra arguments. */
final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
