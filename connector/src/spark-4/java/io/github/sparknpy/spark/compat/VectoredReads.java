package io.github.sparknpy.spark.compat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.fs.FileRange;
import org.apache.hadoop.fs.PositionedReadable;

/**
 * Hadoop vectored reads, Spark 4 line: every Spark 4 release ships Hadoop 3.4 or newer, which has
 * them ({@code PositionedReadable.readVectored}, Hadoop 3.3.5+), so they are called directly.
 */
public final class VectoredReads {
  private VectoredReads() {}

  /** Whether the Hadoop this runs on has vectored reads. */
  public static boolean available() {
    return true;
  }

  /**
   * Starts reading {@code count} ranges of {@code len} bytes at {@code offsets}; the futures
   * complete with each range's bytes, in order.
   */
  public static List<CompletableFuture<ByteBuffer>> read(
      PositionedReadable in, long[] offsets, int count, int len) throws IOException {
    List<FileRange> ranges = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ranges.add(FileRange.createFileRange(offsets[i], len));
    }
    in.readVectored(ranges, ByteBuffer::allocate);
    List<CompletableFuture<ByteBuffer>> data = new ArrayList<>(count);
    for (FileRange range : ranges) {
      data.add(range.getData());
    }
    return data;
  }
}
