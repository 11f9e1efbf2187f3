package io.github.sparknpy.npy.header;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.io.ByteArrayInputFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Small files numpy wrote once (src/test/resources/golden/make_golden.py), checked against values
 * written out here, so these run without numpy: header fields, exact header bytes, data placement.
 */
class GoldenFilesTest {
  record Golden(
      String file,
      NpyVersion version,
      long dataOffset,
      String descr,
      int itemSize,
      boolean fortran,
      long[] shape,
      long fileLength) {
    @Override
    public String toString() {
      return file;
    }
  }

  static Golden golden(
      String file,
      NpyVersion version,
      long dataOffset,
      String descr,
      int itemSize,
      boolean fortran,
      long fileLength,
      long... shape) {
    return new Golden(file, version, dataOffset, descr, itemSize, fortran, shape, fileLength);
  }

  static List<Golden> files() {
    return List.of(
        golden("f8_c_2d.npy", NpyVersion.V1_0, 128, "'<f8'", 8, false, 176, 2, 3),
        golden("i4_big_endian.npy", NpyVersion.V1_0, 128, "'>i4'", 4, false, 148, 5),
        golden("f4_fortran.npy", NpyVersion.V1_0, 128, "'<f4'", 4, true, 176, 3, 4),
        golden("f8_scalar.npy", NpyVersion.V1_0, 128, "'<f8'", 8, false, 136),
        golden(
            "record_nested_subarray.npy",
            NpyVersion.V1_0,
            192,
            "[('id', '<i4'), ('pos', [('x', '<f4'), ('y', '<f4')]), ('m', '<f8', (2, 2)), ('tag', '|S3')]",
            47,
            false,
            333,
            3),
        golden(
            "record_aligned.npy",
            NpyVersion.V1_0,
            192,
            "[('a', '|u1'), ('', '|V7'), ('b', '<i8'), ('c', '<u2'), ('', '|V6')]",
            24,
            false,
            240,
            2),
        golden("unicode_u5.npy", NpyVersion.V1_0, 128, "'<U5'", 20, false, 188, 3),
        golden("bytes_s4.npy", NpyVersion.V1_0, 128, "'|S4'", 4, false, 136, 2),
        golden("datetime_ns.npy", NpyVersion.V1_0, 128, "'<M8[ns]'", 8, false, 144, 2),
        golden(
            "v3_utf8_name.npy",
            NpyVersion.V3_0,
            128,
            "[('\u540d\u524d', '<i2')]",
            2,
            false,
            132,
            2));
  }

  static byte[] bytes(String file) throws IOException {
    try (InputStream in = GoldenFilesTest.class.getResourceAsStream("/golden/" + file)) {
      assertThat(in).as(file + " on the test classpath").isNotNull();
      return in.readAllBytes();
    }
  }

  static EncodedHeader read(String file) throws IOException {
    return EncodedHeader.read(new ByteArrayInputFile(bytes(file), "golden/" + file));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void headerMatchesWhatNumpyWrote(Golden g) throws IOException {
    byte[] file = bytes(g.file());
    assertThat(file).hasSize((int) g.fileLength());
    EncodedHeader encoded = read(g.file());
    NpyHeader h = encoded.header();
    assertThat(encoded.version()).isEqualTo(g.version());
    assertThat(encoded.dataOffset()).isEqualTo(g.dataOffset());
    assertThat(encoded.dataOffset() % NpyHeader.ARRAY_ALIGN).isZero();
    assertThat(h.dtype().descr()).isEqualTo(g.descr());
    assertThat(h.dtype().itemSize()).isEqualTo(g.itemSize());
    assertThat(h.fortranOrder()).isEqualTo(g.fortran());
    assertThat(h.shape()).containsExactly(g.shape());
    assertThat(encoded.isAppendable()).isEqualTo(g.shape().length > 0);
    // The data section is exactly the array: nothing missing, nothing trailing.
    assertThat(file.length - encoded.dataOffset()).isEqualTo(h.dataBytes());

    // Exact bytes: the header text as numpy printed it, and our encoding of the same header.
    int prefix = g.version().prefixLength();
    String text =
        new String(
            file,
            prefix,
            (int) g.dataOffset() - prefix,
            g.version() == NpyVersion.V3_0 ? UTF_8 : ISO_8859_1);
    String expectedDict =
        "{'descr': "
            + g.descr()
            + ", 'fortran_order': "
            + (g.fortran() ? "True" : "False")
            + ", 'shape': "
            + NpyHeader.shapeRepr(g.shape())
            + ", }";
    assertThat(text).startsWith(expectedDict).endsWith("\n");
    assertThat(text.substring(expectedDict.length(), text.length() - 1)).isBlank();
    assertThat(h.dictText()).isEqualTo(expectedDict);
    assertThat(h.encode()).isEqualTo(Arrays.copyOf(file, (int) g.dataOffset()));
    assertThat(NpyHeader.of(DType.parse(g.descr()), g.fortran(), g.shape()).encode())
        .isEqualTo(Arrays.copyOf(file, (int) g.dataOffset()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void goldenFilesAreNumpysFormatByteForByte(Golden g) throws IOException {
    byte[] file = bytes(g.file());
    assertThat(Arrays.copyOf(file, 6)).isEqualTo(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'});
    assertThat(file[6]).isEqualTo((byte) g.version().major());
    assertThat(file[7]).isZero();
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength =
        g.version() == NpyVersion.V1_0 ? b.getShort(8) & 0xffff : b.getInt(8) & 0xffffffffL;
    assertThat(g.version().prefixLength() + headerLength).isEqualTo(g.dataOffset());
  }

  // Data spot checks: the header puts the data where numpy put it, in the byte order it says.

  static ByteBuffer data(String file) throws IOException {
    EncodedHeader h = read(file);
    ScalarDType t = h.header().dtype() instanceof ScalarDType s ? s : null;
    ByteBuffer b = ByteBuffer.wrap(bytes(file)).position((int) h.dataOffset()).slice();
    return b.order(t != null ? t.byteOrder() : ByteOrder.LITTLE_ENDIAN);
  }

  @Test
  void dataStartsAtTheDataOffset() throws IOException {
    ByteBuffer f8 = data("f8_c_2d.npy");
    for (int i = 0; i < 6; i++) {
      assertThat(f8.getDouble(8 * i)).isEqualTo(i);
    }
    ByteBuffer i4 = data("i4_big_endian.npy");
    assertThat(i4.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
    for (int i = 0; i < 5; i++) {
      assertThat(i4.getInt(4 * i)).isEqualTo(i - 2);
    }
    // Fortran order: element (r, c) of arange(12).reshape(3, 4) is at c * 3 + r.
    ByteBuffer f4 = data("f4_fortran.npy");
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        assertThat(f4.getFloat(4 * (c * 3 + r))).isEqualTo(r * 4 + c);
      }
    }
    assertThat(data("f8_scalar.npy").getDouble(0)).isEqualTo(3.5);
    ByteBuffer dt = data("datetime_ns.npy");
    assertThat(dt.getLong(0))
        .isEqualTo(
            Instant.parse("2024-01-02T03:04:05.000000006Z").getEpochSecond() * 1_000_000_000L + 6);
    assertThat(dt.getLong(8)).isEqualTo(Long.MIN_VALUE); // NaT
    ByteBuffer u5 = data("unicode_u5.npy");
    assertThat(u5.getInt(20)).isEqualTo('h');
    assertThat(u5.getInt(24)).isEqualTo('\u00e9');
    assertThat(u5.getInt(40)).isEqualTo('\u540d');
    ByteBuffer s4 = data("bytes_s4.npy");
    assertThat(new String(s4.array(), s4.arrayOffset() + 4, 4, ISO_8859_1)).isEqualTo("cdef");

    // Records: field offsets from the header land on the values numpy stored.
    RecordDType rec = (RecordDType) read("record_nested_subarray.npy").header().dtype();
    assertThat(rec.fields())
        .extracting(RecordDType.Field::name)
        .containsExactly("id", "pos", "m", "tag");
    assertThat(rec.fields()).extracting(RecordDType.Field::offset).containsExactly(0, 4, 12, 44);
    assertThat(rec.field("m").shape()).containsExactly(2, 2);
    ByteBuffer r = data("record_nested_subarray.npy");
    RecordDType pos = (RecordDType) rec.field("pos").dtype();
    for (int i = 0; i < 3; i++) {
      assertThat(r.getInt(i * rec.itemSize() + rec.field("id").offset())).isEqualTo(i + 1);
      assertThat(
              r.getFloat(i * rec.itemSize() + rec.field("pos").offset() + pos.field("x").offset()))
          .isEqualTo(i + 0.5f);
    }
    assertThat(
            new String(
                r.array(),
                r.arrayOffset() + rec.itemSize() + rec.field("tag").offset(),
                3,
                ISO_8859_1))
        .isEqualTo("d\0\0");
    RecordDType aligned = (RecordDType) read("record_aligned.npy").header().dtype();
    assertThat(aligned.fields()).extracting(RecordDType.Field::offset).containsExactly(0, 8, 16);
    RecordDType v3 = (RecordDType) read("v3_utf8_name.npy").header().dtype();
    ByteBuffer v = data("v3_utf8_name.npy");
    assertThat(v3.fields().get(0).name()).isEqualTo("\u540d\u524d");
    assertThat(v.getShort(0)).isEqualTo((short) 1);
    assertThat(v.getShort(2)).isEqualTo((short) -2);
  }
}
