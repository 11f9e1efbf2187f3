package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.dtype.Casting;
import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.testing.Numpy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Our "safe" casting rule against numpy's np.can_cast(from, to, "safe"), and conversions against
 * astype.
 */
class CastingRulesTest {
  private static final List<String> TYPES =
      List.of(
          "|b1",
          "|i1",
          "<i2",
          ">i4",
          "<i8",
          "|u1",
          "<u2",
          "<u4",
          ">u8",
          "<f2",
          "<f4",
          ">f8",
          "<c8",
          "<c16",
          "|S3",
          "|S5",
          "<U3",
          "<U5",
          "|V4",
          "<M8[s]",
          "<M8[ms]",
          "<M8[D]",
          "<M8[Y]",
          "<M8[M]",
          "<m8[h]",
          "<m8[us]",
          "<M8[25s]");

  @Test
  void safeCastingAgreesWithNumpy() {
    StringBuilder script =
        new StringBuilder(
            "types = sys.argv[1].split(',')\nfor a in types:\n  print(''.join('1' if np.can_cast(a, b, 'safe') else '0' for b in types))");
    String[] rows = Numpy.run(script.toString(), String.join(",", TYPES)).trim().split("\n");
    List<String> disagreements = new ArrayList<>();
    for (int i = 0; i < TYPES.size(); i++) {
      for (int j = 0; j < TYPES.size(); j++) {
        boolean numpy = rows[i].charAt(j) == '1';
        boolean ours =
            Conversion.refusal(DType.of(TYPES.get(i)), DType.of(TYPES.get(j)), Casting.SAFE)
                == null;
        if (numpy != ours) {
          disagreements.add(TYPES.get(i) + "->" + TYPES.get(j) + " numpy=" + numpy);
        }
      }
    }
    // Documented departure: numpy calls numbers to strings, and numbers or bytes to raw void,
    // "safe"; appends refuse that.
    disagreements.removeIf(
        d ->
            d.matches("[|<>][biuf]\\d+->([|]S|<U|[|]V)\\d+ numpy=true")
                || d.matches("[|<>][cS]\\d+->([|]S|<U|[|]V)\\d+ numpy=true"));
    assertThat(disagreements).isEmpty();
  }

  @Test
  void conversionsGiveNumpysValues() {
    assertThat(
            convert(
                "<i4",
                ">i8",
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-5).putInt(7)))
        .isEqualTo(
            Numpy.run("print(np.array([-5, 7], '<i4').astype('>i8').tobytes().hex())").trim());
    assertThat(
            convert(
                "<u2",
                "<f2",
                ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putShort((short) 0xffff)
                    .putShort((short) 3)))
        .isEqualTo(
            Numpy.run("print(np.array([65535, 3], '<u2').astype('<f2').tobytes().hex())").trim());
    assertThat(
            convert(
                "<f4",
                "<c16",
                ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putFloat(1.5f)
                    .putFloat(-0.1f)))
        .isEqualTo(
            Numpy.run("print(np.array([1.5, -0.1], '<f4').astype('<c16').tobytes().hex())").trim());
    assertThat(convert("|S2", "<U3", ByteBuffer.wrap(new byte[] {'a', 0, 'x', 'y'})))
        .isEqualTo(
            Numpy.run("print(np.array([b'a', b'xy'], 'S2').astype('<U3').tobytes().hex())").trim());
    assertThat(
            convert(
                "<M8[Y]",
                "<M8[25s]",
                ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(54).putLong(-3)))
        .isEqualTo(
            Numpy.run("print(np.array([54, -3], 'M8[Y]').astype('M8[25s]').tobytes().hex())")
                .trim());
    assertThat(
            convert(
                "<M8[M]",
                "<M8[D]",
                ByteBuffer.allocate(16)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(649)
                    .putLong(Long.MIN_VALUE)))
        .isEqualTo(
            Numpy.run("print(np.array([649, 'NaT'], 'M8[M]').astype('M8[D]').tobytes().hex())")
                .trim());
    assertThat(
            convert(
                "<M8[s]",
                "<M8[ms]",
                ByteBuffer.allocate(16)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(86_400)
                    .putLong(Long.MIN_VALUE)))
        .isEqualTo(
            Numpy.run("print(np.array([86400, 'NaT'], 'M8[s]').astype('M8[ms]').tobytes().hex())")
                .trim());
  }

  @Test
  void refusalsNameBothDtypesAndTheRule() {
    assertThatThrownBy(() -> Conversion.of(DType.of("<f8"), DType.of("<i8"), Casting.SAFE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'<f8'")
        .hasMessageContaining("'<i8'")
        .hasMessageContaining("'safe'")
        .hasMessageContaining("Casting.UNSAFE");
    assertThatThrownBy(() -> Conversion.of(DType.of("<i4"), DType.of("<i8"), Casting.EQUIV))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'equiv'");
    assertThatThrownBy(() -> Conversion.of(DType.of("<M8[s]"), DType.of("<f8"), Casting.UNSAFE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no conversion");
  }

  private static String convert(String from, String to, ByteBuffer src) {
    DType f = DType.of(from);
    DType t = DType.of(to);
    int n = src.capacity() / f.itemSize();
    ByteBuffer dst = ByteBuffer.allocate(n * t.itemSize());
    Conversion.of(f, t, Casting.UNSAFE).convert(src, 0, dst, 0, n);
    StringBuilder hex = new StringBuilder();
    for (byte b : dst.array()) {
      hex.append(String.format(java.util.Locale.ROOT, "%02x", b));
    }
    return hex.toString();
  }
}
