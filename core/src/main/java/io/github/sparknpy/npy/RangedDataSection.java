package io.github.sparknpy.npy;

import io.github.sparknpy.npy.io.SeekableInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/** The data section read with positioned reads from any {@link SeekableInputStream}. */
final class RangedDataSection implements DataSection {
  private final SeekableInputStream in;
  private final long dataOffset;

  RangedDataSection(SeekableInputStream in, long dataOffset) {
    this.in = in;
    this.dataOffset = dataOffset;
  }

  @Override
  public ByteBuffer slice(long offset, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    read(offset, buf);
    return buf.flip();
  }

  @Override
  public synchronized void read(long offset, ByteBuffer dst) throws IOException {
    in.readFully(dataOffset + offset, dst);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
