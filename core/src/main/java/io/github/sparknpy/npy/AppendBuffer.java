package io.github.sparknpy.npy;

import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.header.NpyHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The write buffer of an {@link NpyAppendArray} with deferred headers, and its fast path: small
 * primitive appends of a scalar dtype in C order (or 1-D) go straight into the buffer with
 * hand-specialised loops, without building an {@link NpyArray}. Every method that touches the
 * buffer runs under the array's lock; when the buffer is full it is written through {@link Sink}.
 */
final class AppendBuffer {
  /**
   * Writes the buffered rows at the file's end (under the file lock), as the array's flush does.
   */
  interface Sink {
    void flush() throws IOException;
  }

  /** Writes {@code data} (flipped) at the file's current end. */
  interface Writer {
    void write(ByteBuffer data) throws IOException;
  }

  private final Object lock;
  private final Sink sink;
  private final boolean enabled;
  private final ByteBuffer pending;
  private long pendingRows;

  /**
   * What small primitive appends may go straight into the write buffer with (deferred headers, a
   * scalar dtype, C order or 1-D); null otherwise and after close. Immutable and volatile, so the
   * shape check can run before taking the lock.
   */
  private volatile Layout layout;

  /** {@link #layout} as seen under the lock: read there without a volatile load. */
  private Layout lockedLayout;

  /** The file's dtype (little-endian form), row shape (axes after the first) and row elements. */
  record Layout(ScalarDType dtype, long[] rowShape, long rowElements) {
    /** True if one row of {@code length} elements of {@code type} fits this layout. */
    boolean acceptsRow(ScalarDType type, int length) {
      return (type == dtype || type.equals(dtype)) && rowElements == length;
    }

    /**
     * The rows an append of {@code length} elements of {@code type} with {@code shape} adds, or -1
     * if the general path must decide. Small, so that it inlines into the caller together with the
     * varargs {@code shape}, which then never reaches the heap.
     */
    long rows(ScalarDType type, int length, long[] shape) {
      if (type != dtype && !type.equals(dtype)) {
        return -1;
      }
      if (shape.length == 0) {
        return rowShape.length == 0 ? length : -1;
      }
      if (shape.length != rowShape.length + 1) {
        return -1;
      }
      for (int axis = 1; axis < shape.length; axis++) {
        if (shape[axis] != rowShape[axis - 1]) {
          return -1;
        }
      }
      long rows = shape[0];
      return rows >= 0 && rows * rowElements == length ? rows : -1;
    }
  }

  /**
   * A buffer of {@code capacity} bytes; {@code enabled} false (headers rewritten on every append)
   * keeps it empty and the fast path off.
   */
  AppendBuffer(Object lock, boolean enabled, int capacity, Sink sink) {
    this.lock = lock;
    this.enabled = enabled;
    this.pending = ByteBuffer.allocateDirect(enabled ? capacity : 0);
    this.sink = sink;
  }

  /** Rows buffered and not yet written. Under the lock. */
  long rows() {
    return pendingRows;
  }

  /** True if nothing is buffered. Under the lock. */
  boolean isEmpty() {
    return pendingRows == 0 && pending.position() == 0;
  }

  /**
   * Follows a newly known header: the buffer's byte order ({@code order}) and the fast path's
   * layout. Under the lock.
   */
  void use(NpyHeader header, ByteOrder order) {
    pending.order(order);
    boolean orderFree = !header.fortranOrder() || header.ndim() == 1;
    lockedLayout =
        enabled && orderFree && header.dtype() instanceof ScalarDType s
            ? new Layout(
                s.withByteOrder(ByteOrder.LITTLE_ENDIAN),
                header.rowShape(),
                header.rowBytes() / Math.max(1, s.itemSize()))
            : null;
    layout = lockedLayout;
  }

  /** Turns the fast path off (on close). Under the lock. */
  void disable() {
    lockedLayout = null;
    layout = null;
  }

  /**
   * The buffer with room for {@code bytes} more (flushed first if needed), for the general path to
   * fill with {@code rows} rows; null if headers are not deferred or the block is larger than the
   * buffer. Under the lock; the caller then puts exactly {@code bytes} and calls {@link #added}.
   */
  ByteBuffer reserve(long bytes) throws IOException {
    if (!enabled || bytes > pending.capacity()) {
      return null;
    }
    if (bytes > pending.remaining()) {
      sink.flush();
    }
    return pending;
  }

  /** Counts {@code rows} the caller put after {@link #reserve}. */
  void added(long rows) {
    pendingRows += rows;
  }

  /**
   * Hands the buffered bytes to {@code writer} and empties the buffer, returning the rows written;
   * if the writer fails, even after writing some of them, the buffer keeps all its rows. Under the
   * lock and the file lock.
   */
  long drainTo(Writer writer) throws IOException {
    writer.write(pending.duplicate().flip());
    pending.clear();
    long rows = pendingRows;
    pendingRows = 0;
    return rows;
  }

  // The facade's primitive appends: each checks the layout before taking the lock (volatile read,
  // inlined with the varargs shape) and returns false when the general path must decide.

  boolean append(double[] data, long[] shape) throws IOException {
    Layout layout = this.layout;
    long rows = layout == null ? -1 : layout.rows(ScalarDType.FLOAT64, data.length, shape);
    return rows >= 0 && put(layout, data, rows);
  }

  boolean append(float[] data, long[] shape) throws IOException {
    Layout layout = this.layout;
    long rows = layout == null ? -1 : layout.rows(ScalarDType.FLOAT32, data.length, shape);
    return rows >= 0 && put(layout, data, rows);
  }

  boolean append(long[] data, long[] shape) throws IOException {
    Layout layout = this.layout;
    long rows = layout == null ? -1 : layout.rows(ScalarDType.INT64, data.length, shape);
    return rows >= 0 && put(layout, data, rows);
  }

  boolean append(int[] data, long[] shape) throws IOException {
    Layout layout = this.layout;
    long rows = layout == null ? -1 : layout.rows(ScalarDType.INT32, data.length, shape);
    return rows >= 0 && put(layout, data, rows);
  }

  boolean append(short[] data, long[] shape) throws IOException {
    Layout layout = this.layout;
    long rows = layout == null ? -1 : layout.rows(ScalarDType.INT16, data.length, shape);
    return rows >= 0 && put(layout, data, rows);
  }

  boolean append(byte[] data, long[] shape) throws IOException {
    Layout layout = this.layout;
    long rows = layout == null ? -1 : layout.rows(ScalarDType.INT8, data.length, shape);
    return rows >= 0 && put(layout, data, rows);
  }

  boolean append(boolean[] data, long[] shape) throws IOException {
    Layout layout = this.layout;
    long rows = layout == null ? -1 : layout.rows(ScalarDType.BOOL, data.length, shape);
    return rows >= 0 && put(layout, data, rows);
  }

  /** One row of {@code values} into the buffer, or false if the general path must decide. */
  boolean putRow(double[] values) throws IOException {
    synchronized (lock) {
      if (roomForRow(ScalarDType.FLOAT64, values.length, Double.BYTES)) {
        for (double v : values) {
          pending.putDouble(v);
        }
        pendingRows++;
        return true;
      }
    }
    return false;
  }

  /** One row of {@code values} into the buffer, or false if the general path must decide. */
  boolean putRow(float[] values) throws IOException {
    synchronized (lock) {
      if (roomForRow(ScalarDType.FLOAT32, values.length, Float.BYTES)) {
        for (float v : values) {
          pending.putFloat(v);
        }
        pendingRows++;
        return true;
      }
    }
    return false;
  }

  /** One row of {@code values} into the buffer, or false if the general path must decide. */
  boolean putRow(long[] values) throws IOException {
    synchronized (lock) {
      if (roomForRow(ScalarDType.INT64, values.length, Long.BYTES)) {
        for (long v : values) {
          pending.putLong(v);
        }
        pendingRows++;
        return true;
      }
    }
    return false;
  }

  /** One row of {@code values} into the buffer, or false if the general path must decide. */
  boolean putRow(int[] values) throws IOException {
    synchronized (lock) {
      if (roomForRow(ScalarDType.INT32, values.length, Integer.BYTES)) {
        for (int v : values) {
          pending.putInt(v);
        }
        pendingRows++;
        return true;
      }
    }
    return false;
  }

  /**
   * True, with room made in the write buffer, if one row of {@code length} elements of {@code type}
   * can go straight into it. The caller holds the lock; the layout is read there as a plain field,
   * and the caller's sequential puts compile to the same code as a hand-written buffer loop (this
   * is the logger's hot path).
   */
  private boolean roomForRow(ScalarDType type, int length, int elementBytes) throws IOException {
    Layout layout = lockedLayout;
    return layout != null
        && layout.acceptsRow(type, length)
        && roomFor(layout, length * elementBytes);
  }

  // The hand-specialised puts (measured: a logger's hot path). Each returns false, having written
  // nothing, when the general path must decide (the layout changed or closed, a block larger than
  // the buffer).

  private boolean put(Layout layout, double[] data, long rows) throws IOException {
    synchronized (lock) {
      if (!roomFor(layout, data.length * Double.BYTES)) {
        return false;
      }
      for (double v : data) {
        pending.putDouble(v);
      }
      pendingRows += rows;
      return true;
    }
  }

  private boolean put(Layout layout, float[] data, long rows) throws IOException {
    synchronized (lock) {
      if (!roomFor(layout, data.length * Float.BYTES)) {
        return false;
      }
      for (float v : data) {
        pending.putFloat(v);
      }
      pendingRows += rows;
      return true;
    }
  }

  private boolean put(Layout layout, long[] data, long rows) throws IOException {
    synchronized (lock) {
      if (!roomFor(layout, data.length * Long.BYTES)) {
        return false;
      }
      for (long v : data) {
        pending.putLong(v);
      }
      pendingRows += rows;
      return true;
    }
  }

  private boolean put(Layout layout, int[] data, long rows) throws IOException {
    synchronized (lock) {
      if (!roomFor(layout, data.length * Integer.BYTES)) {
        return false;
      }
      for (int v : data) {
        pending.putInt(v);
      }
      pendingRows += rows;
      return true;
    }
  }

  private boolean put(Layout layout, short[] data, long rows) throws IOException {
    synchronized (lock) {
      if (!roomFor(layout, data.length * Short.BYTES)) {
        return false;
      }
      for (short v : data) {
        pending.putShort(v);
      }
      pendingRows += rows;
      return true;
    }
  }

  private boolean put(Layout layout, byte[] data, long rows) throws IOException {
    synchronized (lock) {
      if (!roomFor(layout, data.length)) {
        return false;
      }
      pending.put(data);
      pendingRows += rows;
      return true;
    }
  }

  private boolean put(Layout layout, boolean[] data, long rows) throws IOException {
    synchronized (lock) {
      if (!roomFor(layout, data.length)) {
        return false;
      }
      for (boolean v : data) {
        pending.put((byte) (v ? 1 : 0));
      }
      pendingRows += rows;
      return true;
    }
  }

  /**
   * Makes room for {@code bytes} in the write buffer (flushing it if needed); false, with nothing
   * changed, if {@code layout} is no longer current or the block is larger than the buffer. The
   * caller holds the lock and then puts exactly {@code bytes} at the buffer's position.
   */
  private boolean roomFor(Layout layout, int bytes) throws IOException {
    if (layout != lockedLayout || bytes > pending.capacity()) {
      return false;
    }
    if (bytes > pending.remaining()) {
      sink.flush();
    }
    return true;
  }
}
