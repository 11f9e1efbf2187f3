package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * x87 extended to double works on the bits (the fuzzer found the exact-decimal route took seconds
 * and hundreds of megabytes for a handful of far-out values); it must round exactly as the exact
 * value does.
 */
class ExtendedToDoubleTest {
  @Test
  void roundsLikeTheExactValueAroundTheWholeDoubleRange() {
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 3_000; i++) {
      int exp = r.nextInt(16383 - 1100, 16383 + 1030);
      long mantissa = r.nextLong();
      if (i % 7 == 0) {
        // Ties and near-ties: only the top 54 bits set.
        mantissa &= ~((1L << 10) - 1);
      }
      assertSameAsExact(bytes(mantissa, exp, r.nextBoolean()));
    }
  }

  @Test
  void farOutsideTheDoubleRangeIsInfinityOrZero() {
    SplittableRandom r = new SplittableRandom(8);
    for (int i = 0; i < 10_000; i++) {
      long mantissa = r.nextLong() | Long.MIN_VALUE;
      assertThat(Floats.extendedToDouble(bytes(mantissa, r.nextInt(16383 + 1024, 0x7fff), true)))
          .isEqualTo(Double.NEGATIVE_INFINITY);
      assertThat(Floats.extendedToDouble(bytes(mantissa, r.nextInt(1, 16383 - 1076), false)))
          .isEqualTo(0.0);
      assertThat(Floats.extendedToDouble(bytes(r.nextLong(), 0, false))).isEqualTo(0.0);
    }
  }

  @Test
  void edges() {
    long one = 1L << 63;
    assertSameAsExact(bytes(one, 16383, false));
    assertSameAsExact(bytes(0, 0, true));
    assertSameAsExact(bytes(1, 0, false));
    // The largest double, the smallest subnormal and halfway cases around both.
    assertSameAsExact(bytes(0xFFFFFFFFFFFFF800L, 16383 + 1023, false));
    assertSameAsExact(bytes(0xFFFFFFFFFFFFFC00L, 16383 + 1023, false));
    assertSameAsExact(bytes(0xFFFFFFFFFFFFFBFFL, 16383 + 1023, false));
    assertSameAsExact(bytes(one, 16383 - 1074, false));
    assertSameAsExact(bytes(one, 16383 - 1075, false));
    assertSameAsExact(bytes(one | 1, 16383 - 1075, false));
    assertSameAsExact(bytes(one, 16383 - 1076, true));
    assertThat(Floats.extendedToDouble(bytes(one, 0x7fff, true)))
        .isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(Floats.extendedToDouble(bytes(one | 1, 0x7fff, false))).isNaN();
  }

  private static void assertSameAsExact(byte[] le) {
    BigDecimal exact = Floats.extendedToBigDecimal(le);
    double expected = exact.doubleValue();
    if (expected == 0 && (le[9] & 0x80) != 0) {
      expected = -0.0;
    }
    assertThat(Floats.extendedToDouble(le)).as("%s", exact).isEqualTo(expected);
  }

  private static byte[] bytes(long mantissa, int exp, boolean negative) {
    byte[] le = new byte[10];
    for (int i = 0; i < 8; i++) {
      le[i] = (byte) (mantissa >>> (8 * i));
    }
    le[8] = (byte) exp;
    le[9] = (byte) ((exp >>> 8) | (negative ? 0x80 : 0));
    return le;
  }
}
