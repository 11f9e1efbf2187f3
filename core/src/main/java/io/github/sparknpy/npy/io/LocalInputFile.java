package io.github.sparknpy.npy.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** An {@link InputFile} on the local file system, read through a {@link FileChannel}. */
public final class LocalInputFile implements InputFile {
  private final Path path;

  public LocalInputFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  @Override
  public long getLength() throws IOException {
    return Files.size(path);
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    return new ChannelInputStream(path, FileChannel.open(path, StandardOpenOption.READ));
  }

  @Override
  public String location() {
    return path.toString();
  }

  @Override
  public String toString() {
    return location();
  }

  private static final class ChannelInputStream extends SeekableInputStream {
    private final Path path;
    private final FileChannel channel;

    ChannelInputStream(Path path, FileChannel channel) {
      this.path = path;
      this.channel = channel;
    }

    @Override
    public long getPos() throws IOException {
      return channel.position();
    }

    @Override
    public void seek(long newPos) throws IOException {
      channel.position(newPos);
    }

    @Override
    public int read(ByteBuffer buf) throws IOException {
      return channel.read(buf);
    }

    @Override
    public void close() {
      FileLocking.close(path, channel); // never drops a lock another thread holds on the file
    }
  }
}
