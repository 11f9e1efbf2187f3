package io.github.sparknpy.npy.error;

/**
 * A file's data section is shorter or longer than its header says, typically after a crash while
 * appending. {@link io.github.sparknpy.npy.Npy#recover} rewrites the header from the data that is
 * there. A kind of {@link NpyFormatException}, so callers that skip or report bad files catch both
 * alike.
 */
public class NpyNeedsRecoveryException extends NpyFormatException {
  private static final long serialVersionUID = 1L;

  public NpyNeedsRecoveryException(String message) {
    super(message);
  }

  /**
   * The one message for a data section whose length differs from what the header counts: {@code
   * "<cannot>: its header says <headerBytes> bytes of data but the file has <fileBytes><then>"}.
   *
   * @param cannot what could not be done, naming the file, e.g. {@code "Cannot append to /x.npy"}
   * @param then the rest of the message, from the punctuation after the file's length on: why and
   *     what to do, e.g. {@code ". Run 'npy recover' on it first."}
   */
  public static NpyNeedsRecoveryException dataLength(
      String cannot, long headerBytes, long fileBytes, String then) {
    return new NpyNeedsRecoveryException(
        "%s: its header says %s bytes of data but the file has %s%s"
            .formatted(cannot, headerBytes, fileBytes, then));
  }

  /**
   * An append refused because {@code file}'s data ({@code fileBytes}) does not match what its
   * header counts ({@code headerBytes}). More data than counted is also what a live writer with
   * deferred header writes leaves between two header updates: then the advice is to wait, not to
   * recover a healthy file.
   */
  public static NpyNeedsRecoveryException beforeAppend(
      Object file, long headerBytes, long fileBytes) {
    String advice =
        fileBytes > headerBytes
            ? ("If a program is appending to it with deferred header writes"
                    + " (rewriteHeaderOnAppend=false), wait until it closes the file; if none is, an"
                    + " append was interrupted: run 'npy recover %s' (or Npy.recover) first")
                .formatted(file)
            : ("The file is cut short (an append or copy was interrupted): run 'npy recover %s'"
                    + " (or Npy.recover) to keep its complete rows first")
                .formatted(file);
    return dataLength(
        "Cannot append to " + file,
        headerBytes,
        fileBytes,
        ". %s. Nothing was written".formatted(advice));
  }
}
