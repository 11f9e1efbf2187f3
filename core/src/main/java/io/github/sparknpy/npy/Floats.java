package io.github.sparknpy.npy;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Conversions for x87 extended floats ({@code f16}), which Java lacks; halves are {@link Float16}.
 */
final class Floats {
  private Floats() {}

  /**
   * An x87 80-bit extended value (numpy's {@code longdouble} on x86-64 Linux, stored in 16 bytes)
   * as an exact {@link BigDecimal}; null for infinities and NaN.
   *
   * @param le the 10 significant bytes, little-endian
   */
  static BigDecimal extendedToBigDecimal(byte[] le) {
    long mantissa = 0;
    for (int i = 7; i >= 0; i--) {
      mantissa = (mantissa << 8) | (le[i] & 0xff);
    }
    int se = ((le[9] & 0xff) << 8) | (le[8] & 0xff);
    boolean negative = (se & 0x8000) != 0;
    int exp = se & 0x7fff;
    if (exp == 0x7fff) {
      return null;
    }
    BigDecimal m = new BigDecimal(new BigInteger(1, toBigEndian(mantissa)));
    int power = (exp == 0 ? 1 : exp) - 16383 - 63;
    BigDecimal value =
        power >= 0
            ? m.multiply(new BigDecimal(BigInteger.TWO.pow(power)))
            : m.divide(new BigDecimal(BigInteger.TWO.pow(-power)));
    return negative ? value.negate() : value;
  }

  /**
   * An x87 extended value rounded to the nearest double, ties to even (infinities and NaN
   * preserved). Works on the bits: going through the exact decimal value would cost tens of
   * milliseconds and megabytes for the many extended values far outside the double range.
   */
  static double extendedToDouble(byte[] le) {
    long mantissa = 0;
    for (int i = 7; i >= 0; i--) {
      mantissa = (mantissa << 8) | (le[i] & 0xff);
    }
    boolean negative = (le[9] & 0x80) != 0;
    int exp = ((le[9] & 0x7f) << 8) | (le[8] & 0xff);
    if (exp == 0x7fff) {
      if ((mantissa & 0x7fffffffffffffffL) == 0) {
        return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      }
      return Double.NaN;
    }
    double magnitude = 0;
    if (mantissa != 0) {
      // value = mantissa * 2^power; the leading one bit has exponent top.
      int power = (exp == 0 ? 1 : exp) - 16383 - 63;
      int top = power + 63 - Long.numberOfLeadingZeros(mantissa);
      if (top > Double.MAX_EXPONENT) {
        magnitude = Double.POSITIVE_INFINITY;
      } else {
        // The exponent of the result's last bit: 52 below the top, or the subnormal floor.
        int last = Math.max(top - 52, Double.MIN_EXPONENT - 52);
        int shift = last - power;
        long n;
        if (shift <= 0) {
          n = mantissa << -shift;
        } else if (shift > 64) {
          n = 0;
        } else {
          long kept = shift == 64 ? 0 : mantissa >>> shift;
          long rest = shift == 64 ? mantissa : mantissa & ((1L << shift) - 1);
          int vsHalf = Long.compareUnsigned(rest, 1L << (shift - 1));
          n = vsHalf > 0 || (vsHalf == 0 && (kept & 1) != 0) ? kept + 1 : kept;
        }
        // n has at most 53 bits, so this is exact (or overflows to infinity when rounding up).
        magnitude = Math.scalb((double) n, last);
      }
    }
    return negative ? -magnitude : magnitude;
  }

  private static byte[] toBigEndian(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[7 - i] = (byte) (v >>> (8 * i));
    }
    return b;
  }

  /** An unsigned 64-bit value as a double, rounded as numpy's uint64 to float64 cast rounds. */
  static double unsignedToDouble(long v) {
    if (v >= 0) {
      return v;
    }
    double d = (double) ((v >>> 1) | (v & 1));
    return d * 2.0;
  }
}
