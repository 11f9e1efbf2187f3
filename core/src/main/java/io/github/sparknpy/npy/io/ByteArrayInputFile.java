package io.github.sparknpy.npy.io;

import java.nio.ByteBuffer;

/** An {@link InputFile} over bytes in memory, e.g. a member of a {@code .npz} archive. */
public final class ByteArrayInputFile implements InputFile {
  private final byte[] bytes;
  private final String location;

  public ByteArrayInputFile(byte[] bytes, String location) {
    this.bytes = bytes;
    this.location = location;
  }

  @Override
  public long getLength() {
    return bytes.length;
  }

  @Override
  public SeekableInputStream newStream() {
    return new SeekableInputStream() {
      private int pos;

      @Override
      public long getPos() {
        return pos;
      }

      @Override
      public void seek(long newPos) {
        if (newPos < 0) {
          throw new IllegalArgumentException(
              "Cannot seek to negative position " + newPos + " in " + location);
        }
        pos = (int) Math.min(newPos, bytes.length);
      }

      @Override
      public int read(ByteBuffer buf) {
        if (pos >= bytes.length) {
          return buf.hasRemaining() ? -1 : 0;
        }
        int n = Math.min(buf.remaining(), bytes.length - pos);
        buf.put(bytes, pos, n);
        pos += n;
        return n;
      }
    };
  }

  @Override
  public String location() {
    return location;
  }
}
