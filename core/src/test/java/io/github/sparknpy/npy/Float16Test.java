package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.testing.Numpy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Half-precision conversions against numpy's {@code astype(np.float16)}, bit for bit: every
 * midpoint between adjacent halves and its neighbours (where rounding twice, through float, goes
 * wrong), subnormals, overflow, signed zeros, NaN payloads and random values.
 */
class Float16Test {
  @TempDir Path tmp;

  private static final String VALUES =
      "h = np.arange(65536, dtype=np.uint16).view(np.float16)\n"
          + "f = h[np.isfinite(h)].astype(np.float64)\n"
          + "f = np.unique(f)\n"
          + "mid = (f[:-1] + f[1:]) / 2\n"
          + "edges = np.array([65504.0, 65519.99, 65520.0, 65536.0, 1e300, 2.0**-25,"
          + " 2.0**-25 * 1.0000001, 2.0**-26, 2.0**-24, 5e-324, 0.0, -0.0, np.inf, -np.inf])\n"
          + "nans = np.array([0x7ff8000000000000, 0x7ff0000000000001, 0xfff4000000000123,"
          + " 0x7ff0040000000000], dtype=np.uint64).view(np.float64)\n"
          + "rng = np.random.default_rng(11)\n"
          + "rand = rng.standard_normal(20000) * 2.0 ** rng.integers(-30, 20, 20000)\n"
          + "x = np.concatenate([f, mid, np.nextafter(mid, np.inf), np.nextafter(mid, -np.inf),"
          + " -mid, edges, nans, rand])\n";

  @Test
  void doublesRoundOnceAsNumpyDoes() throws Exception {
    compare("<f8", "x");
  }

  @Test
  void floatsRoundAsNumpyDoes() throws Exception {
    compare("<f4", "x.astype(np.float32)");
  }

  private void compare(String type, String expression) throws Exception {
    Path in = tmp.resolve("in.bin");
    Path out = tmp.resolve("out.bin");
    Numpy.run(
        VALUES
            + "with np.errstate(all='ignore'):\n"
            + "    v = "
            + expression
            + "\n    v.tofile(sys.argv[1])\n"
            + "    v.astype(np.float16).view(np.uint16).tofile(sys.argv[2])\n",
        in,
        out);
    ByteBuffer values = ByteBuffer.wrap(Files.readAllBytes(in)).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer halves = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
    int n = halves.capacity() / 2;
    assertThat(n).isGreaterThan(100_000);
    int mismatches = 0;
    StringBuilder first = new StringBuilder();
    for (int i = 0; i < n; i++) {
      short expected = halves.getShort(2 * i);
      short actual;
      String shown;
      if (type.equals("<f8")) {
        double v = values.getDouble(8 * i);
        actual = Float16.fromDouble(v);
        shown = Double.toString(v) + " (0x" + Long.toHexString(Double.doubleToRawLongBits(v)) + ")";
      } else {
        float v = values.getFloat(4 * i);
        actual = Float16.fromFloat(v);
        shown = Float.toString(v);
      }
      if (actual != expected) {
        if (mismatches++ < 5) {
          first.append(
              String.format(
                  java.util.Locale.ROOT,
                  "%s -> numpy 0x%04x, ours 0x%04x%n",
                  shown,
                  expected & 0xffff,
                  actual & 0xffff));
        }
      }
    }
    assertThat(mismatches).as(first.toString()).isZero();
  }

  @Test
  void halvesWidenExactly() {
    for (int bits = 0; bits < 65536; bits++) {
      float f = Float16.toFloat((short) bits);
      if (!Float.isNaN(f)) {
        assertThat(Float16.fromFloat(f)).isEqualTo((short) bits);
        assertThat(Float16.fromDouble(f)).isEqualTo((short) bits);
      }
    }
  }
}
