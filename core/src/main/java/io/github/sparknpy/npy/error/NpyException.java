package io.github.sparknpy.npy.error;

/**
 * Base of every error this library raises on purpose. Unchecked, serializable, and always carrying
 * a message that names the file (or value) concerned and what the caller can do about it.
 */
public class NpyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NpyException(String message) {
    super(message);
  }

  public NpyException(String message, Throwable cause) {
    super(message, cause);
  }
}
