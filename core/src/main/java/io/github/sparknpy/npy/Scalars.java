package io.github.sparknpy.npy;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads and writes single numeric values of a {@link ScalarDType} at absolute offsets of a buffer,
 * honoring the dtype's byte order. Primitive in and out: used in loops over batches.
 */
final class Scalars {
  private Scalars() {}

  /** The value of a bool, int, uint (raw 64 bits for u8), datetime or timedelta element. */
  static long getLong(ByteBuffer b, int off, ScalarDType t) {
    boolean big = t.byteOrder() == ByteOrder.BIG_ENDIAN;
    switch (t.kind()) {
      case BOOL:
        return b.get(off) != 0 ? 1 : 0;
      case INT:
      case DATETIME:
      case TIMEDELTA:
        switch (t.itemSize()) {
          case 1:
            return b.get(off);
          case 2:
            return swap(b.getShort(off), big, b);
          case 4:
            return swap(b.getInt(off), big, b);
          default:
            return swap(b.getLong(off), big, b);
        }
      case UINT:
        switch (t.itemSize()) {
          case 1:
            return b.get(off) & 0xffL;
          case 2:
            return swap(b.getShort(off), big, b) & 0xffffL;
          case 4:
            return swap(b.getInt(off), big, b) & 0xffffffffL;
          default:
            return swap(b.getLong(off), big, b);
        }
      case FLOAT:
        return (long) getDouble(b, off, t);
      default:
        throw new IllegalArgumentException("Cannot read dtype " + t + " as an integer");
    }
  }

  /** The value of a bool, int, uint or float element as a double. */
  static double getDouble(ByteBuffer b, int off, ScalarDType t) {
    boolean big = t.byteOrder() == ByteOrder.BIG_ENDIAN;
    switch (t.kind()) {
      case FLOAT:
      case COMPLEX:
        switch (t.kind() == ScalarDType.Kind.COMPLEX ? t.itemSize() / 2 : t.itemSize()) {
          case 2:
            return Float16.toFloat(swap(b.getShort(off), big, b));
          case 4:
            return Float.intBitsToFloat(swap(b.getInt(off), big, b));
          case 8:
            return Double.longBitsToDouble(swap(b.getLong(off), big, b));
          default:
            return Floats.extendedToDouble(extendedBytes(b, off, big));
        }
      case UINT:
        return t.itemSize() == 8 ? Floats.unsignedToDouble(getLong(b, off, t)) : getLong(b, off, t);
      case BOOL:
      case INT:
        return getLong(b, off, t);
      default:
        throw new IllegalArgumentException("Cannot read dtype " + t + " as a number");
    }
  }

  /** The imaginary part of a complex element. */
  static double getImaginary(ByteBuffer b, int off, ScalarDType t) {
    int half = t.itemSize() / 2;
    ScalarDType part = DType.of(t.byteOrderChar() + "f" + half);
    return getDouble(b, off + half, part);
  }

  /** The 10 significant little-endian bytes of a 16-byte x87 long double. */
  static byte[] extendedBytes(ByteBuffer b, int off, boolean big) {
    byte[] le = new byte[10];
    for (int i = 0; i < 10; i++) {
      le[i] = big ? b.get(off + 15 - i) : b.get(off + i);
    }
    return le;
  }

  /** Writes an integer value (bool, int, uint, datetime) with the dtype's width and order. */
  static void putLong(ByteBuffer b, int off, ScalarDType t, long v) {
    boolean big = t.byteOrder() == ByteOrder.BIG_ENDIAN;
    if (t.kind() == ScalarDType.Kind.FLOAT || t.kind() == ScalarDType.Kind.COMPLEX) {
      putDouble(b, off, t, v);
      return;
    }
    if (t.kind() == ScalarDType.Kind.BOOL) {
      b.put(off, (byte) (v != 0 ? 1 : 0));
      return;
    }
    switch (t.itemSize()) {
      case 1:
        b.put(off, (byte) v);
        break;
      case 2:
        b.putShort(off, swap((short) v, big, b));
        break;
      case 4:
        b.putInt(off, swap((int) v, big, b));
        break;
      default:
        b.putLong(off, swap(v, big, b));
    }
  }

  /**
   * Writes a float value (real part for complex, imaginary set to 0 by the caller's zeroed buffer).
   */
  static void putDouble(ByteBuffer b, int off, ScalarDType t, double v) {
    boolean big = t.byteOrder() == ByteOrder.BIG_ENDIAN;
    switch (t.kind()) {
      case FLOAT:
      case COMPLEX:
        switch (t.kind() == ScalarDType.Kind.COMPLEX ? t.itemSize() / 2 : t.itemSize()) {
          case 2:
            b.putShort(off, swap(Float16.fromDouble(v), big, b));
            return;
          case 4:
            b.putInt(off, swap(Float.floatToRawIntBits((float) v), big, b));
            return;
          case 8:
            b.putLong(off, swap(Double.doubleToRawLongBits(v), big, b));
            return;
          default:
            throw new IllegalArgumentException(
                "Cannot write dtype " + t + ": long double output is not supported");
        }
      case BOOL:
        b.put(off, (byte) (v != 0 ? 1 : 0));
        return;
      default:
        putLong(b, off, t, (long) v);
    }
  }

  // The buffer's own order is whatever the caller set; swap when it differs from the dtype's.
  private static short swap(short v, boolean big, ByteBuffer b) {
    return (b.order() == ByteOrder.BIG_ENDIAN) == big ? v : Short.reverseBytes(v);
  }

  private static int swap(int v, boolean big, ByteBuffer b) {
    return (b.order() == ByteOrder.BIG_ENDIAN) == big ? v : Integer.reverseBytes(v);
  }

  private static long swap(long v, boolean big, ByteBuffer b) {
    return (b.order() == ByteOrder.BIG_ENDIAN) == big ? v : Long.reverseBytes(v);
  }
}
