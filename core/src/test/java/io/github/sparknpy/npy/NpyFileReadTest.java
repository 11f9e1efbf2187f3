package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.io.ByteArrayInputFile;
import io.github.sparknpy.npy.io.InputFile;
import io.github.sparknpy.npy.io.LocalInputFile;
import io.github.sparknpy.npy.io.SeekableInputStream;
import io.github.sparknpy.npy.testing.Numpy;
import java.io.EOFException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Element access and row views over files written by numpy, mapped and through positioned reads.
 */
class NpyFileReadTest {
  @TempDir static Path dir;

  @BeforeAll
  static void makeFiles() {
    Numpy.run(
        "d = sys.argv[1]\n"
            + "np.save(d + '/f8.npy', np.array([[1.5, -2.25, 3.0], [np.inf, np.nan, -0.0]]))\n"
            + "np.save(d + '/f8be.npy', np.array([1.5, 2.5], dtype='>f8'))\n"
            + "np.save(d + '/i.npy', np.array([[1, -2], [3, -4]], dtype='>i2'))\n"
            + "np.save(d + '/u8.npy', np.array([2**64 - 1, 7], dtype='<u8'))\n"
            + "np.save(d + '/f2.npy', np.array([0.5, -65504, 6e-8], dtype='<f2'))\n"
            + "np.save(d + '/f16.npy', np.array([np.longdouble(1) / 3, -2.5], dtype=np.longdouble))\n"
            + "np.save(d + '/c16.npy', np.array([1+2j, -3.5j], dtype='>c16'))\n"
            + "np.save(d + '/b.npy', np.array([True, False]))\n"
            + "np.save(d + '/s.npy', np.array([b'ab', b'a\\x00b', b''], dtype='S4'))\n"
            + "np.save(d + '/u.npy', np.array(['h\u00e9llo', '\u540d', ''], dtype='>U5'))\n"
            + "np.save(d + '/v.npy', np.array([b'\\x01\\x00\\x02'], dtype='V3'))\n"
            + "np.save(d + '/m8.npy', np.array(['2024-02-29T12:34:56.123456789', 'NaT'], dtype='M8[ns]'))\n"
            + "np.save(d + '/m8d.npy', np.array(['1969-12-31', '2000-01-01'], dtype='M8[D]'))\n"
            + "np.save(d + '/m8y.npy', np.array(['2001', '1900'], dtype='M8[Y]'))\n"
            + "np.save(d + '/m8mo.npy', np.array(['2001-03'], dtype='M8[M]'))\n"
            + "np.save(d + '/td.npy', np.array([90, -1, 'NaT'], dtype='m8[s]'))\n"
            + "np.save(d + '/m8_25s.npy', np.array([2], dtype='M8[25s]'))\n"
            + "np.save(d + '/fort.npy', np.asfortranarray(np.arange(6).reshape(2, 3)))\n"
            + "np.save(d + '/scalar.npy', np.float32(7.25))\n"
            + "dt = np.dtype([('a', 'i1'), ('p', [('x', '<f4'), ('y', '>i4')]), ('arr', '<i2', (2, 2)), ('s', 'U2')], align=True)\n"
            + "np.save(d + '/rec.npy', np.array([(1, (2.5, -3), [[1, 2], [3, 4]], 'xy')], dtype=dt))\n",
        dir);
  }

  private static NpyElement get(String name, long... index) throws Exception {
    try (NpyFile f = NpyFile.open(dir.resolve(name))) {
      return f.get(index);
    }
  }

  @Test
  void readsNumbersOfEveryWidthAndByteOrder() throws Exception {
    assertThat(get("f8.npy", 0, 1).getDouble()).isEqualTo(-2.25);
    assertThat(get("f8.npy", 1, 0).getDouble()).isInfinite();
    assertThat(get("f8.npy", 1, 1).getDouble()).isNaN();
    assertThat(get("f8be.npy", 1).getDouble()).isEqualTo(2.5);
    assertThat(get("i.npy", 1, 1).getLong()).isEqualTo(-4);
    assertThat(get("i.npy", 1, 1).toObject()).isEqualTo((short) -4);
    assertThat(get("u8.npy", 0).getBigInteger())
        .isEqualTo(BigInteger.TWO.pow(64).subtract(BigInteger.ONE));
    assertThat(get("u8.npy", 0).getDouble()).isEqualTo(1.8446744073709552E19);
    assertThat(get("f2.npy", 0).getFloat()).isEqualTo(0.5f);
    assertThat(get("f2.npy", 1).getFloat()).isEqualTo(-65504f);
    assertThat(get("f2.npy", 2).getDouble()).isEqualTo(5.960464477539063E-8);
    assertThat(get("f16.npy", 0).getDouble()).isEqualTo(1.0 / 3);
    assertThat(get("f16.npy", 0).getBigDecimal().toString()).startsWith("0.33333333333333333334");
    assertThat(get("f16.npy", 1).getDouble()).isEqualTo(-2.5);
    assertThat(get("c16.npy", 0).getComplex()).containsExactly(1, 2);
    assertThat(get("c16.npy", 1).getComplex()).containsExactly(-0.0, -3.5);
    assertThat(get("b.npy", 0).getBoolean()).isTrue();
    assertThat(get("b.npy", 1).toObject()).isEqualTo(false);
  }

  @Test
  void readsTextBytesAndDatetimesAsNumpyShowsThem() throws Exception {
    assertThat(get("s.npy", 0).getBytes()).containsExactly('a', 'b');
    assertThat(get("s.npy", 1).getBytes()).containsExactly('a', 0, 'b');
    assertThat(get("s.npy", 2).getBytes()).isEmpty();
    assertThat(get("u.npy", 0).getString()).isEqualTo("h\u00e9llo");
    assertThat(get("u.npy", 1).getString()).isEqualTo("\u540d");
    assertThat(get("u.npy", 2).getString()).isEmpty();
    assertThat(get("v.npy", 0).getBytes()).containsExactly(1, 0, 2);
    assertThat(get("m8.npy", 0).getDateTime())
        .isEqualTo(LocalDateTime.of(2024, 2, 29, 12, 34, 56, 123_456_789));
    assertThat(get("m8.npy", 1).isNaT()).isTrue();
    assertThat(get("m8.npy", 1).getDateTime()).isNull();
    assertThat(get("m8d.npy", 0).getDate()).isEqualTo(LocalDate.of(1969, 12, 31));
    assertThat(get("m8y.npy", 1).getDate()).isEqualTo(LocalDate.of(1900, 1, 1));
    assertThat(get("m8mo.npy", 0).getDate()).isEqualTo(LocalDate.of(2001, 3, 1));
    assertThat(get("td.npy", 0).getDuration()).isEqualTo(Duration.ofSeconds(90));
    assertThat(get("td.npy", 1).getDuration()).isEqualTo(Duration.ofSeconds(-1));
    assertThat(get("td.npy", 2).getDuration()).isNull();
    assertThat(get("m8_25s.npy", 0).getDateTime())
        .isEqualTo(LocalDateTime.of(1970, 1, 1, 0, 0, 50));
  }

  @Test
  void readsRecordFieldsNestedRecordsAndSubArrays() throws Exception {
    NpyElement row = get("rec.npy", 0);
    assertThat(row.field("a").getLong()).isEqualTo(1);
    assertThat(row.field("p").field("x").getFloat()).isEqualTo(2.5f);
    assertThat(row.field("p").field("y").getLong()).isEqualTo(-3);
    assertThat(row.field("arr").shape()).containsExactly(2, 2);
    assertThat(row.field("arr").at(1, 0).getLong()).isEqualTo(3);
    assertThat(row.field("s").getString()).isEqualTo("xy");
    @SuppressWarnings("unchecked")
    Map<String, Object> obj = (Map<String, Object>) row.toObject();
    assertThat(obj.keySet()).containsExactly("a", "p", "arr", "s");
    assertThat(obj.get("arr"))
        .isEqualTo(List.of(List.of((short) 1, (short) 2), List.of((short) 3, (short) 4)));
    assertThat(row.toString())
        .isEqualTo(Numpy.run("print(np.load(sys.argv[1])[0])", dir.resolve("rec.npy")).strip());
    assertThatThrownBy(() -> row.field("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'nope'")
        .hasMessageContaining("[a, p, arr, s]");
  }

  @Test
  void elementsPrintAsNumpyPrintsStructuredValues() throws Exception {
    Path file = dir.resolve("mixed.npy");
    String printed =
        Numpy.run(
            "dt = [('d', 'M8[D]'), ('s', 'M8[ms]'), ('n', 'M8[ns]'), ('t', 'm8[s]'), ('c', 'c16'), ('h', 'f2'), ('f', 'f4'), ('g', 'f8'),"
                + " ('b', 'S3'), ('u', 'U4'), ('q', '?'), ('y', 'M8[Y]'), ('w', 'u8')]\n"
                + "a = np.array([('2020-01-02', '1969-12-31T23:59:59.5', 'NaT', 5, 1+2j, 0.1, 3.0, 1e20, b'ab', 'h\u00e9', True, '2001', 2**64 - 1),"
                + " ('NaT', '2000-01-01', '2024-02-29T01:02:03.000000004', -1, -0.5j, -65504, 1.5e-7, -2.5, b'', '', False, 'NaT', 0)], dtype=dt)\n"
                + "np.save(sys.argv[1], a)\n"
                + "for r in a: print(r)",
            file);
    String[] lines = printed.strip().split("\n");
    try (NpyFile f = NpyFile.open(file)) {
      for (int i = 0; i < lines.length; i++) {
        assertThat(f.get(i).toString()).isEqualTo(lines[i]);
      }
    }
  }

  @Test
  void indexesFortranOrderAndZeroDimensionalArrays() throws Exception {
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        assertThat(get("fort.npy", i, j).getLong()).isEqualTo(i * 3 + j);
      }
    }
    assertThat(get("scalar.npy").getFloat()).isEqualTo(7.25f);
    try (NpyFile f = NpyFile.open(dir.resolve("fort.npy"))) {
      // Rows along the growth axis (the last one in Fortran order) are the columns.
      assertThat(f.rowCount()).isEqualTo(3);
      assertThat(f.rows(1, 1).asLongBuffer().get(1)).isEqualTo(4);
      assertThatThrownBy(() -> f.get(2, 0))
          .isInstanceOf(IndexOutOfBoundsException.class)
          .hasMessageContaining("axis 0 with size 2");
    }
  }

  @Test
  void rowViewsAreTypedAndTheSameMappedOrRanged() throws Exception {
    Path f8 = dir.resolve("f8.npy");
    InputFile ranged = new ShortReadInputFile(Files.readAllBytes(f8), f8.toString());
    try (NpyFile mapped = NpyFile.open(f8);
        NpyFile streamed = NpyFile.open(ranged)) {
      DoubleBuffer a = mapped.rows(1, 1).asDoubleBuffer();
      DoubleBuffer b = streamed.rows(1, 1).asDoubleBuffer();
      assertThat(a.get(0)).isInfinite();
      assertThat(b.get(0)).isInfinite();
      assertThat(mapped.rows(0, 2)).isEqualTo(streamed.rows(0, 2));
      ByteBuffer dst = ByteBuffer.allocate(24);
      streamed.readRows(1, dst);
      assertThat(dst.flip()).isEqualTo(mapped.rows(1, 1));
      assertThatThrownBy(() -> mapped.rows(1, 2))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("it has 2 rows");
      assertThat(new java.math.BigDecimal(Double.toString(streamed.get(0, 0).getDouble())))
          .isEqualByComparingTo("1.5");
    }
    Path be = dir.resolve("f8be.npy");
    try (NpyFile f = NpyFile.open(be)) {
      assertThat(f.rows(0, 2).asDoubleBuffer().get(1)).isEqualTo(2.5);
    }
  }

  @Test
  void truncatedDataFailsWithAHintToRecover() throws Exception {
    Path cut = dir.resolve("cut.npy");
    byte[] full = Files.readAllBytes(dir.resolve("f8.npy"));
    Files.write(cut, java.util.Arrays.copyOf(full, full.length - 10));
    try (NpyFile f = NpyFile.open(cut)) {
      assertThat(f.needsRecovery()).isTrue();
      assertThat(f.rows(0, 1).asDoubleBuffer().get(0)).isEqualTo(1.5);
      assertThatThrownBy(() -> f.rows(0, 2))
          .isInstanceOf(NpyNeedsRecoveryException.class)
          .hasMessageContaining(cut.toString())
          .hasMessageContaining("npy recover");
      assertThatThrownBy(() -> f.get(1, 2))
          .isInstanceOf(NpyNeedsRecoveryException.class)
          .hasMessageContaining("truncated");
    }
    try (NpyFile f =
        NpyFile.open(new ShortReadInputFile(Files.readAllBytes(cut), "mem://cut.npy"))) {
      assertThatThrownBy(() -> f.rows(0, 2))
          .isInstanceOf(NpyNeedsRecoveryException.class)
          .hasMessageContaining("mem://cut.npy");
    }
  }

  @Test
  void rangedReadsLoopOverShortReadsAndReportMissingBytes() throws Exception {
    ShortReadInputFile file = new ShortReadInputFile(new byte[] {1, 2, 3, 4, 5}, "mem://five");
    try (SeekableInputStream in = file.newStream()) {
      ByteBuffer four = ByteBuffer.allocate(4);
      in.readFully(1, four);
      assertThat(four.array()).containsExactly(2, 3, 4, 5);
      assertThatThrownBy(() -> in.readFully(2, ByteBuffer.allocate(5)))
          .isInstanceOf(EOFException.class)
          .hasMessageContaining("2 bytes left");
    }
  }

  @Test
  void closedFilesRefuseReadsAndCloseIsIdempotent() throws Exception {
    NpyFile f = NpyFile.open(new LocalInputFile(dir.resolve("b.npy")));
    f.close();
    f.close();
    assertThatThrownBy(() -> f.rows(0, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  /**
   * Serves at most 3 bytes per read, like a slow network stream (Parquet's MockInputStream idea).
   */
  static final class ShortReadInputFile implements InputFile {
    private final ByteArrayInputFile delegate;

    ShortReadInputFile(byte[] bytes, String location) {
      this.delegate = new ByteArrayInputFile(bytes, location);
    }

    @Override
    public long getLength() {
      return delegate.getLength();
    }

    @Override
    public SeekableInputStream newStream() {
      SeekableInputStream in = delegate.newStream();
      return new SeekableInputStream() {
        @Override
        public long getPos() throws java.io.IOException {
          return in.getPos();
        }

        @Override
        public void seek(long newPos) throws java.io.IOException {
          in.seek(newPos);
        }

        @Override
        public int read(ByteBuffer buf) throws java.io.IOException {
          ByteBuffer small = buf.slice();
          small.limit(Math.min(3, small.remaining()));
          int n = in.read(small);
          if (n > 0) {
            buf.position(buf.position() + n);
          }
          return n;
        }
      };
    }

    @Override
    public String location() {
      return delegate.location();
    }
  }
}
