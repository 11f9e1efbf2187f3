package io.github.sparknpy.npy.header;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.DatetimeUnit;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyNotAppendableException;
import io.github.sparknpy.npy.error.NpyUnsupportedDtypeException;
import io.github.sparknpy.npy.io.ByteArrayInputFile;
import io.github.sparknpy.npy.io.LocalInputFile;
import io.github.sparknpy.npy.testing.Numpy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The header and dtype layer against real numpy: numpy writes a matrix of files (every scalar dtype
 * in both byte orders, every datetime unit, records with padding, titles, sub-arrays and awkward
 * field names, in C and Fortran order, over a range of shapes, plus headers long enough for format
 * 2.0 and non-latin-1 ones that need 3.0), says what it reads back, and each file must read the
 * same here and re-encode to numpy's exact bytes.
 */
class HeaderNumpyCompatTest {
  private static final HexFormat HEX = HexFormat.of();

  @TempDir static Path dir;

  /** One file numpy wrote, and what numpy's own reader says about it. */
  record Case(
      String id,
      Path file,
      NpyVersion version,
      long dataOffset,
      String descr,
      int itemSize,
      long[] shape,
      boolean fortran,
      String how,
      Map<NpyVersion, byte[]> explicitVersions) {}

  static String script() {
    try (InputStream in =
        HeaderNumpyCompatTest.class.getResourceAsStream("/numpy/header_matrix.py")) {
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String unhex(String hex) {
    return new String(HEX.parseHex(hex), UTF_8);
  }

  private static long[] dims(String csv) {
    return csv.isEmpty()
        ? new long[0]
        : Arrays.stream(csv.split(",")).mapToLong(Long::parseLong).toArray();
  }

  private static NpyVersion version(String text) {
    return NpyVersion.valueOf("V" + text.replace('.', '_'));
  }

  private static List<Case> matrix() {
    String out = Numpy.run(script(), "matrix", dir);
    List<Case> cases = new ArrayList<>();
    for (String line : out.strip().split("\n")) {
      String[] f = line.split("\t", -1);
      Map<NpyVersion, byte[]> explicit = new EnumMap<>(NpyVersion.class);
      for (String v : f[9].split(",")) {
        if (!v.isEmpty()) {
          explicit.put(
              version(v.substring(0, v.indexOf(':'))),
              HEX.parseHex(v.substring(v.indexOf(':') + 1)));
        }
      }
      cases.add(
          new Case(
              unhex(f[0]),
              dir.resolve(f[1]),
              version(f[2]),
              Long.parseLong(f[3]),
              unhex(f[4]),
              Integer.parseInt(f[5]),
              dims(f[6]),
              f[7].equals("1"),
              f[8],
              explicit));
    }
    return cases;
  }

  @TestFactory
  Stream<DynamicTest> numpyWrittenFilesReadAndReencodeExactly() {
    List<Case> cases = matrix();
    // The matrix really covers what it claims to.
    assertThat(cases).hasSizeGreaterThan(1500);
    assertThat(cases.stream().map(Case::version).distinct())
        .containsExactlyInAnyOrder(NpyVersion.V1_0, NpyVersion.V2_0, NpyVersion.V3_0);
    assertThat(cases.stream().filter(c -> c.fortran() && c.how().equals("save")))
        .hasSizeGreaterThan(100);
    assertThat(cases.stream().filter(c -> c.how().equals("header-only"))).isNotEmpty();
    return cases.stream().map(c -> dynamicTest(c.id(), () -> check(c)));
  }

  private static void check(Case c) throws IOException {
    byte[] file = Files.readAllBytes(c.file());
    byte[] numpyHeader = Arrays.copyOf(file, (int) c.dataOffset());

    // (a) We read what numpy reads, from a local file and from memory alike.
    EncodedHeader encoded = EncodedHeader.read(new LocalInputFile(c.file()));
    assertThat(encoded.version()).as("version").isEqualTo(c.version());
    assertThat(encoded.dataOffset()).as("data offset").isEqualTo(c.dataOffset());
    NpyHeader header = encoded.header();
    assertThat(header.shape()).as("shape").containsExactly(c.shape());
    assertThat(header.fortranOrder()).as("fortran_order").isEqualTo(c.fortran());
    assertThat(header.dtype().descr()).as("descr").isEqualTo(c.descr());
    assertThat(header.dtype().itemSize()).as("itemsize").isEqualTo(c.itemSize());
    if (!c.how().equals("header-only")) {
      assertThat(file.length - c.dataOffset()).as("data bytes").isEqualTo(header.dataBytes());
    }
    EncodedHeader inMemory = EncodedHeader.read(new ByteArrayInputFile(file, "mem:" + c.id()));
    assertThat(inMemory.header()).isEqualTo(header);
    assertThat(inMemory.dataOffset()).isEqualTo(c.dataOffset());
    // numpy leaves room for the growth axis to reach 21 digits, so every file it writes can grow in
    // place.
    assertThat(encoded.isAppendable()).as("appendable").isEqualTo(c.shape().length > 0);

    // (b) A header built from the parsed values is numpy's header, byte for byte.
    NpyHeader rebuilt = NpyHeader.of(DType.parse(c.descr()), c.fortran(), c.shape());
    assertThat(rebuilt).isEqualTo(header);
    assertThat(rebuilt.naturalVersion()).isEqualTo(c.version());
    assertSameBytes(rebuilt.encode(), numpyHeader);
    assertSameBytes(header.encode(), numpyHeader);
    // In-place rewriting at a given length pads exactly like numpy's writer told to use a version.
    assertThat(c.explicitVersions()).containsKey(c.version());
    for (Map.Entry<NpyVersion, byte[]> e : c.explicitVersions().entrySet()) {
      assertSameBytes(header.encode(e.getKey(), e.getValue().length), e.getValue());
    }
    if (!c.explicitVersions().containsKey(NpyVersion.V2_0)) {
      // numpy cannot write it in latin-1; neither do we.
      assertThatThrownBy(() -> header.encode(NpyVersion.V2_0, c.dataOffset() + 64))
          .isInstanceOf(NpyNotAppendableException.class)
          .hasMessageContaining("needs format 3.0");
    }

    // (c) The descr round-trips through the parser.
    DType again = DType.parse(header.dtype().descr());
    assertThat(again).isEqualTo(header.dtype());
    assertThat(again.descr()).isEqualTo(c.descr());
    assertThat(again.hashCode()).isEqualTo(header.dtype().hashCode());
    // Byte order changes round-trip too, and keep the dtype equivalent.
    DType big = header.dtype().withByteOrder(ByteOrder.BIG_ENDIAN);
    assertThat(DType.parse(big.descr())).isEqualTo(big);
    assertThat(big.isEquivalent(header.dtype())).isTrue();
    assertThat(big.itemSize()).isEqualTo(c.itemSize());
  }

  private static void assertSameBytes(byte[] actual, byte[] expected) {
    // As latin-1 text so that a mismatch shows up as a readable diff of the header.
    assertThat(new String(actual, ISO_8859_1)).isEqualTo(new String(expected, ISO_8859_1));
  }

  /**
   * {@code DType.of} against {@code np.dtype(s).str}: same dtype for what numpy accepts, an error
   * otherwise.
   */
  @Test
  void typestrsParseLikeNpDtype() {
    List<String> typestrs =
        List.of(
            "<f8",
            "f8",
            ">f8",
            "=f8",
            "|f8",
            "d",
            "float64",
            "float",
            "int",
            "i",
            "l",
            "q",
            "b",
            "B",
            "h",
            "H",
            "I",
            "L",
            "Q",
            "e",
            "f",
            "g",
            "F",
            "D",
            "G",
            "?",
            "b1",
            "bool",
            "bool_",
            "c",
            "S",
            "S5",
            "U",
            "U3",
            "V",
            "V7",
            "M8",
            "M",
            "m",
            "M8[D]",
            "M8[3D]",
            "m8[us]",
            "datetime64[ms]",
            "timedelta64",
            "datetime64",
            "<M8[\u03bcs]",
            "M8[25s]",
            "M8[1s]",
            "M8[60s]",
            "M8[1000ms]",
            "M8[Y]",
            "M8[2M]",
            "M8[W]",
            "m8[as]",
            "m8[fs]",
            "m8[ps]",
            ">M8[ns]",
            "|M8[ns]",
            "<m8",
            "O",
            "O8",
            "object",
            "object_",
            "i3",
            "f3",
            "u16",
            "c4",
            "b2",
            "i0",
            "f0",
            "S-1",
            "<U0",
            "S0",
            "i8 ",
            " i8",
            "",
            ">b1",
            "int8",
            "uint64",
            "half",
            "single",
            "double",
            "longdouble",
            "clongdouble",
            "complex",
            "bytes",
            "str",
            "void",
            "intp",
            "uintp",
            "ubyte",
            "short",
            "ushort",
            "intc",
            "uintc",
            "long",
            "ulong",
            "longlong",
            "ulonglong",
            "p",
            "P",
            "n",
            "N",
            "M16",
            "M4",
            "f16",
            "c32",
            "int_",
            "float128",
            "complex256",
            "str_",
            "bytes_",
            "U536870911",
            "U536870912",
            "U99999999999",
            "S2147483647",
            "S2147483648",
            "V2147483647",
            "<u1",
            ">u1",
            "|i2",
            "<S5",
            ">U5",
            "|U5",
            "Float64",
            "F8",
            "M8[xs]",
            "M8ns",
            "M8[-1s]",
            "M8[ s]",
            "M8[]",
            "M8[D]x",
            "M8[4]",
            "M8[s",
            "M8[as2]",
            "<",
            "x8");
    String[] numpy =
        Numpy.run(
                "import warnings\n"
                    + "warnings.simplefilter('error')\n"
                    + "for s in bytes.fromhex(sys.argv[1]).decode().split('\\n'):\n"
                    + "    try:\n"
                    + "        print(np.dtype(s).str)\n"
                    + "    except Exception:\n"
                    + "        print('ERR')\n",
                HEX.formatHex(String.join("\n", typestrs).getBytes(UTF_8)))
            .split("\n");
    for (int i = 0; i < typestrs.size(); i++) {
      String s = typestrs.get(i);
      String ours;
      try {
        ours = DType.of(s).typestr();
      } catch (NpyUnsupportedDtypeException e) {
        ours = "|O";
      } catch (NpyFormatException e) {
        assertThat(e).hasMessageContaining("'" + s + "'");
        ours = "ERR";
      }
      assertThat(ours).as("DType.of(\"%s\")", s).isEqualTo(numpy[i]);
    }
  }

  /**
   * Headers built in Java, from the public factories, against what np.save writes for the array.
   */
  @Test
  void javaBuiltHeadersMatchNpSave() {
    RecordDType point =
        RecordDType.packed(
            List.of(
                RecordDType.Field.of("a", ScalarDType.INT16),
                RecordDType.Field.of("s", ScalarDType.bytes(3))));
    RecordDType record =
        RecordDType.packed(
            List.of(
                RecordDType.Field.of("x", ScalarDType.INT32),
                RecordDType.Field.of("v", ScalarDType.FLOAT64, 3),
                RecordDType.Field.of("m", ScalarDType.UINT8, 2, 2),
                RecordDType.Field.of("n", point, 2),
                RecordDType.Field.of("t", ScalarDType.datetime(DatetimeUnit.MICROSECOND))));
    RecordDType awkward =
        RecordDType.packed(
            List.of(
                RecordDType.Field.of("it's", ScalarDType.FLOAT32),
                RecordDType.Field.of("say \"hi\"\n", ScalarDType.FLOAT32),
                RecordDType.Field.of("caf\u00e9", ScalarDType.FLOAT32)));
    RecordDType cjk =
        RecordDType.packed(List.of(RecordDType.Field.of("\u540d\u524d", ScalarDType.FLOAT32)));
    long[] ones = new long[64];
    Arrays.fill(ones, 1);
    List<NpyHeader> headers =
        List.of(
            NpyHeader.of(DType.of("<f8"), false, 10, 3),
            NpyHeader.of(DType.of("<f8"), false, 12345678901L, 3),
            NpyHeader.of(DType.of("float32"), true, 4, 5),
            NpyHeader.of(DType.of("float32"), true, 4, 9876543210L),
            NpyHeader.of(DType.of(">i2"), false),
            NpyHeader.of(DType.of("|S10"), false, 7),
            NpyHeader.of(ScalarDType.unicode(3), false, 2, 2),
            NpyHeader.of(ScalarDType.datetime(DatetimeUnit.NANOSECOND), false, 4),
            NpyHeader.of(ScalarDType.timedelta(DatetimeUnit.SECOND), true, 2, 3),
            NpyHeader.of(ScalarDType.datetime(DatetimeUnit.GENERIC), false, 0),
            NpyHeader.of(DType.of("M8[25s]"), false, 3),
            NpyHeader.of(ScalarDType.BOOL, false, 0),
            NpyHeader.of(ScalarDType.COMPLEX128.withByteOrder(ByteOrder.BIG_ENDIAN), false, 3),
            NpyHeader.of(DType.of("longdouble"), false, 2),
            NpyHeader.of(ScalarDType.voidOf(5), false, 3),
            NpyHeader.of(ScalarDType.UINT8, false, Long.MAX_VALUE),
            NpyHeader.of(ScalarDType.FLOAT64, false, ones),
            NpyHeader.of(record, false, 6),
            NpyHeader.of(record, true, 2, 3),
            NpyHeader.of(record.withByteOrder(ByteOrder.BIG_ENDIAN), false, 1),
            NpyHeader.of(awkward, false, 2),
            NpyHeader.of(cjk, false, 2),
            NpyHeader.of(RecordDType.packed(List.of()), false, 2));
    String spec =
        headers.stream()
            .map(
                h ->
                    h.dtype().descr()
                        + "\t"
                        + (h.fortranOrder() ? "1" : "0")
                        + "\t"
                        + Arrays.stream(h.shape())
                            .mapToObj(Long::toString)
                            .collect(Collectors.joining(",")))
            .collect(Collectors.joining("\n"));
    String[] numpy =
        Numpy.run(script(), "headers", HEX.formatHex(spec.getBytes(UTF_8))).strip().split("\n");
    assertThat(numpy).hasSameSizeAs(headers.toArray());
    int saved = 0;
    for (int i = 0; i < headers.size(); i++) {
      String how = numpy[i].substring(0, numpy[i].indexOf(':'));
      byte[] expected = HEX.parseHex(numpy[i].substring(how.length() + 1));
      saved += how.equals("save") ? 1 : 0;
      assertSameBytes(headers.get(i).encode(), expected);
    }
    assertThat(saved).as("headers compared with real np.save output").isGreaterThan(15);
    assertThat(headers.get(20).naturalVersion()).isEqualTo(NpyVersion.V1_0);
    assertThat(headers.get(21).naturalVersion()).isEqualTo(NpyVersion.V3_0);

    // Growing a file rewrites its header in place: same length, and numpy's bytes for the new
    // shape.
    byte[] small = headers.get(0).encode();
    byte[] grown = headers.get(0).withRowCount(12345678901L).encode(NpyVersion.V1_0, small.length);
    assertSameBytes(grown, HEX.parseHex(numpy[1].substring(numpy[1].indexOf(':') + 1)));
    byte[] smallF = headers.get(2).encode();
    byte[] grownF = headers.get(2).withRowCount(9876543210L).encode(NpyVersion.V1_0, smallF.length);
    assertSameBytes(grownF, HEX.parseHex(numpy[3].substring(numpy[3].indexOf(':') + 1)));
  }
}
