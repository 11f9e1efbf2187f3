package io.github.sparknpy.npy;

/**
 * IEEE 754 binary16 ({@code <f2}, numpy's {@code float16}), which Java 17 lacks: conversions with
 * numpy's rounding (to nearest, ties to even; overflow to infinity; NaN payloads kept as numpy
 * keeps them).
 */
public final class Float16 {
  private Float16() {}

  /** IEEE 754 binary16 bits to float (exact). */
  public static float toFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h >>> 15) << 31;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** float to IEEE 754 binary16 bits, rounding to nearest even as numpy does. */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      mant |= 0x800000;
      int shift = 14 - e;
      int half = mant >>> shift;
      int rem = mant & ((1 << shift) - 1);
      int mid = 1 << (shift - 1);
      if (rem > mid || (rem == mid && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >>> 13);
    int rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
      half++;
    }
    return (short) (sign | half);
  }

  /**
   * double to IEEE 754 binary16 bits, rounded once from the double as numpy's {@code
   * astype(np.float16)} does (going through {@code float} would round twice, and differ from numpy
   * on values just beside a tie).
   */
  public static short fromDouble(double d) {
    long bits = Double.doubleToRawLongBits(d);
    int sign = (int) (bits >>> 48) & 0x8000;
    int exp = (int) (bits >>> 52) & 0x7ff;
    long mant = bits & 0xfffffffffffffL;
    if (exp == 0x7ff) {
      if (mant == 0) {
        return (short) (sign | 0x7c00);
      }
      int nan = 0x7c00 + (int) (mant >>> 42); // numpy keeps the payload's top bits
      return (short) (sign | (nan == 0x7c00 ? nan + 1 : nan));
    }
    int e = exp - 1023 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      mant |= 1L << 52;
      int shift = 43 - e;
      long half = mant >>> shift;
      long rem = mant & ((1L << shift) - 1);
      long mid = 1L << (shift - 1);
      if (rem > mid || (rem == mid && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    long half = ((long) e << 10) | (mant >>> 42);
    long rem = mant & ((1L << 42) - 1);
    long mid = 1L << 41;
    if (rem > mid || (rem == mid && (half & 1) != 0)) {
      half++;
    }
    return (short) (sign | half);
  }
}
