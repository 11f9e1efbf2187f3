package io.github.sparknpy.npy;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.header.NpyHeader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * An array in memory to append or save: a dtype, a shape, a memory order and its elements, held
 * either as raw bytes in the dtype's byte order or as a Java primitive array (converted to bytes in
 * chunks while writing, never all at once).
 */
public final class NpyArray {
  private final DType dtype;
  private final long[] shape;
  private final boolean fortranOrder;
  private final ByteBuffer bytes;
  private final Object primitive;

  private final long byteSize;

  private NpyArray(
      DType dtype, long[] shape, boolean fortranOrder, ByteBuffer bytes, Object primitive) {
    this(dtype, shape, fortranOrder, bytes, primitive, lengthOf(bytes, primitive, dtype));
  }

  private NpyArray(
      DType dtype,
      long[] shape,
      boolean fortranOrder,
      ByteBuffer bytes,
      Object primitive,
      long byteSize) {
    this.dtype = dtype;
    this.shape = shape;
    this.fortranOrder = fortranOrder;
    this.bytes = bytes;
    this.primitive = primitive;
    this.byteSize = byteSize;
    long expected = expectedBytes(dtype, shape);
    if (expected != byteSize) {
      throw new IllegalArgumentException(
          "Cannot make an array of shape "
              + NpyHeader.shapeRepr(shape)
              + " and dtype "
              + dtype.descr()
              + " from "
              + byteSize
              + " bytes: it needs "
              + expected);
    }
  }

  private static long lengthOf(ByteBuffer bytes, Object primitive, DType dtype) {
    return bytes != null
        ? bytes.remaining()
        : (long) java.lang.reflect.Array.getLength(primitive) * dtype.itemSize();
  }

  /** Item size times the shape's product; -1 if a dimension is negative or the size overflows. */
  private static long expectedBytes(DType dtype, long[] shape) {
    if (shape.length > NpyHeader.MAX_DIMS) {
      return -1;
    }
    long n = dtype.itemSize();
    try {
      for (long d : shape) {
        if (d < 0) {
          return -1;
        }
        n = Math.multiplyExact(n, d);
      }
    } catch (ArithmeticException e) {
      return -1;
    }
    return n;
  }

  /**
   * An array of {@code shape} (empty for a 0-d array) over raw bytes, from the buffer's position to
   * its limit, in {@code dtype}'s byte order, laid out in C or Fortran order. The buffer is not
   * copied; do not change it until written.
   */
  public static NpyArray of(DType dtype, ByteBuffer data, boolean fortranOrder, long... shape) {
    return new NpyArray(
        Objects.requireNonNull(dtype, "dtype"), shape.clone(), fortranOrder, data.slice(), null);
  }

  /** {@code <f8} elements in C order; the shape defaults to {@code (data.length,)}. */
  public static NpyArray of(double[] data, long... shape) {
    return primitive(ScalarDType.FLOAT64, data, data.length, shape);
  }

  /** {@code <f4} elements in C order. */
  public static NpyArray of(float[] data, long... shape) {
    return primitive(ScalarDType.FLOAT32, data, data.length, shape);
  }

  /** {@code <i8} elements in C order. */
  public static NpyArray of(long[] data, long... shape) {
    return primitive(ScalarDType.INT64, data, data.length, shape);
  }

  /** {@code <i4} elements in C order. */
  public static NpyArray of(int[] data, long... shape) {
    return primitive(ScalarDType.INT32, data, data.length, shape);
  }

  /** {@code <i2} elements in C order. */
  public static NpyArray of(short[] data, long... shape) {
    return primitive(ScalarDType.INT16, data, data.length, shape);
  }

  /**
   * {@code |i1} elements in C order (use {@link #of(DType, ByteBuffer, boolean, long...)} for u1).
   */
  public static NpyArray of(byte[] data, long... shape) {
    return primitive(ScalarDType.INT8, data, data.length, shape);
  }

  /** {@code |b1} elements in C order. */
  public static NpyArray of(boolean[] data, long... shape) {
    return primitive(ScalarDType.BOOL, data, data.length, shape);
  }

  private static NpyArray primitive(ScalarDType dtype, Object data, int length, long[] shape) {
    return new NpyArray(
        dtype, shapeOr(shape, length), false, null, data, (long) length * dtype.itemSize());
  }

  private static long[] shapeOr(long[] shape, long length) {
    return shape.length == 0 ? new long[] {length} : shape.clone();
  }

  /** The same elements read as laid out in Fortran order (first index fastest), not a transpose. */
  public NpyArray withFortranLayout() {
    return new NpyArray(dtype, shape, true, bytes, primitive);
  }

  public DType dtype() {
    return dtype;
  }

  public long[] shape() {
    return shape.clone();
  }

  public boolean fortranOrder() {
    return fortranOrder;
  }

  long[] shapeRef() {
    return shape;
  }

  long byteSize() {
    return byteSize;
  }

  /** The raw bytes if this array holds them, else null. */
  ByteBuffer rawBytes() {
    return bytes == null ? null : bytes.duplicate();
  }

  /**
   * Copies the bytes at {@code [offset, offset + dst.remaining())} of this array into {@code dst}
   * in {@code order} (only primitive arrays can honor an order other than the dtype's).
   */
  void copyBytes(long offset, ByteBuffer dst, ByteOrder order) {
    if (bytes != null) {
      ByteBuffer src = bytes.duplicate();
      src.position((int) offset).limit((int) offset + dst.remaining());
      dst.put(src);
      return;
    }
    int size = dtype.itemSize();
    int first = (int) (offset / size);
    int n = dst.remaining() / size;
    if (n <= SMALL_COPY && dst.order() == order) {
      copySmall(first, n, dst);
      return;
    }
    ByteBuffer out = dst.slice().order(order);
    if (primitive instanceof double[] a) {
      out.asDoubleBuffer().put(a, first, n);
    } else if (primitive instanceof float[] a) {
      out.asFloatBuffer().put(a, first, n);
    } else if (primitive instanceof long[] a) {
      out.asLongBuffer().put(a, first, n);
    } else if (primitive instanceof int[] a) {
      out.asIntBuffer().put(a, first, n);
    } else if (primitive instanceof short[] a) {
      out.asShortBuffer().put(a, first, n);
    } else if (primitive instanceof byte[] a) {
      out.put(a, first, n);
    } else {
      boolean[] a = (boolean[]) primitive;
      for (int i = 0; i < n; i++) {
        out.put(i, (byte) (a[first + i] ? 1 : 0));
      }
    }
    dst.position(dst.position() + n * size);
  }

  /** Below this many elements, absolute puts beat creating a typed view buffer. */
  private static final int SMALL_COPY = 64;

  /** Puts {@code n} elements from {@code first} at {@code dst}'s position in its own order. */
  private void copySmall(int first, int n, ByteBuffer dst) {
    int p = dst.position();
    if (primitive instanceof double[] a) {
      for (int i = 0; i < n; i++, p += 8) {
        dst.putDouble(p, a[first + i]);
      }
    } else if (primitive instanceof float[] a) {
      for (int i = 0; i < n; i++, p += 4) {
        dst.putFloat(p, a[first + i]);
      }
    } else if (primitive instanceof long[] a) {
      for (int i = 0; i < n; i++, p += 8) {
        dst.putLong(p, a[first + i]);
      }
    } else if (primitive instanceof int[] a) {
      for (int i = 0; i < n; i++, p += 4) {
        dst.putInt(p, a[first + i]);
      }
    } else if (primitive instanceof short[] a) {
      for (int i = 0; i < n; i++, p += 2) {
        dst.putShort(p, a[first + i]);
      }
    } else if (primitive instanceof byte[] a) {
      dst.put(p, a, first, n);
      p += n;
    } else {
      boolean[] a = (boolean[]) primitive;
      for (int i = 0; i < n; i++) {
        dst.put(p++, (byte) (a[first + i] ? 1 : 0));
      }
    }
    dst.position(p);
  }

  /** True if primitive-backed: its elements can be written in any byte order for free. */
  boolean isPrimitive() {
    return primitive != null;
  }

  /**
   * The same values in the other memory order, as a new byte-backed array. Costs a copy of the
   * array; only needed when C and Fortran layouts differ (two or more axes longer than 1).
   */
  NpyArray toOrder(boolean fortran) {
    if (fortran == fortranOrder || !layoutsDiffer(shape)) {
      return fortran == fortranOrder ? this : new NpyArray(dtype, shape, fortran, bytes, primitive);
    }
    long total = byteSize();
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "Cannot reorder an array of "
              + total
              + " bytes in memory: append it in C and Fortran order pieces under 2 GiB");
    }
    ByteBuffer src = ByteBuffer.allocate((int) total);
    copyBytes(0, src, dtype.bufferOrder());
    src.flip();
    ByteBuffer dst = ByteBuffer.allocate((int) total);
    int size = dtype.itemSize();
    int n = shape.length;
    long count = total / Math.max(1, size);
    long[] idx = new long[n];
    // Walk the source in its own order and place each element at its index in the target order.
    for (long e = 0; e < count; e++) {
      long target = 0;
      long stride = 1;
      for (int k = 0; k < n; k++) {
        int axis = fortran ? k : n - 1 - k;
        target += idx[axis] * stride;
        stride *= shape[axis];
      }
      dst.put((int) (target * size), src, (int) (e * size), size);
      for (int k = 0; k < n; k++) {
        int axis = fortranOrder ? k : n - 1 - k;
        if (++idx[axis] < shape[axis]) {
          break;
        }
        idx[axis] = 0;
      }
    }
    return new NpyArray(dtype, shape, fortran, dst, null);
  }

  /** True if C and Fortran order place elements differently: two or more axes longer than 1. */
  static boolean layoutsDiffer(long[] shape) {
    int longAxes = 0;
    for (long d : shape) {
      if (d > 1) {
        longAxes++;
      }
    }
    return longAxes > 1;
  }
}
