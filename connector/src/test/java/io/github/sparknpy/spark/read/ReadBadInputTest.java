package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.error.NpyUnsupportedDtypeException;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Encoders;
import org.junit.jupiter.api.Test;

/** Bad files and bad options: typed errors that name the file or option and say what to do. */
class ReadBadInputTest extends NpyReadTestBase {

  private static void truncate(Path file, long bytes) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(f.length() - bytes);
    }
  }

  @Test
  void truncatedFileSuggestsRecoverAndCanBeSkipped() throws Exception {
    Path dir = newDir("trunc");
    numpy(
        "np.save(sys.argv[1] + '/a.npy', np.arange(10.0))\n"
            + "np.save(sys.argv[1] + '/b.npy', np.arange(10.0))",
        dir);
    truncate(dir.resolve("b.npy"), 12);
    assertThatThrownBy(() -> spark().read().format("npy").load(dir.toString()))
        .isInstanceOf(NpyNeedsRecoveryException.class)
        .hasMessageContaining("b.npy")
        .hasMessageContaining("80 bytes of data")
        .hasMessageContaining("only 68 bytes")
        .hasMessageContaining("npy recover");
    assertThat(
            spark()
                .read()
                .format("npy")
                .option("ignoreCorruptFiles", "true")
                .load(dir.toString())
                .as(Encoders.DOUBLE())
                .collectAsList())
        .hasSize(10);
    withSQLConf(
        Map.of("spark.sql.files.ignoreCorruptFiles", "true"),
        () -> assertThat(spark().read().format("npy").load(dir.toString()).count()).isEqualTo(10));
  }

  @Test
  void bytesBeyondTheHeaderAreNotReadAsNumpyIgnoresThem() throws Exception {
    Path file = tmp.resolve("uncounted.npy");
    numpy("np.save(sys.argv[1], np.arange(4.0))", file);
    // Two more rows and half of a third, as an appender with deferred headers leaves them.
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(f.length());
      f.write(new byte[20]);
    }

    assertThat(
            spark()
                .read()
                .format("npy")
                .load(file.toString())
                .as(Encoders.DOUBLE())
                .collectAsList())
        .containsExactly(0.0, 1.0, 2.0, 3.0);
    assertThat(numpy("print(np.load(sys.argv[1], mmap_mode='r').shape)", file).trim())
        .isEqualTo("(4,)");
  }

  @Test
  void fileCutAfterPlanningFailsAtReadTimeWithRecoverHint() throws Exception {
    Path file = newDir("cut").resolve("x.npy");
    numpy("np.save(sys.argv[1], np.arange(100000.0))", file);
    var df = spark().read().format("npy").load(file.toString());
    assertThat(df.count()).isEqualTo(100000);
    // The scan is planned (headers checked) before the file is cut; the executor then finds less.
    var plan = df.queryExecution().executedPlan();
    var skipping =
        spark()
            .read()
            .format("npy")
            .option("ignoreCorruptFiles", "true")
            .option("batchSize", "1000")
            .load(file.toString())
            .queryExecution()
            .executedPlan();
    truncate(file, 400_000);
    assertThatThrownBy(() -> plan.executeCollect())
        .hasStackTraceContaining("NpyNeedsRecoveryException")
        .hasStackTraceContaining("npy recover");
    // With ignoreCorruptFiles the rows before the cut come back, the rest is skipped.
    assertThat(skipping.executeCollect()).hasSize(50_000);
  }

  @Test
  void fileDeletedAfterPlanningIsSkippedOnlyWithIgnoreMissingFiles() throws Exception {
    Path dir = newDir("gone");
    numpy(
        "np.save(sys.argv[1] + '/a.npy', np.arange(3.0))\n"
            + "np.save(sys.argv[1] + '/b.npy', np.arange(4.0))",
        dir);
    var strict = spark().read().format("npy").load(dir.toString()).queryExecution().executedPlan();
    var lenient =
        spark()
            .read()
            .format("npy")
            .option("ignoreMissingFiles", "true")
            .load(dir.toString())
            .queryExecution()
            .executedPlan();
    Files.delete(dir.resolve("b.npy"));
    assertThatThrownBy(strict::executeCollect).hasStackTraceContaining("b.npy");
    assertThat(lenient.executeCollect()).hasSize(3);
  }

  @Test
  void wrongMagicObjectAndUnsupportedDtypesNameTheFile() throws Exception {
    Path dir = newDir("bad");
    Files.write(
        dir.resolve("junk.npy"),
        "PK this is not numpy at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    numpy(
        "d = sys.argv[1]\n"
            + "np.save(d + '/obj.npy', np.array([{'a': 1}, None], dtype=object), allow_pickle=True)\n"
            + "np.save(d + '/ld.npy', np.zeros(3, np.longdouble))\n"
            + "np.save(d + '/ps.npy', np.zeros(3, 'M8[ps]'))\n"
            + "np.save(d + '/mw.npy', np.zeros(3, 'm8[Y]'))\n",
        dir);
    assertThatThrownBy(() -> spark().read().format("npy").load(dir.resolve("junk.npy").toString()))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("junk.npy")
        .hasMessageContaining("magic");
    assertThatThrownBy(() -> spark().read().format("npy").load(dir.resolve("obj.npy").toString()))
        .isInstanceOf(NpyUnsupportedDtypeException.class)
        .hasMessageContaining("obj.npy");
    assertThatThrownBy(() -> spark().read().format("npy").load(dir.resolve("ld.npy").toString()))
        .isInstanceOf(NpyUnsupportedDtypeException.class)
        .hasMessageContaining("ld.npy")
        .hasMessageContaining("dtype <f16 (long double)")
        .hasMessageContaining("astype");
    assertThatThrownBy(() -> spark().read().format("npy").load(dir.resolve("ps.npy").toString()))
        .isInstanceOf(NpyUnsupportedDtypeException.class)
        .hasMessageContaining("ps.npy")
        .hasMessageContaining("<M8[ps]");
    assertThatThrownBy(() -> spark().read().format("npy").load(dir.resolve("mw.npy").toString()))
        .isInstanceOf(NpyUnsupportedDtypeException.class)
        .hasMessageContaining("<m8[Y]");
    // With ignoreCorruptFiles the unreadable files are skipped; nothing is left here.
    assertThatThrownBy(
            () ->
                spark()
                    .read()
                    .format("npy")
                    .option("ignoreCorruptFiles", "true")
                    .load(dir.toString())
                    .collect())
        .isInstanceOf(NpyPathException.class)
        .hasMessageContaining("no .npy or .npz file found");
  }

  @Test
  void rowsOverOneGibibyteAreRefusedWithAHint() throws Exception {
    // Only the header matters: a (2, 2**28) float64 array has 2 GiB rows; the data is never read.
    Path file = newDir("wide").resolve("w.npy");
    numpy(
        "h = np.lib.format.header_data_from_array_1_0(np.zeros((2, 3)))\n"
            + "h['shape'] = (2, 2**28)\n"
            + "with open(sys.argv[1], 'wb') as f:\n"
            + "    np.lib.format.write_array_header_1_0(f, h)\n"
            + "    f.truncate(f.tell() + 2 * 2**28 * 8)\n",
        file);
    assertThatThrownBy(() -> spark().read().format("npy").load(file.toString()))
        .isInstanceOf(io.github.sparknpy.npy.error.NpyException.class)
        .hasMessageContaining("w.npy")
        .hasMessageContaining("2147483648 bytes")
        .hasMessageContaining("rowAxis");
    assertThat(
            spark()
                .read()
                .format("npy")
                .option("rowAxis", "last")
                .load(file.toString())
                .where("_row_index = 5")
                .first()
                .getList(0))
        .containsExactly(0.0, 0.0);
  }

  @Test
  void missingPathsAndEmptyDirectories() throws Exception {
    Path missing = tmp.resolve("nothing-here.npy");
    assertThatThrownBy(() -> spark().read().format("npy").load(missing.toString()))
        .isInstanceOf(AnalysisException.class)
        .hasMessageStartingWith("[PATH_NOT_FOUND] Path does not exist: file:" + missing);
    // SQL loads a path as a possible write target: the scan fails with the same error
    assertThatThrownBy(() -> sql("SELECT * FROM npy.`%s`", missing).collect())
        .isInstanceOf(AnalysisException.class)
        .hasMessageStartingWith("[PATH_NOT_FOUND] Path does not exist: file:" + missing);
    Path empty = newDir("empty");
    assertThatThrownBy(() -> spark().read().format("npy").load(empty.toString()))
        .isInstanceOf(NpyPathException.class)
        .hasMessageStartingWith("[UNABLE_TO_INFER_SCHEMA]")
        .hasMessageContaining(empty.toString())
        .hasMessageContaining("recursiveFileLookup");
    Path one = empty.resolve("one.npy");
    numpy("np.save(sys.argv[1], np.zeros(2))", one);
    assertThatThrownBy(
            () -> spark().read().format("npy").load(one.toString(), missing.toString()).collect())
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("Path does not exist: file:" + missing);
  }

  @Test
  void malformedOptionValuesListTheValidOnes() throws Exception {
    Path file = newDir("opts").resolve("x.npy");
    numpy("np.save(sys.argv[1], np.zeros((2, 3, 4)))", file);
    String p = file.toString();
    assertThatThrownBy(() -> spark().read().format("npy").option("layout", "wide").load(p))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage("Invalid value 'wide' for option 'layout': use one of auto, matrix, vector");
    assertThatThrownBy(() -> spark().read().format("npy").option("ROWAXIS", "middle").load(p))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("'middle'")
        .hasMessageContaining("use one of first, last");
    assertThatThrownBy(
            () -> spark().read().format("npy").option("batchSize", "0").load(p).collect())
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("'batchSize': use a positive integer");
    assertThatThrownBy(
            () ->
                spark().read().format("npy").option("maxPartitionBytes", "lots").load(p).collect())
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("128m");
    assertThatThrownBy(
            () -> spark().read().format("npy").option("ignoreCorruptFiles", "maybe").load(p))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("use true or false");
    assertThatThrownBy(() -> spark().read().format("npy").option("layout", "matrix").load(p))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("x.npy")
        .hasMessageContaining("needs a 2-D array")
        .hasMessageContaining("[2, 3, 4]");
    assertThatThrownBy(() -> spark().read().format("npy").option("member", "X").load(p))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("member")
        .hasMessageContaining(".npz");
  }

  @Test
  void optionsGivenPerReadOverrideTableOptionsWhateverTheirCase() throws Exception {
    Path file = newDir("opt-case").resolve("wide.npy");
    numpy("np.save(sys.argv[1], np.zeros(2, [('f%03d' % i, '<i4') for i in range(100)]))", file);
    sql(
        "CREATE TABLE wide_hdr USING npy OPTIONS (path '%s', maxHeaderBytes '65536')",
        file.toString());
    try {
      assertThat(spark().table("wide_hdr").count()).isEqualTo(2);
      assertThatThrownBy(
              () -> spark().read().option("MAXHEADERBYTES", "1000").table("wide_hdr").collect())
          .isInstanceOf(NpyFormatException.class)
          .hasMessageContaining("more than the limit of 1000 bytes");
    } finally {
      sql("DROP TABLE wide_hdr");
    }
  }

  private static final String NPZ_HELPERS =
      "import io, zipfile, warnings\n"
          + "warnings.simplefilter('ignore')\n"
          + "def npy(a):\n"
          + "    b = io.BytesIO(); np.save(b, a); return b.getvalue()\n";

  @Test
  void duplicateNpzMemberNamesAreATypedErrorNamingArchiveAndMember() throws Exception {
    Path file = tmp.resolve("twice.npz");
    String numpySees =
        numpy(
            NPZ_HELPERS
                + "with zipfile.ZipFile(sys.argv[1], 'w') as z:\n"
                + "    z.writestr('x.npy', npy(np.arange(3.0)))\n"
                + "    z.writestr('x.npy', npy(np.arange(5.0)))\n"
                + "print(len(np.load(sys.argv[1])['x']))",
            file);
    assertThat(numpySees.trim()).isEqualTo("5"); // numpy silently takes one of the two

    assertThatThrownBy(() -> spark().read().format("npy").load(file.toString()))
        .isExactlyInstanceOf(NpyFormatException.class)
        .hasMessageContaining("Cannot read file:" + file)
        .hasMessageContaining("two members named x.npy (zip entries 0 and 1)")
        .hasMessageContaining("column x")
        .hasMessageContaining("Write the archive again with unique member names");
  }

  @Test
  void aShortNpzMemberSaysTheArchiveIsDamagedWithoutARecoverHint() throws Exception {
    Path file = tmp.resolve("liar.npz");
    String numpySees =
        numpy(
            NPZ_HELPERS
                + "with zipfile.ZipFile(sys.argv[1], 'w') as z:\n"
                + "    z.writestr('X.npy', npy(np.arange(10.0))[:-16])\n"
                + "try:\n"
                + "    np.load(sys.argv[1])['X']; print('loaded')\n"
                + "except Exception as e:\n"
                + "    print(type(e).__name__)",
            file);
    assertThat(numpySees.trim()).isNotEqualTo("loaded");

    assertThatThrownBy(() -> spark().read().format("npy").load(file.toString()))
        .isExactlyInstanceOf(NpyFormatException.class)
        .hasMessageContaining("Cannot read file:" + file + "[X.npy]")
        .hasMessageContaining("(80 bytes of data) but the member holds only 64 bytes")
        .hasMessageContaining("The archive is damaged or truncated: write it again")
        .hasMessageContaining("ignoreCorruptFiles")
        .hasMessageNotContaining("npy recover");
  }
}
