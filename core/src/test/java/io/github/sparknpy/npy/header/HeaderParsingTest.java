package io.github.sparknpy.npy.header;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyNotAppendableException;
import io.github.sparknpy.npy.error.NpyUnsupportedDtypeException;
import io.github.sparknpy.npy.io.ByteArrayInputFile;
import io.github.sparknpy.npy.io.InputFile;
import io.github.sparknpy.npy.io.LocalInputFile;
import io.github.sparknpy.npy.io.SeekableInputStream;
import io.github.sparknpy.npy.testing.Numpy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-written headers: everything numpy's reader accepts must read the same here, and every
 * malformed file must fail with a {@link NpyFormatException} whose message names the file and what
 * is wrong. A single numpy run confirms, case by case, what numpy itself makes of the same bytes.
 */
class HeaderParsingTest {
  private static final String LOC = "mem://hand-written.npy";
  private static final String V1_DICT = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }";

  @TempDir Path tmp;

  // ---------------------------------------------------------------------------------------------
  // Building files

  /** Magic, version, length field and {@code text} exactly as given (no padding added). */
  static byte[] npy(int major, int minor, byte[] text) {
    int lengthBytes = major == 1 ? 2 : 4;
    ByteBuffer b =
        ByteBuffer.allocate(8 + lengthBytes + text.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(NpyHeader.MAGIC).put((byte) major).put((byte) minor);
    if (lengthBytes == 2) {
      b.putShort((short) text.length);
    } else {
      b.putInt(text.length);
    }
    return b.put(text).array();
  }

  /** A file whose header is {@code text}, latin-1 for 1.0/2.0 and UTF-8 for 3.0. */
  static byte[] npy(int major, String text) {
    return npy(major, 0, text.getBytes(major == 3 ? UTF_8 : ISO_8859_1));
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static String dict(String descr, String fortran, String shape) {
    return "{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
  }

  static EncodedHeader read(byte[] file) throws IOException {
    return EncodedHeader.read(new ByteArrayInputFile(file, LOC));
  }

  // ---------------------------------------------------------------------------------------------
  // Headers numpy accepts

  /** A header numpy reads, and what it says. */
  record Accepted(String name, byte[] file, long[] shape, boolean fortran, String descr) {}

  static Accepted ok(String name, byte[] file, String descr, boolean fortran, long... shape) {
    return new Accepted(name, file, shape, fortran, descr);
  }

  static List<Accepted> accepted() {
    List<Accepted> a = new ArrayList<>();
    a.add(
        ok(
            "keys in any order",
            npy(1, "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f8'}"),
            "'<f8'",
            false,
            2,
            3));
    a.add(
        ok(
            "trailing commas",
            npy(1, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3,), }"),
            "'<i4'",
            true,
            2,
            3));
    a.add(
        ok(
            "double quotes",
            npy(1, "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (4,)}"),
            "'<f4'",
            false,
            4));
    a.add(
        ok(
            "python 2 L ints, 1.0",
            npy(1, dict("'<f8'", "False", "(3L, 4L)")),
            "'<f8'",
            false,
            3,
            4));
    a.add(
        ok(
            "python 2 L ints, 2.0",
            npy(2, dict("[('x', '<i8')]", "False", "(10L,)")),
            "[('x', '<i8')]",
            false,
            10));
    a.add(ok("lots of padding", npy(1, V1_DICT + " ".repeat(1000) + "\n"), "'<f8'", false, 1));
    a.add(ok("no padding, unaligned data", npy(1, V1_DICT), "'<f8'", false, 1));
    a.add(
        ok(
            "True and False in shape",
            npy(1, dict("'<f8'", "False", "(True, 3, False)")),
            "'<f8'",
            false,
            1,
            3,
            0));
    a.add(
        ok(
            "comments and whitespace",
            npy(
                1,
                "{ # the dtype\n 'descr' : '<u2' ,\n\t'fortran_order':False,'shape':( 2 , )} # end\n"),
            "'<u2'",
            false,
            2));
    a.add(
        ok(
            "CRLF, tabs, form feed",
            npy(1, "\t{'descr': '<f8',\r\n\f'fortran_order': False,\t'shape': (1,), }\r\n"),
            "'<f8'",
            false,
            1));
    a.add(
        ok(
            "hex and underscores",
            npy(1, dict("'<f8'", "False", "(0x10, 1_000, 0o7, 0b11)")),
            "'<f8'",
            false,
            16,
            1000,
            7,
            3));
    a.add(
        ok(
            "string prefixes and concatenation",
            npy(1, "{u'descr': '<' \"f\" r'8', 'fortran_order': False, 'shape': (), }"),
            "'<f8'",
            false));
    a.add(
        ok(
            "escapes in strings",
            npy(1, dict("'\\x3c\\u0066\\70'", "False", "()")),
            "'<f8'",
            false));
    a.add(
        ok(
            "named escapes",
            npy(
                1,
                dict(
                    "[('caf\\N{LATIN SMALL LETTER E WITH ACUTE}\\N{bullet}', '<i2'), (r'\\N', 'u1')]",
                    "False",
                    "()")),
            "[('caf\u00e9\u2022', '<i2'), ('\\\\N', '|u1')]",
            false));
    a.add(
        ok(
            "fields as lists, int sub-shape",
            npy(1, dict("[['x', '<i4'], ['y', '<f4', 3]]", "False", "(2,)")),
            "[('x', '<i4'), ('y', '<f4', (3,))]",
            false,
            2));
    a.add(ok("type code 'd'", npy(1, dict("'d'", "False", "(2,)")), "'<f8'", false, 2));
    a.add(ok("type name 'float64'", npy(1, dict("'float64'", "False", "(2,)")), "'<f8'", false, 2));
    a.add(ok("native order '=i4'", npy(1, dict("'=i4'", "False", "(2,)")), "'<i4'", false, 2));
    a.add(ok("unsized '|S0'", npy(1, dict("'|S0'", "False", "(2,)")), "'|S0'", false, 2));
    a.add(ok("generic datetime 'M8'", npy(1, dict("'M8'", "False", "(3,)")), "'<M8'", false, 3));
    a.add(
        ok(
            "duplicate key, last wins",
            npy(1, "{'descr': '<i4', 'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"),
            "'<f8'",
            false,
            2));
    a.add(
        ok(
            "3.0 with UTF-8 name and \u03bcs unit",
            npy(3, dict("[('\u540d', '<M8[\u03bcs]')]", "False", "(3,)")),
            "[('\u540d', '<M8[us]')]",
            false,
            3));
    a.add(
        ok(
            "latin-1 name in 1.0",
            npy(1, dict("[('caf\u00e9', '<i2')]", "False", "(3,)")),
            "[('caf\u00e9', '<i2')]",
            false,
            3));
    a.add(
        ok(
            "unnamed non-void field",
            npy(1, dict("[('', '<f4')]", "False", "(1,)")),
            "[('', '<f4')]",
            false,
            1));
    a.add(
        ok(
            "padding fields",
            npy(1, dict("[('', '|V2'), ('a', '<f4'), ('', '|V1', (2,))]", "False", "(1,)")),
            "[('', '|V2'), ('a', '<f4'), ('', '|V2')]",
            false,
            1));
    a.add(
        ok(
            "sub-array of sub-arrays",
            npy(1, dict("[('a', ('<f4', (2,)), (3,)), ('b', ('<i2', ()), (2,))]", "False", "(1,)")),
            "[('a', ('<f4', (2,)), (3,)), ('b', '<i2', (2,))]",
            false,
            1));
    a.add(
        ok(
            "200 nested brackets (Python's limit)",
            npy(1, dict("(".repeat(199) + "'<f8'" + ")".repeat(199), "False", "()")),
            "'<f8'",
            false));
    a.add(
        ok(
            "64 dimensions",
            npy(1, dict("'<f8'", "False", "(" + "1, ".repeat(64) + ")")),
            "'<f8'",
            false,
            ones(64)));
    return a;
  }

  static long[] ones(int n) {
    long[] s = new long[n];
    Arrays.fill(s, 1);
    return s;
  }

  @Test
  void headersNumpyAcceptsReadTheSame() throws IOException {
    for (Accepted c : accepted()) {
      EncodedHeader h = read(c.file());
      assertThat(h.header().shape()).as(c.name()).containsExactly(c.shape());
      assertThat(h.header().fortranOrder()).as(c.name()).isEqualTo(c.fortran());
      assertThat(h.header().dtype().descr()).as(c.name()).isEqualTo(c.descr());
      assertThat(h.dataOffset()).as(c.name()).isEqualTo(c.file().length);
    }
  }

  @Test
  void unalignedAndOverPaddedHeadersKeepTheirDataOffset() throws IOException {
    EncodedHeader tight = read(concat(npy(1, V1_DICT), new byte[8]));
    assertThat(tight.dataOffset()).isEqualTo(10 + V1_DICT.length());
    assertThat(tight.dataOffset() % NpyHeader.ARRAY_ALIGN).as("unaligned").isNotZero();
    assertThat(tight.header().dataBytes()).isEqualTo(8);
    assertThat(tight.version()).isEqualTo(NpyVersion.V1_0);
    // No spare space for the growth axis: numpy 1.x wrote such headers, and they cannot grow in
    // place.
    assertThat(tight.isAppendable()).isFalse();
    EncodedHeader padded = read(concat(npy(1, V1_DICT + " ".repeat(1000) + "\n"), new byte[8]));
    assertThat(padded.dataOffset()).isEqualTo(10 + V1_DICT.length() + 1001);
    assertThat(padded.isAppendable()).isTrue();
    // A 0-d array never grows.
    assertThat(read(npy(1, dict("'<f8'", "False", "()") + " ".repeat(100))).isAppendable())
        .isFalse();
  }

  // ---------------------------------------------------------------------------------------------
  // Malformed files

  /** A file we reject, and whether numpy's own header reader rejects it too. */
  record Rejected(
      String name,
      byte[] file,
      Class<? extends NpyFormatException> type,
      List<String> fragments,
      boolean numpyRejects) {}

  static Rejected bad(String name, byte[] file, boolean numpyRejects, String... fragments) {
    return new Rejected(name, file, NpyFormatException.class, List.of(fragments), numpyRejects);
  }

  static List<Rejected> rejected() {
    List<Rejected> r = new ArrayList<>();
    byte[] good = npy(1, V1_DICT);
    byte[] wrongMagic = good.clone();
    wrongMagic[5] = 'X';
    r.add(
        bad(
            "wrong magic",
            wrongMagic,
            true,
            "not a .npy file",
            "'\\x93NUMPX\\x01\\x00'",
            "magic string"));
    r.add(
        bad(
            "text file",
            "just some text, no magic".getBytes(UTF_8),
            true,
            "not a .npy file",
            "'just som'"));
    r.add(
        bad(
            "truncated magic",
            Arrays.copyOf(good, 3),
            true,
            "only 3 bytes",
            "truncated magic string"));
    r.add(bad("empty file", new byte[0], true, "only 0 bytes", "truncated magic string"));
    r.add(
        bad(
            "magic and version only",
            Arrays.copyOf(good, 8),
            true,
            "8 bytes",
            "too short for a .npy header"));
    r.add(
        bad(
            "2.0 prefix cut short",
            Arrays.copyOf(npy(2, V1_DICT), 11),
            true,
            "11 bytes",
            "too short for a version 2.0 header prefix"));
    r.add(
        bad(
            "version 4.0",
            npy(4, 0, V1_DICT.getBytes(ISO_8859_1)),
            true,
            "unsupported .npy format version 4.0",
            "1.0, 2.0 and 3.0"));
    r.add(
        bad(
            "version 1.1",
            npy(1, 1, V1_DICT.getBytes(ISO_8859_1)),
            true,
            "unsupported .npy format version 1.1"));
    r.add(
        bad(
            "version 0.0",
            npy(0, 0, V1_DICT.getBytes(ISO_8859_1)),
            true,
            "unsupported .npy format version 0.0"));
    r.add(
        bad(
            "header longer than the file",
            Arrays.copyOf(good, good.length - 5),
            true,
            "header says it is "
                + V1_DICT.length()
                + " bytes long but the file ends at "
                + (good.length - 5),
            "truncated"));
    r.add(bad("empty header", npy(1, ""), true, "cannot parse header", "unexpected end of text"));
    r.add(
        bad(
            "not a dict: list",
            npy(1, "['descr', 'fortran_order', 'shape']"),
            true,
            "header is not a dictionary"));
    r.add(
        bad(
            "not a dict: set",
            npy(1, "{'descr', 'fortran_order', 'shape'}"),
            true,
            "header is not a dictionary"));
    r.add(
        bad(
            "not a dict: string",
            npy(1, "'descr'"),
            true,
            "header is not a dictionary",
            "'descr'"));
    r.add(
        bad(
            "missing key",
            npy(1, "{'descr': '<f8', 'fortran_order': False}"),
            true,
            "exactly the keys 'descr', 'fortran_order' and 'shape'",
            "['descr', 'fortran_order']"));
    r.add(
        bad(
            "extra key",
            npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}"),
            true,
            "exactly the keys",
            "'extra'"));
    r.add(
        bad(
            "shape is a list",
            npy(1, dict("'<f8'", "False", "[2, 3]")),
            true,
            "shape is not valid: [2, 3]"));
    r.add(
        bad("shape is an int", npy(1, dict("'<f8'", "False", "5")), true, "shape is not valid: 5"));
    r.add(
        bad(
            "shape holds a float",
            npy(1, dict("'<f8'", "False", "(1.0,)")),
            true,
            "shape is not valid"));
    r.add(
        bad(
            "shape holds a string",
            npy(1, dict("'<f8'", "False", "('2',)")),
            true,
            "shape is not valid: ('2',)"));
    r.add(
        bad(
            "negative dimension",
            npy(1, dict("'<f8'", "False", "(3, -1)")),
            false,
            "shape (3, -1) has a negative or too large dimension"));
    r.add(
        bad(
            "dimension beyond a long",
            npy(1, dict("'<f8'", "False", "(9223372036854775808,)")),
            false,
            "negative or too large dimension"));
    r.add(
        bad(
            "byte size overflows",
            npy(1, dict("'<f8'", "False", "(2305843009213693952, 4)")),
            false,
            "shape (2305843009213693952, 4)",
            "overflows a 64-bit integer"));
    r.add(
        bad(
            "byte size overflows across an empty axis",
            npy(1, dict("'<f8'", "False", "(1099511627776, 0, 1099511627776)")),
            false,
            "overflows a 64-bit integer"));
    r.add(
        bad(
            "65 dimensions",
            npy(1, dict("'<f8'", "False", "(" + "1, ".repeat(65) + ")")),
            false,
            "65 dimensions, more than numpy's 64"));
    r.add(
        bad(
            "fortran_order is 0",
            npy(1, dict("'<f8'", "0", "(1,)")),
            true,
            "fortran_order is not a valid bool: 0"));
    r.add(
        bad(
            "fortran_order is a string",
            npy(1, dict("'<f8'", "'False'", "(1,)")),
            true,
            "fortran_order is not a valid bool: 'False'"));
    r.add(
        bad(
            "fortran_order is None",
            npy(1, dict("'<f8'", "None", "(1,)")),
            true,
            "fortran_order is not a valid bool: None"));
    r.add(
        new Rejected(
            "object dtype",
            npy(1, dict("'|O'", "False", "(1,)")),
            NpyUnsupportedDtypeException.class,
            List.of("'|O'", "object arrays hold pickled Python objects"),
            false));
    r.add(
        new Rejected(
            "object field",
            npy(1, dict("[('a', '<i4'), ('b', '|O')]", "False", "(1,)")),
            NpyUnsupportedDtypeException.class,
            List.of("'|O'", "never unpickles"),
            false));
    r.add(
        bad(
            "unknown type code",
            npy(1, dict("'<q7'", "False", "(1,)")),
            true,
            "Cannot parse dtype '<q7'",
            "'q' is not a numpy type code"));
    r.add(
        bad(
            "int of size 3",
            npy(1, dict("'<i3'", "False", "(1,)")),
            true,
            "Cannot parse dtype '<i3'",
            "integers have size 1, 2, 4 or 8"));
    r.add(
        bad(
            "empty typestr",
            npy(1, dict("''", "False", "(1,)")),
            true,
            "Cannot parse dtype ''",
            "it is empty"));
    r.add(
        bad(
            "bad datetime unit",
            npy(1, dict("'<M8[xs]'", "False", "(1,)")),
            true,
            "Cannot parse dtype '<M8[xs]'",
            "'xs' is not a datetime unit"));
    r.add(
        bad(
            "datetime unit without brackets",
            npy(1, dict("'<M8ns'", "False", "(1,)")),
            true,
            "'<M8ns'",
            "written in brackets"));
    r.add(
        bad(
            "descr is a number",
            npy(1, dict("8", "False", "(1,)")),
            true,
            "descr is not a valid dtype descriptor: 8"));
    r.add(
        bad(
            "whole-array sub-array descr",
            npy(1, dict("('<f4', (2,))", "False", "(3,)")),
            false,
            "a sub-array dtype cannot describe a whole array"));
    r.add(
        bad(
            "field without a dtype",
            npy(1, dict("[('a',)]", "False", "(1,)")),
            true,
            "field ('a',) is not a (name, descr) or (name, descr, shape) tuple"));
    r.add(
        bad(
            "field name not a string",
            npy(1, dict("[(1, '<f4')]", "False", "(1,)")),
            true,
            "field name 1 is not a string or a (title, name) pair"));
    r.add(
        bad(
            "negative sub-array dimension",
            npy(1, dict("[('a', '<f4', (-2,))]", "False", "(1,)")),
            true,
            "sub-array dimension -2 is negative or too large"));
    r.add(
        bad(
            "duplicate field names",
            npy(1, dict("[('a', '<i4'), ('a', '<f4')]", "False", "(1,)")),
            true,
            "field name or title 'a' is used twice"));
    r.add(
        bad(
            "duplicate titles",
            npy(1, dict("[(('t', 'a'), '<i4'), (('t', 'b'), '<f4')]", "False", "(1,)")),
            true,
            "field name or title 't' is used twice"));
    r.add(
        bad(
            "title equal to a name",
            npy(1, dict("[('a', '<i4'), (('a', 'b'), '<f4')]", "False", "(1,)")),
            true,
            "field name or title 'a' is used twice"));
    r.add(
        bad(
            "10,000 open parentheses",
            npy(1, "{'descr': " + "(".repeat(10_000)),
            true,
            "cannot parse header",
            "more than 200 nested brackets"));
    r.add(
        bad(
            "201 nested brackets",
            npy(1, dict("(".repeat(200) + "'<f8'" + ")".repeat(200), "False", "()")),
            true,
            "more than 200 nested brackets"));
    r.add(
        bad(
            "100,000 open brackets",
            npy(2, "[".repeat(100_000)),
            true,
            "more than 200 nested brackets"));
    r.add(
        bad(
            "5,000 minus signs",
            npy(1, dict("'<f8'", "False", "(" + "-".repeat(5_000) + "1,)")),
            true,
            "a sign must precede a number, not another sign"));
    r.add(
        bad(
            "invalid UTF-8 in 3.0",
            npy(
                3,
                0,
                concat(
                    "{'descr': [('".getBytes(UTF_8),
                    new byte[] {(byte) 0xff, (byte) 0xfe},
                    "', '<f8')], 'fortran_order': False, 'shape': (1,), }".getBytes(UTF_8))),
            true,
            "version 3.0 header is not valid UTF-8"));
    r.add(
        bad(
            "L suffix in 3.0",
            npy(3, dict("'<f8'", "False", "(3L,)")),
            true,
            "cannot parse header",
            "expected ','"));
    r.add(
        bad(
            "unknown character name",
            npy(1, dict("[('\\N{NO SUCH CHARACTER}', '<i2')]", "False", "()")),
            true,
            "unknown Unicode character name 'NO SUCH CHARACTER'"));
    r.add(
        bad(
            "unterminated string",
            npy(1, "{'descr': '<f8, 'fortran_order': False, 'shape': (1,), }"),
            true,
            "cannot parse header"));
    r.add(
        bad(
            "NUL byte after the dict",
            npy(1, V1_DICT + "\0"),
            true,
            "cannot parse header",
            "unexpected text after the literal"));
    r.add(
        bad(
            "a name that is not a literal",
            npy(1, dict("'<f8'", "false", "(1,)")),
            true,
            "cannot parse header",
            "name 'false' is not a literal"));
    r.add(
        bad(
            "a call",
            npy(1, dict("'<f8'", "False", "tuple([1])")),
            true,
            "cannot parse header",
            "name 'tuple' is not a literal"));
    return r;
  }

  @Test
  void malformedFilesFailWithTheFileAndTheReason() {
    for (Rejected c : rejected()) {
      Throwable t = catchThrowable(() -> read(c.file()));
      assertThat(t).as(c.name()).isInstanceOf(c.type());
      assertThat(t.getMessage()).as(c.name()).startsWith("Cannot read " + LOC + ": ");
      for (String fragment : c.fragments()) {
        assertThat(t.getMessage()).as(c.name()).contains(fragment);
      }
      // Messages quote bad headers, but never at unbounded length.
      assertThat(t.getMessage().length()).as(c.name()).isLessThan(1200);
    }
  }

  @Test
  void numpyAgreesWithEveryCase() throws IOException {
    List<Accepted> accepted = accepted();
    List<Rejected> rejected = rejected();
    Map<String, byte[]> files = new LinkedHashMap<>();
    accepted.forEach(c -> files.put(c.name(), c.file()));
    rejected.forEach(c -> files.put(c.name(), c.file()));
    int i = 0;
    for (byte[] f : files.values()) {
      Files.write(tmp.resolve("c" + i++ + ".npy"), f);
    }
    String script =
        "import io, os, warnings\n"
            + "from numpy.lib import _format_impl as fmt\n"
            + "warnings.simplefilter('ignore')\n"
            + "for i in range(int(sys.argv[2])):\n"
            + "    with open(os.path.join(sys.argv[1], f'c{i}.npy'), 'rb') as f:\n"
            + "        try:\n"
            + "            v = fmt.read_magic(f)\n"
            + "            shape, fortran, dt = fmt._read_array_header(f, v, max_header_size=1 << 30)\n"
            + "            d = repr(fmt.dtype_to_descr(dt)).encode().hex()\n"
            + "            print('ok', ','.join(str(int(x)) for x in shape), int(fortran), d, f.tell(), sep='\\t')\n"
            + "        except BaseException as e:\n" // RecursionError, MemoryError and friends
            // count as refusals too
            + "            print('err', type(e).__name__, sep='\\t')\n";
    String[] lines = Numpy.run(script, tmp, files.size()).strip().split("\n");
    assertThat(lines).hasSize(files.size());
    int n = 0;
    for (Accepted c : accepted) {
      String[] f = lines[n++].split("\t");
      assertThat(f[0]).as("numpy reads " + c.name()).isEqualTo("ok");
      long[] shape =
          f[1].isEmpty()
              ? new long[0]
              : Arrays.stream(f[1].split(",")).mapToLong(Long::parseLong).toArray();
      assertThat(shape).as(c.name()).containsExactly(c.shape());
      assertThat(f[2].equals("1")).as(c.name()).isEqualTo(c.fortran());
      assertThat(new String(HexFormat.of().parseHex(f[3]), UTF_8))
          .as(c.name())
          .isEqualTo(c.descr());
      assertThat(Long.parseLong(f[4])).as(c.name()).isEqualTo(c.file().length);
    }
    for (Rejected c : rejected) {
      String[] f = lines[n++].split("\t");
      // Where numpy's header reader lets a file through, numpy fails later (np.load cannot build
      // the
      // array or refuses to unpickle); we fail at the header, earlier and with a clearer message.
      assertThat(f[0]).as("numpy on " + c.name()).isEqualTo(c.numpyRejects() ? "err" : "ok");
    }
  }

  @Test
  void localFilesAreNamedByTheirPath() throws IOException {
    Path file = tmp.resolve("not-numpy.npy");
    Files.write(file, "PK\3\4 this is a zip".getBytes(ISO_8859_1));
    Throwable t = catchThrowable(() -> EncodedHeader.read(new LocalInputFile(file)));
    assertThat(t)
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("not a .npy file");
  }

  // ---------------------------------------------------------------------------------------------
  // Header size limits

  @Test
  void headerSizeLimitIsConfigurable() throws IOException {
    List<RecordDType.Field> fields = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      fields.add(
          RecordDType.Field.of(
              String.format(java.util.Locale.ROOT, "field_%03d_", i) + "x".repeat(40),
              ScalarDType.UINT8));
    }
    NpyHeader header = NpyHeader.of(RecordDType.packed(fields), false, 3);
    byte[] file = concat(header.encode(), new byte[400 * 3]);
    long textLength = header.encode().length - 10;
    assertThat(textLength).isBetween(20_000L, 65_535L);

    Throwable t =
        catchThrowable(() -> EncodedHeader.read(new ByteArrayInputFile(file, LOC), 10_000));
    assertThat(t)
        .isInstanceOf(NpyFormatException.class)
        .hasMessageStartingWith("Cannot read " + LOC + ": ")
        .hasMessageContaining(
            "header is " + textLength + " bytes, more than the limit of 10000 bytes")
        .hasMessageContaining("raise the maximum header size");
    assertThat(EncodedHeader.read(new ByteArrayInputFile(file, LOC), 100_000).header())
        .isEqualTo(header);
    assertThat(EncodedHeader.read(new ByteArrayInputFile(file, LOC), (int) textLength).header())
        .isEqualTo(header);
    assertThat(EncodedHeader.read(new ByteArrayInputFile(file, LOC)).header()).isEqualTo(header);
    assertThat(
            catchThrowable(
                () -> EncodedHeader.read(new ByteArrayInputFile(file, LOC), (int) textLength - 1)))
        .isInstanceOf(NpyFormatException.class);
  }

  @Test
  void fourGibHeaderLengthFailsFastWithoutReadingOrAllocating() {
    byte[] prefix = npy(2, V1_DICT);
    ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0xffffffff);
    // The file claims to be huge too, so only the header limit can stop the read.
    CountingFile file = new CountingFile(prefix, 1L << 40);
    for (int max : new int[] {EncodedHeader.DEFAULT_MAX_HEADER_BYTES, Integer.MAX_VALUE}) {
      Throwable t = catchThrowable(() -> EncodedHeader.read(file, max));
      assertThat(t)
          .isInstanceOf(NpyFormatException.class)
          .hasMessageContaining(LOC)
          .hasMessageContaining("header is 4294967295 bytes, more than the limit of " + max);
    }
    // One first read of at most 4 KiB per attempt, nothing more.
    assertThat(file.bytesRead.get())
        .as("bytes read for two attempts")
        .isLessThanOrEqualTo(2L * 4096);
  }

  @Test
  void headerLengthBeyondAHugeLimitStillChecksTheFileLength() {
    byte[] prefix = npy(2, V1_DICT);
    ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2_000_000_000);
    CountingFile file = new CountingFile(prefix, prefix.length);
    Throwable t = catchThrowable(() -> EncodedHeader.read(file, Integer.MAX_VALUE));
    assertThat(t)
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(LOC)
        .hasMessageContaining(
            "header says it is 2000000000 bytes long but the file ends at " + prefix.length);
  }

  /**
   * A virtual file of {@code length} bytes, {@code bytes} followed by zeros; counts what is read.
   */
  static final class CountingFile implements InputFile {
    final byte[] bytes;
    final long length;
    final AtomicLong bytesRead = new AtomicLong();

    CountingFile(byte[] bytes, long length) {
      this.bytes = bytes;
      this.length = length;
    }

    @Override
    public long getLength() {
      return length;
    }

    @Override
    public SeekableInputStream newStream() {
      return new SeekableInputStream() {
        long pos;

        @Override
        public long getPos() {
          return pos;
        }

        @Override
        public void seek(long newPos) {
          pos = newPos;
        }

        @Override
        public int read(ByteBuffer buf) {
          if (pos >= length) {
            return buf.hasRemaining() ? -1 : 0;
          }
          int n = (int) Math.min(buf.remaining(), length - pos);
          for (int i = 0; i < n; i++, pos++) {
            buf.put(pos < bytes.length ? bytes[(int) pos] : 0);
          }
          bytesRead.addAndGet(n);
          return n;
        }
      };
    }

    @Override
    public String location() {
      return LOC;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // DType.parse on its own

  @Test
  void dtypeParseRejectsMalformedDescrsWithoutOverflowingTheStack() {
    Throwable deep = catchThrowable(() -> DType.parse("(".repeat(10_000)));
    assertThat(deep)
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("more than 200 nested brackets")
        .hasMessageContaining("(10000 characters)");
    assertThat(deep.getMessage().length()).isLessThan(500);
    assertThat(catchThrowable(() -> DType.parse("[('a', '<i4'), ('a', '<i4')]")))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("'a' is used twice");
    assertThat(catchThrowable(() -> DType.parse("'|O'")))
        .isInstanceOf(NpyUnsupportedDtypeException.class);
    assertThat(catchThrowable(() -> DType.of("object")))
        .isInstanceOf(NpyUnsupportedDtypeException.class);
    assertThat(catchThrowable(() -> DType.parse("'<f8' junk")))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("Cannot parse dtype descr '<f8' junk")
        .hasMessageContaining("unexpected text after the literal");
    assertThat(catchThrowable(() -> DType.of("<M8[0s]")))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("must be positive");
    // Python 2 'L' ints belong to 1.0/2.0 headers only, not to a descr on its own.
    assertThat(catchThrowable(() -> DType.parse("[('a', '<f4', (2L,))]")))
        .isInstanceOf(NpyFormatException.class);
  }

  @Test
  void inPlaceEncodingRefusesWhatCannotFit() {
    NpyHeader h = NpyHeader.of(ScalarDType.FLOAT64, false, 5, 3);
    int natural = h.encode().length;
    assertThat(h.encode(NpyVersion.V1_0, natural)).isEqualTo(h.encode());
    int minimum = 10 + h.dictText().length() + 1;
    assertThat(h.encode(NpyVersion.V1_0, minimum)).hasSize(minimum).endsWith((byte) '\n');
    assertThat(catchThrowable(() -> h.encode(NpyVersion.V1_0, minimum - 1)))
        .isInstanceOf(NpyNotAppendableException.class)
        .hasMessageContaining("into " + (minimum - 1) + " bytes: it needs " + minimum);
    // 1.0's length field holds at most 65535.
    assertThat(h.encode(NpyVersion.V1_0, 10 + 65_535)).hasSize(10 + 65_535);
    assertThat(catchThrowable(() -> h.encode(NpyVersion.V1_0, 10 + 65_536)))
        .isInstanceOf(NpyNotAppendableException.class)
        .hasMessageContaining("in format 1.0: the most is 65545");
    // 2.0 could say 4 GiB, but a Java array cannot hold it: refuse instead of overflowing the int.
    assertThat(catchThrowable(() -> h.encode(NpyVersion.V2_0, 3L << 30)))
        .isInstanceOf(NpyNotAppendableException.class)
        .hasMessageContaining("header of 3221225472 bytes in format 2.0");
    NpyHeader cjk =
        NpyHeader.of(
            RecordDType.packed(List.of(RecordDType.Field.of("\u540d", ScalarDType.INT8))),
            false,
            2);
    assertThat(catchThrowable(() -> cjk.encode(NpyVersion.V1_0, 128)))
        .isInstanceOf(NpyNotAppendableException.class)
        .hasMessageContaining("needs format 3.0");
    assertThat(new String(cjk.encode(NpyVersion.V3_0, 128), 12, 116, UTF_8))
        .startsWith(cjk.dictText())
        .endsWith(" \n");
  }

  @Test
  void dtypeOfAcceptsNumpyNamesAndCodes() {
    assertThat(DType.of("float64"))
        .isEqualTo(DType.of("<f8"))
        .isEqualTo(DType.of("d"))
        .isEqualTo(ScalarDType.FLOAT64);
    assertThat(DType.of(">i1")).isEqualTo(ScalarDType.INT8);
    assertThat(DType.of("?").typestr()).isEqualTo("|b1");
    assertThat(DType.of("datetime64[ns]").typestr()).isEqualTo("<M8[ns]");
    assertThat(DType.of("M8[1s]").typestr()).isEqualTo("<M8[s]");
    assertThat(DType.of("m8[25s]").datetimeUnitCount()).isEqualTo(25);
    assertThat(DType.of("<U5").itemSize()).isEqualTo(20);
    assertThat(DType.of("U5").width()).isEqualTo(5);
  }
}
