package io.github.sparknpy.npy;

import io.github.sparknpy.npy.io.InputFile;
import io.github.sparknpy.npy.io.SeekableInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A positioned-read source over a local file that is not a {@code LocalInputFile}, so {@link
 * NpyFile#open(InputFile)} takes the ranged path (as for a Hadoop file) on a file a test controls.
 */
record ChannelInputFile(Path path) implements InputFile {
  @Override
  public long getLength() throws IOException {
    return Files.size(path);
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
    return new SeekableInputStream() {
      private long pos;

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
        int n = ch.read(buf, pos);
        pos += Math.max(n, 0);
        return n;
      }

      @Override
      public int read() throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        return read(one) < 0 ? -1 : one.get(0) & 0xff;
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  }

  @Override
  public String location() {
    return path.toString();
  }
}
