package io.github.sparknpy.bench;

import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.header.NpyVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Shared helpers for the benchmarks: test files of {@code <f8} rows of shape (N, 8). */
final class BenchFiles {
  /** Elements per row in every benchmark: shape (N, 8) of float64. */
  static final int COLS = 8;

  /** Bytes per row: 8 float64. */
  static final int ROW_BYTES = COLS * Double.BYTES;

  /** Files up to this size are written byte by byte; larger ones are made sparse with setLength. */
  static final long WRITE_LIMIT = 64L << 20;

  private BenchFiles() {}

  /** The appendable header numpy writes for a (rows, 8) float64 C-order array. */
  static byte[] header(long rows) {
    return NpyHeader.of(ScalarDType.FLOAT64, false, rows, COLS).encode();
  }

  /**
   * The header for {@code rows} rows padded to exactly {@code dataOffset} bytes, as a header
   * rewrite in place produces it (so a file's data offset never moves).
   */
  static byte[] headerAt(long rows, long dataOffset) {
    NpyHeader h = NpyHeader.of(ScalarDType.FLOAT64, false, rows, COLS);
    NpyVersion version = h.naturalVersion();
    return h.encode(version, dataOffset);
  }

  /**
   * Creates a consistent appendable file of about {@code approxBytes} bytes: the header for the
   * rows that fit, then the data. Small files get real data; larger ones only get their length set
   * (sparse), which is enough to show whether an operation depends on the size.
   *
   * @return the number of rows in the file
   */
  static long createNpy(Path path, long approxBytes) throws IOException {
    long rows = Math.max(1, approxBytes / ROW_BYTES);
    byte[] header = header(rows);
    long length = header.length + rows * ROW_BYTES;
    try (FileChannel ch =
        FileChannel.open(
            path,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      writeFully(ch, ByteBuffer.wrap(header), 0);
      if (length <= WRITE_LIMIT) {
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        long pos = header.length;
        double v = 0;
        while (pos < length) {
          chunk.clear();
          chunk.limit((int) Math.min(chunk.capacity(), length - pos));
          while (chunk.remaining() >= Double.BYTES) {
            chunk.putDouble(v++);
          }
          chunk.flip();
          pos += writeFully(ch, chunk, pos);
        }
      } else {
        // Sparse: write the last byte so the file really has the length (setLength would do as
        // well).
        writeFully(ch, ByteBuffer.wrap(new byte[1]), length - 1);
      }
    }
    if (Files.size(path) != length) {
      throw new IllegalStateException(
          "Expected " + path + " to be " + length + " bytes but it is " + Files.size(path));
    }
    return rows;
  }

  static long writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long written = 0;
    while (buf.hasRemaining()) {
      written += ch.write(buf, position + written);
    }
    return written;
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The temp directory: {@code npy.bench.dir} if set, else {@code java.io.tmpdir}. */
  static Path baseDir() {
    return Path.of(System.getProperty("npy.bench.dir", System.getProperty("java.io.tmpdir")));
  }
}
