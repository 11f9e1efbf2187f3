package io.github.sparknpy.it;

import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.io.InputFile;
import io.github.sparknpy.npy.io.SeekableInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The core reader's {@link InputFile} over a Hadoop {@link FileSystem}, written here (not the
 * connector's adapter) so the tests check the connector's output independently of it.
 */
final class FsInputFile implements InputFile {
  private final FileSystem fs;
  private final Path path;
  private final long length;

  private FsInputFile(FileSystem fs, Path path) throws IOException {
    this.fs = fs;
    this.path = path;
    this.length = fs.getFileStatus(path).getLen();
  }

  /** Opens {@code path} with the core reader. */
  static NpyFile open(FileSystem fs, Path path) throws IOException {
    return NpyFile.open(new FsInputFile(fs, path));
  }

  @Override
  public long getLength() {
    return length;
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    FSDataInputStream in = fs.open(path);
    return new SeekableInputStream() {
      @Override
      public long getPos() throws IOException {
        return in.getPos();
      }

      @Override
      public void seek(long newPos) throws IOException {
        in.seek(newPos);
      }

      @Override
      public int read(ByteBuffer buf) throws IOException {
        if (!buf.hasRemaining()) {
          return 0;
        }
        byte[] chunk = new byte[Math.min(buf.remaining(), 1 << 16)];
        int n = in.read(chunk, 0, chunk.length);
        if (n > 0) {
          buf.put(chunk, 0, n);
        }
        return n;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  @Override
  public String location() {
    return path.toString();
  }
}
