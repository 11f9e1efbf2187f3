package io.github.sparknpy.npy.fuzz;

import io.github.sparknpy.npy.NpyElement;
import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.io.ByteArrayInputFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fuzz targets: read only the header, or open the file (in memory or as a local, memory-mapped
 * file) and read every row and decode elements the header claims, as a reader would.
 */
final class ReadEverything {
  /** Rows are read in pieces of at most this many bytes, as a reader with a bounded buffer does. */
  private static final int CHUNK_BYTES = 64 << 10;

  /** Elements decoded per file, spread over the array (first, last and evenly between). */
  private static final int MAX_ELEMENTS = 64;

  private ReadEverything() {}

  /** Reads the header with the default limit or, now and then, no practical limit at all. */
  static void header(byte[] input, String location) throws IOException {
    int limit =
        input.length > 0 && (input[input.length - 1] & 3) == 0
            ? Integer.MAX_VALUE
            : EncodedHeader.DEFAULT_MAX_HEADER_BYTES;
    EncodedHeader.read(new ByteArrayInputFile(input, location), limit);
  }

  static void inMemory(byte[] input, String location) throws IOException {
    try (NpyFile file = NpyFile.open(new ByteArrayInputFile(input, location))) {
      readAll(file);
    }
  }

  /** Writes the input to {@code dir} and reads it through the memory-mapped path. */
  static FuzzRun.Target localFile(Path dir) {
    return (input, location) -> {
      Path path = dir.resolve(location);
      Files.write(path, input);
      try (NpyFile file = NpyFile.open(path)) {
        readAll(file);
      } finally {
        Files.delete(path);
      }
    };
  }

  static void readAll(NpyFile file) throws IOException {
    NpyHeader header = file.header();
    long rowBytes = file.rowBytes();
    long rows = file.rowCount();
    if (rowBytes > 0 && rowBytes <= CHUNK_BYTES) {
      long perChunk = CHUNK_BYTES / rowBytes;
      for (long first = 0; first < rows; first += perChunk) {
        long count = Math.min(perChunk, rows - first);
        ByteBuffer view = file.rows(first, count);
        consume(view);
        ByteBuffer copy = ByteBuffer.allocate((int) (count * rowBytes));
        file.readRows(first, copy);
      }
    } else if (rowBytes > CHUNK_BYTES && rows > 0) {
      // A reader asks for one row at least; the library must check the file holds it first.
      consume(file.rows(0, 1));
    }
    long elements = header.elementCount();
    if (elements == 0) {
      return;
    }
    long step = Math.max(1, elements / MAX_ELEMENTS);
    for (long k = 0; k < MAX_ELEMENTS && k < elements; k++) {
      decode(file.get(index(header, k * step)));
    }
    decode(file.get(index(header, elements - 1)));
  }

  /** The index of the {@code flat}-th element in the file's memory order. */
  private static long[] index(NpyHeader header, long flat) {
    int n = header.ndim();
    long[] index = new long[n];
    for (int k = 0; k < n; k++) {
      int axis = header.fortranOrder() ? k : n - 1 - k;
      long d = header.dim(axis);
      index[axis] = flat % d;
      flat /= d;
    }
    return index;
  }

  private static void decode(NpyElement e) {
    e.toObject();
    e.toString();
  }

  private static long sink;

  private static void consume(ByteBuffer view) {
    long sum = 0;
    for (int i = 0; i < view.limit(); i += 97) {
      sum += view.get(i);
    }
    sink += sum;
  }
}
