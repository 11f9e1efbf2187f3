package io.github.sparknpy.npy.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads a {@link FileChannel} by absolute position, without moving the channel's own position: used
 * to read a header through a channel that the caller holds (and locks).
 */
public final class ChannelInputStream extends SeekableInputStream {
  private final FileChannel channel;
  private long pos;

  public ChannelInputStream(FileChannel channel) {
    this.channel = channel;
  }

  @Override
  public long getPos() {
    return pos;
  }

  @Override
  public void seek(long newPos) {
    pos = newPos;
  }

  @Override
  public int read(ByteBuffer buf) throws IOException {
    int n = channel.read(buf, pos);
    if (n > 0) {
      pos += n;
    }
    return n;
  }

  @Override
  public void close() {
    // The channel belongs to the caller.
  }
}
