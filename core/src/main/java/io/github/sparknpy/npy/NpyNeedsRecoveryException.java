package io.github.sparknpy.npy;

/**
 * A file's data section is shorter or longer than its header says, typically after a crash while
 * appending. {@link Npy#recover} rewrites the header from the data that is there. A kind of {@link
 * NpyFormatException}, so callers that skip or report bad files catch both alike.
 */
public class NpyNeedsRecoveryException extends NpyFormatException {
  private static final long serialVersionUID = 1L;

  public NpyNeedsRecoveryException(String message) {
    super(message);
  }
}
