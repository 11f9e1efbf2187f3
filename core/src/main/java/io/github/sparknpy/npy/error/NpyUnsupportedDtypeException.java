package io.github.sparknpy.npy.error;

/**
 * A dtype that numpy can describe but this library refuses, such as {@code |O} (pickled Python
 * objects, never unpickled here). It is a {@link NpyFormatException} so that callers that skip bad
 * files skip these too.
 */
public class NpyUnsupportedDtypeException extends NpyFormatException {
  private static final long serialVersionUID = 1L;

  public NpyUnsupportedDtypeException(String message) {
    super(message);
  }
}
