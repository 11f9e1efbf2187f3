package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.spark.compat.VectoredReads;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;

/**
 * Bytes of one array's data for a partition reader: a memory-mapped local file (bounded windows),
 * positioned reads on any Hadoop file system, or a deflated {@code .npz} member streamed through an
 * {@link Inflater}. Offsets are those of {@link NpyPart#dataOffset()}'s space.
 */
abstract class ByteSource implements Closeable {
  long bytesRead;

  /**
   * {@code len} bytes at {@code offset} as a little-endian buffer whose index 0 is {@code offset};
   * valid until the next call.
   */
  abstract ByteBuffer view(long offset, int len) throws IOException;

  /** Copies {@code len} bytes at {@code offset} into {@code dst} at {@code dstOff}. */
  void read(long offset, byte[] dst, int dstOff, int len) throws IOException {
    view(offset, len).get(0, dst, dstOff, len);
  }

  /**
   * Reads {@code count} runs of {@code len} bytes at {@code offsets} into {@code dst} at {@code
   * dstOffsets} (the columns of a batch of interleaved rows).
   */
  void readRuns(long[] offsets, int[] dstOffsets, int count, int len, byte[] dst)
      throws IOException {
    for (int i = 0; i < count; i++) {
      read(offsets[i], dst, dstOffsets[i], len);
    }
  }

  static ByteSource open(
      NpyPart part, String path, long fileLength, FileSystem fs, ReadTaskOptions options)
      throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    if (part.deflated()) {
      return new Inflated(fs.open(p), part, path);
    }
    if (options.memoryMap() && "file".equals(p.toUri().getScheme())) {
      return new Mapped(java.nio.file.Path.of(p.toUri()), fileLength);
    }
    return new Positioned(fs.open(p), options.vectoredReads() && VectoredReads.available());
  }

  /** Local files: mapped windows of up to {@link #WINDOW} bytes, sliced without copying. */
  static final class Mapped extends ByteSource {
    static final long WINDOW = 256L << 20;
    private final FileChannel channel;
    private final long fileLength;
    private MappedByteBuffer window;
    private long windowStart;
    private long windowEnd;

    Mapped(java.nio.file.Path path, long plannedLength) throws IOException {
      this.channel = FileChannel.open(path, StandardOpenOption.READ);
      // Never map beyond the file as it is now: touching such a page would crash the JVM.
      this.fileLength = Math.min(plannedLength, channel.size());
    }

    @Override
    ByteBuffer view(long offset, int len) throws IOException {
      if (offset + len > fileLength) {
        throw new EOFException(
            "needs bytes up to " + (offset + len) + " but the file has " + fileLength);
      }
      if (window == null || offset < windowStart || offset + len > windowEnd) {
        long size = Math.min(Math.max(len, WINDOW), fileLength - offset);
        window = channel.map(FileChannel.MapMode.READ_ONLY, offset, size);
        windowStart = offset;
        windowEnd = offset + size;
      }
      bytesRead += len;
      int at = (int) (offset - windowStart);
      return window.slice(at, len).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Scattered runs (interleaved rows) use pread: no remapping of far-apart windows. */
    @Override
    void read(long offset, byte[] dst, int dstOff, int len) throws IOException {
      if (offset + len > fileLength) {
        throw new EOFException(
            "needs bytes up to " + (offset + len) + " but the file has " + fileLength);
      }
      ByteBuffer b = ByteBuffer.wrap(dst, dstOff, len);
      while (b.hasRemaining()) {
        if (channel.read(b, offset + (b.position() - dstOff)) < 0) {
          throw new EOFException("the file ended " + b.remaining() + " bytes early");
        }
      }
      bytesRead += len;
    }

    @Override
    public void close() throws IOException {
      window = null;
      channel.close();
    }
  }

  /** Any Hadoop file system: positioned reads into one reused heap buffer. */
  static final class Positioned extends ByteSource {
    private final FSDataInputStream in;
    private byte[] buffer = new byte[0];
    private final boolean vectored;

    Positioned(FSDataInputStream in, boolean vectored) {
      this.in = in;
      this.vectored = vectored;
    }

    @Override
    ByteBuffer view(long offset, int len) throws IOException {
      if (buffer.length < len) {
        buffer = new byte[len];
      }
      read(offset, buffer, 0, len);
      return ByteBuffer.wrap(buffer, 0, len).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    void read(long offset, byte[] dst, int dstOff, int len) throws IOException {
      in.readFully(offset, dst, dstOff, len);
      bytesRead += len;
    }

    /**
     * Hadoop vectored reads (3.3.5+): object stores fetch the runs in parallel and merge close
     * ones; without them (older Hadoop, or {@code vectoredReads=false}), one positioned read per
     * run.
     */
    @Override
    void readRuns(long[] offsets, int[] dstOffsets, int count, int len, byte[] dst)
        throws IOException {
      if (!vectored || count < 2) {
        super.readRuns(offsets, dstOffsets, count, len, dst);
        return;
      }
      List<CompletableFuture<ByteBuffer>> ranges = VectoredReads.read(in, offsets, count, len);
      for (int i = 0; i < count; i++) {
        ByteBuffer data;
        try {
          data = ranges.get(i).get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("Interrupted in a vectored read");
        } catch (ExecutionException e) {
          throw e.getCause() instanceof IOException io
              ? io
              : new IOException("Vectored read failed: " + e.getCause(), e.getCause());
        }
        if (data.remaining() < len) {
          throw new EOFException(
              "a vectored read at "
                  + offsets[i]
                  + " returned "
                  + data.remaining()
                  + " bytes of "
                  + len);
        }
        data.get(dst, dstOffsets[i], len);
        bytesRead += len;
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /**
   * A deflated member: inflated as a stream from its start, forwards only; a view behind the
   * current position restarts the stream (only Fortran-order members read by rows do that).
   */
  static final class Inflated extends ByteSource {
    private final FSDataInputStream in;
    private final NpyPart part;
    private final String location;
    private final Inflater inflater = new Inflater(true);
    private final byte[] input = new byte[256 * 1024];
    private long compressedPos;
    private long position;
    private byte[] buffer = new byte[0];

    Inflated(FSDataInputStream in, NpyPart part, String path) {
      this.in = in;
      this.part = part;
      this.location = part.location();
      compressedPos = part.zipDataOffset();
    }

    @Override
    ByteBuffer view(long offset, int len) throws IOException {
      if (buffer.length < len) {
        buffer = new byte[len];
      }
      if (offset < position) {
        inflater.reset();
        compressedPos = part.zipDataOffset();
        position = 0;
      }
      while (position < offset) {
        int skip = (int) Math.min(offset - position, Math.max(buffer.length, 64 * 1024));
        if (buffer.length < skip) {
          buffer = new byte[skip];
        }
        inflate(buffer, 0, skip);
      }
      inflate(buffer, 0, len);
      return ByteBuffer.wrap(buffer, 0, len).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private void inflate(byte[] dst, int off, int len) throws IOException {
      int filled = 0;
      try {
        while (filled < len) {
          if (inflater.needsInput()) {
            long end = part.zipDataOffset() + part.compressedSize();
            int n = (int) Math.min(input.length, end - compressedPos);
            if (n <= 0) {
              throw new NpyFormatException(
                  "Cannot read "
                      + location
                      + ": the compressed member ends "
                      + (len - filled)
                      + " bytes early. The archive is truncated or corrupt");
            }
            in.readFully(compressedPos, input, 0, n);
            compressedPos += n;
            bytesRead += n;
            inflater.setInput(input, 0, n);
          }
          int got = inflater.inflate(dst, off + filled, len - filled);
          if (got == 0 && (inflater.finished() || inflater.needsDictionary())) {
            throw new NpyFormatException(
                "Cannot read "
                    + location
                    + ": the member's data ends "
                    + (len - filled)
                    + " bytes before its header says. The archive is truncated or corrupt");
          }
          filled += got;
        }
      } catch (DataFormatException e) {
        throw new NpyFormatException(
            "Cannot read " + location + ": corrupt deflate data (" + e.getMessage() + ")", e);
      }
      position += len;
    }

    @Override
    public void close() throws IOException {
      inflater.end();
      in.close();
    }
  }
}
