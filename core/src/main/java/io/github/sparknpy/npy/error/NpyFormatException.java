package io.github.sparknpy.npy.error;

/**
 * A file is not a valid {@code .npy} file: wrong magic, unknown version, a header that does not
 * parse or is hostile (too large, overflowing shape), or data that does not match the header.
 */
public class NpyFormatException extends NpyException {
  private static final long serialVersionUID = 1L;

  public NpyFormatException(String message) {
    super(message);
  }

  public NpyFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
