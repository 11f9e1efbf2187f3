package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.error.NpyException;

/**
 * A streaming read ({@code spark.readStream.format("npy")}) cannot go on: a file it reads shrank or
 * was rewritten, a new file has another layout, a file was deleted before its rows were read, or
 * the checkpoint holds another source's offsets. The message names the file and what to do.
 */
public class NpyStreamException extends NpyException {
  private static final long serialVersionUID = 1L;

  public NpyStreamException(String message) {
    super(message);
  }

  public NpyStreamException(String message, Throwable cause) {
    super(message, cause);
  }
}
