package io.github.sparknpy.npy.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * An input stream that can seek and read into buffers. Implementations provide {@link
 * #read(ByteBuffer)}, which may return short reads; the {@code readFully} methods loop until the
 * buffer is full and fail with an {@link EOFException} that says how many bytes are missing.
 */
public abstract class SeekableInputStream extends InputStream {
  /** The current position in the file. */
  public abstract long getPos() throws IOException;

  /** Moves to {@code newPos}; the next read starts there. */
  public abstract void seek(long newPos) throws IOException;

  /**
   * Reads up to {@code buf.remaining()} bytes into {@code buf}, advancing its position.
   *
   * @return the number of bytes read, or -1 at the end of the file
   */
  public abstract int read(ByteBuffer buf) throws IOException;

  /** Fills {@code buf} from the current position or fails with {@link EOFException}. */
  public void readFully(ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      if (read(buf) < 0) {
        throw new EOFException(
            "Reached the end of the file with " + buf.remaining() + " bytes left to read");
      }
    }
  }

  /** Fills {@code bytes} from the current position or fails with {@link EOFException}. */
  public void readFully(byte[] bytes) throws IOException {
    readFully(bytes, 0, bytes.length);
  }

  /** Fills {@code bytes[start, start + len)} or fails with {@link EOFException}. */
  public void readFully(byte[] bytes, int start, int len) throws IOException {
    readFully(ByteBuffer.wrap(bytes, start, len));
  }

  /** Reads {@code buf.remaining()} bytes starting at {@code position}. */
  public void readFully(long position, ByteBuffer buf) throws IOException {
    seek(position);
    readFully(buf);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n <= 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    return read(ByteBuffer.wrap(b, off, len));
  }
}
