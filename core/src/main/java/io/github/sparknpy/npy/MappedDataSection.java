package io.github.sparknpy.npy;

import io.github.sparknpy.npy.io.FileLocking;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The data section of a local file, memory-mapped in overlapping windows so that any range of up to
 * {@link #WINDOW} bytes is a zero-copy slice of one mapping, and files beyond 2 GiB work. Each
 * window is mapped on first use; a range longer than a window gets a mapping of its own.
 */
final class MappedDataSection implements DataSection {
  /** Window stride; window i maps [i * WINDOW, i * WINDOW + 2 * WINDOW). */
  static final long WINDOW = 1L << 29;

  private final Path path;
  private final FileChannel channel;
  private final long dataOffset;
  private final long dataLength;
  private final MappedByteBuffer[] windows;

  MappedDataSection(Path path, FileChannel channel, long dataOffset, long dataLength) {
    this.path = path;
    this.channel = channel;
    this.dataOffset = dataOffset;
    this.dataLength = dataLength;
    this.windows = new MappedByteBuffer[(int) Math.max(1, (dataLength + WINDOW - 1) / WINDOW)];
  }

  @Override
  public ByteBuffer slice(long offset, int length) throws IOException {
    if (length == 0) {
      return ByteBuffer.allocate(0);
    }
    int index = (int) (offset / WINDOW);
    long windowStart = index * WINDOW;
    if (offset + length <= Math.min(dataLength, windowStart + 2 * WINDOW)) {
      ByteBuffer window = window(index);
      return window.slice((int) (offset - windowStart), length);
    }
    return channel.map(FileChannel.MapMode.READ_ONLY, dataOffset + offset, length);
  }

  private synchronized ByteBuffer window(int index) throws IOException {
    MappedByteBuffer w = windows[index];
    if (w == null) {
      long start = index * WINDOW;
      long size = Math.min(dataLength - start, 2 * WINDOW);
      w = channel.map(FileChannel.MapMode.READ_ONLY, dataOffset + start, size);
      windows[index] = w;
    }
    return w;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    dst.put(slice(offset, dst.remaining()));
  }

  @Override
  public void close() {
    // Mappings stay valid after the channel closes and are released by the garbage collector.
    FileLocking.close(path, channel);
  }
}
