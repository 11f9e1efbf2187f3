package io.github.sparknpy.spark.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.apache.hadoop.fs.PositionedReadable;

/**
 * Hadoop vectored reads, Spark 3.5 line: Spark 3.5 ships Hadoop 3.3.4, which has none, while most
 * platforms running it (EMR 7, Dataproc 2.2, Databricks) bring Hadoop 3.3.6 or newer, which has
 * them. Compiled against 3.3.4, this finds {@code FileRange} and {@code readVectored} at run time
 * and uses them where they exist; elsewhere {@link #available()} is false and the caller reads
 * range by range.
 */
public final class VectoredReads {
  private static final MethodHandle CREATE_RANGE;
  private static final MethodHandle READ_VECTORED;
  private static final MethodHandle GET_DATA;

  static {
    MethodHandle create = null;
    MethodHandle readVectored = null;
    MethodHandle getData = null;
    try {
      Class<?> fileRange =
          Class.forName(
              "org.apache.hadoop.fs.FileRange", false, PositionedReadable.class.getClassLoader());
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      create =
          lookup.findStatic(
              fileRange,
              "createFileRange",
              MethodType.methodType(fileRange, long.class, int.class));
      readVectored =
          lookup.findVirtual(
              PositionedReadable.class,
              "readVectored",
              MethodType.methodType(void.class, List.class, IntFunction.class));
      getData =
          lookup.findVirtual(fileRange, "getData", MethodType.methodType(CompletableFuture.class));
    } catch (ReflectiveOperationException | LinkageError e) {
      create = null; // Hadoop before 3.3.5
    }
    CREATE_RANGE = create;
    READ_VECTORED = create != null ? readVectored : null;
    GET_DATA = create != null ? getData : null;
  }

  private VectoredReads() {}

  /** Whether the Hadoop this runs on has vectored reads. */
  public static boolean available() {
    return CREATE_RANGE != null;
  }

  /**
   * Starts reading {@code count} ranges of {@code len} bytes at {@code offsets}; the futures
   * complete with each range's bytes, in order. Only when {@link #available()}.
   */
  @SuppressWarnings("unchecked")
  public static List<CompletableFuture<ByteBuffer>> read(
      PositionedReadable in, long[] offsets, int count, int len) throws IOException {
    if (!available()) {
      throw new IllegalStateException("Hadoop vectored reads need Hadoop 3.3.5 or newer");
    }
    try {
      List<Object> ranges = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        ranges.add(CREATE_RANGE.invoke(offsets[i], len));
      }
      IntFunction<ByteBuffer> allocate = ByteBuffer::allocate;
      READ_VECTORED.invoke(in, ranges, allocate);
      List<CompletableFuture<ByteBuffer>> data = new ArrayList<>(count);
      for (Object range : ranges) {
        data.add((CompletableFuture<ByteBuffer>) GET_DATA.invoke(range));
      }
      return data;
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new UncheckedIOException(new IOException("Hadoop vectored read failed", e));
    }
  }
}
