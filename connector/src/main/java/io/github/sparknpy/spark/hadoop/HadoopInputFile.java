package io.github.sparknpy.spark.hadoop;

import io.github.sparknpy.npy.io.InputFile;
import io.github.sparknpy.npy.io.SeekableInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The core's {@link InputFile} over a Hadoop {@link FileSystem} (any scheme: file, hdfs, s3a …),
 * the way Parquet's {@code HadoopInputFile} adapts its own seam. Reads are positioned reads, so one
 * stream serves scattered ranges without re-opening.
 */
public final class HadoopInputFile implements InputFile {
  private final FileSystem fs;
  private final Path path;
  private final long length;
  private final boolean fewReads;

  private HadoopInputFile(FileSystem fs, Path path, long length) {
    this(fs, path, length, false);
  }

  private HadoopInputFile(FileSystem fs, Path path, long length, boolean fewReads) {
    this.fs = fs;
    this.path = path;
    this.length = length;
    this.fewReads = fewReads;
  }

  /**
   * This file for a few short reads (a header): opened with the random read policy, so that an
   * object store fetches the ranges read, not the object from there to its end (S3A's sequential
   * policy on Hadoop 3.3 does).
   */
  public HadoopInputFile forFewReads() {
    return new HadoopInputFile(fs, path, length, true);
  }

  /**
   * {@code path} opened for positioned reads of known ranges (random read policy); {@code length}
   * the file's, or -1 if not known.
   */
  public static FSDataInputStream openForRanges(FileSystem fs, Path path, long length)
      throws IOException {
    try {
      var builder =
          fs.openFile(path)
              .opt("fs.option.openfile.read.policy", "random")
              .opt("fs.s3a.experimental.input.fadvise", "random");
      // no declared length: S3A would then skip its HEAD, and without the ETag it gives, a
      // caching input stream (Hadoop 3.5) served an older version's bytes in a test
      return builder.build().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("Interrupted opening " + path);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException("Cannot open " + path, e.getCause());
    }
  }

  /** A file whose status (and so length) is already known, e.g. from a listing. */
  public static HadoopInputFile fromStatus(FileStatus status, Configuration conf)
      throws IOException {
    Path path = status.getPath();
    return new HadoopInputFile(path.getFileSystem(conf), path, status.getLen());
  }

  /** A file looked up by path (one status call). */
  public static HadoopInputFile fromPath(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    return new HadoopInputFile(fs, path, fs.getFileStatus(path).getLen());
  }

  /** A file of known length, without a status call (executors get the length from the plan). */
  public static HadoopInputFile of(Path path, long length, Configuration conf) throws IOException {
    return new HadoopInputFile(path.getFileSystem(conf), path, length);
  }

  public Path path() {
    return path;
  }

  public FileSystem fileSystem() {
    return fs;
  }

  @Override
  public long getLength() {
    return length;
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    return new HadoopSeekableInputStream(
        fewReads ? openForRanges(fs, path, length) : fs.open(path));
  }

  @Override
  public String location() {
    return path.toString();
  }

  @Override
  public String toString() {
    return location();
  }

  /** Positioned reads through {@link FSDataInputStream}, preferring its ByteBuffer reads. */
  private static final class HadoopSeekableInputStream extends SeekableInputStream {
    private final FSDataInputStream in;
    private byte[] scratch;

    HadoopSeekableInputStream(FSDataInputStream in) {
      this.in = in;
    }

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
      if (buf.hasArray()) {
        int n = in.read(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
        if (n > 0) {
          buf.position(buf.position() + n);
        }
        return n;
      }
      // Direct buffers: copy through a bounded scratch array (not every stream supports
      // ByteBufferReadable, and checking the capability costs more than the copy).
      int want = Math.min(buf.remaining(), 1 << 20);
      if (scratch == null || scratch.length < want) {
        scratch = new byte[want];
      }
      int n = in.read(scratch, 0, want);
      if (n > 0) {
        buf.put(scratch, 0, n);
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
