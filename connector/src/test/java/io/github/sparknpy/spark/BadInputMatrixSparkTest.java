package io.github.sparknpy.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.error.NpyUnsupportedDtypeException;
import io.github.sparknpy.npy.testing.DirectorySnapshot;
import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.write.NpySchemaMismatchException;
import io.github.sparknpy.spark.write.NpyUnsupportedTypeException;
import io.github.sparknpy.spark.write.NpyWriteException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;

/**
 * The Spark rows of the bad-input matrix in docs/reliability.md, one test per row: the exception
 * type and message the user sees, and that nothing under the directory was changed (no file edited,
 * created or left behind by staging).
 */
class BadInputMatrixSparkTest extends SparkTestBase {

  private Path numpyFile(String name, String expression) {
    Path file = tmp.resolve(name);
    Numpy.run("np.save(sys.argv[1], " + expression + ")", file);
    return file;
  }

  private static Dataset<Row> read(Path path, String... options) {
    var r = spark().read().format("npy");
    for (int i = 0; i < options.length; i += 2) {
      r = r.option(options[i], options[i + 1]);
    }
    return r.load(path.toString());
  }

  private static void write(Dataset<Row> df, SaveMode mode, Path out, String... options) {
    var w = df.write().format("npy").mode(mode);
    for (int i = 0; i < options.length; i += 2) {
      w = w.option(options[i], options[i + 1]);
    }
    w.save(out.toString());
  }

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }

  private static Dataset<Row> doubles(long from, long to) {
    return sql("SELECT CAST(id AS DOUBLE) AS x FROM range(%d, %d, 1, 2)", from, to);
  }

  private static String load(Path file) {
    return Numpy.run("print(np.load(sys.argv[1]).tolist())", file).trim();
  }

  @Test
  void readTruncatedFile() throws IOException {
    Path file = numpyFile("cut.npy", "np.arange(10.0)");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 12));
    DirectorySnapshot before = DirectorySnapshot.of(tmp);
    assertThatThrownBy(() -> read(file).collect())
        .isInstanceOf(NpyNeedsRecoveryException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("80 bytes of data")
        .hasMessageContaining("npy recover");
    before.assertUnchanged();
  }

  @Test
  void readWrongMagicOrUnknownVersion() throws IOException {
    Path junk = tmp.resolve("junk.npy");
    Files.write(junk, "PK not numpy".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    Path v4 = numpyFile("v4.npy", "np.arange(3.0)");
    byte[] bytes = Files.readAllBytes(v4);
    bytes[6] = 4;
    Files.write(v4, bytes);
    DirectorySnapshot before = DirectorySnapshot.of(tmp);
    assertThatThrownBy(() -> read(junk).collect())
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(junk.toString())
        .hasMessageContaining("instead of the magic string");
    assertThatThrownBy(() -> read(v4).collect())
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(v4.toString())
        .hasMessageContaining("unsupported .npy format version 4.0");
    before.assertUnchanged();
  }

  @Test
  void readHeaderOverMaxHeaderBytes() throws IOException {
    Path file = numpyFile("wide.npy", "np.zeros(2, [('f%03d' % i, '<i4') for i in range(100)])");
    DirectorySnapshot before = DirectorySnapshot.of(tmp);
    assertThatThrownBy(() -> read(file, "maxHeaderBytes", "1000").collect())
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("more than the limit of 1000 bytes");
    assertThat(read(file, "maxHeaderBytes", "65536").count()).isEqualTo(2);
    before.assertUnchanged();
  }

  @Test
  void readObjectDtype() throws IOException {
    Path file = tmp.resolve("obj.npy");
    Numpy.run(
        "np.save(sys.argv[1], np.array([{'a': 1}, None], dtype=object), allow_pickle=True)", file);
    DirectorySnapshot before = DirectorySnapshot.of(tmp);
    assertThatThrownBy(() -> read(file).collect())
        .isInstanceOf(NpyUnsupportedDtypeException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("never unpickles");
    before.assertUnchanged();
  }

  @Test
  void readNegativeOrOverflowingShape() throws IOException {
    Path good = numpyFile("good.npy", "np.zeros(4)");
    String text =
        new String(Files.readAllBytes(good), java.nio.charset.StandardCharsets.ISO_8859_1);
    Path negative = tmp.resolve("negative.npy");
    Files.write(
        negative,
        text.replace("(4,), ", "(-4,),").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    Path overflow = tmp.resolve("overflow.npy");
    Files.write(
        overflow,
        text.replace("'shape': (4,), ", "'shape': (4611686018427387904,),")
            .substring(0, text.length())
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    DirectorySnapshot before = DirectorySnapshot.of(tmp);
    assertThatThrownBy(() -> read(negative).collect())
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(negative.toString())
        .hasMessageContaining("negative or too large dimension");
    assertThatThrownBy(() -> read(overflow).collect())
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(overflow.toString())
        .hasMessageContaining("overflows a 64-bit integer");
    before.assertUnchanged();
  }

  @Test
  void readMismatchedFilesTogether() throws IOException {
    Path dir = newDir("mixed");
    Numpy.run(
        "d = sys.argv[1]\n"
            + "np.save(d + '/a.npy', np.zeros((2, 3)))\n"
            + "np.save(d + '/b.npy', np.zeros((2, 3), 'i8'))\n"
            + "np.save(d + '/c.npy', np.zeros((2, 4)))\n",
        dir);
    DirectorySnapshot before = DirectorySnapshot.of(tmp);
    assertThatThrownBy(
            () ->
                spark()
                    .read()
                    .format("npy")
                    .load(dir.resolve("a.npy").toString(), dir.resolve("b.npy").toString()))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("together: dtypes '<f8' and '<i8' differ")
        .hasMessageContaining("read them separately");
    assertThatThrownBy(
            () ->
                spark()
                    .read()
                    .format("npy")
                    .load(dir.resolve("a.npy").toString(), dir.resolve("c.npy").toString()))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(dir.resolve("c.npy").toString())
        .hasMessageContaining("differ apart from the row axis");
    before.assertUnchanged();
  }

  @Test
  void writeNullsWithoutFill() throws IOException {
    Path out = tmp.resolve("nulls.npy");
    DirectorySnapshot before = DirectorySnapshot.of(tmp);
    assertThatThrownBy(
            () ->
                write(
                    sql("SELECT IF(id = 3, NULL, CAST(id AS DOUBLE)) AS x FROM range(0, 5, 1, 1)"),
                    SaveMode.ErrorIfExists,
                    out))
        .satisfies(
            e ->
                assertThat(rootCause(e))
                    .isInstanceOf(NpyWriteException.class)
                    .hasMessageContaining("column 'x'")
                    .hasMessageContaining("nulls=fill"));
    before.assertUnchanged();
  }

  @Test
  void writeStringsLongerThanTheFixedWidth() throws IOException {
    Path out = tmp.resolve("s.npy");
    DirectorySnapshot before = DirectorySnapshot.of(tmp);
    assertThatThrownBy(
            () ->
                write(
                    sql("SELECT 'abcdef' AS s"), SaveMode.ErrorIfExists, out, "stringLength", "3"))
        .satisfies(
            e ->
                assertThat(rootCause(e))
                    .isInstanceOf(NpyWriteException.class)
                    .hasMessageContaining("column 's'")
                    .hasMessageContaining("stringOverflow=truncate"));
    before.assertUnchanged();
  }

  @Test
  void writeUnsupportedSparkType() throws IOException {
    Path out = tmp.resolve("m.npy");
    DirectorySnapshot before = DirectorySnapshot.of(tmp);
    assertThatThrownBy(() -> write(sql("SELECT map('k', 1) AS m"), SaveMode.ErrorIfExists, out))
        .isInstanceOf(NpyUnsupportedTypeException.class)
        .hasMessageStartingWith("Cannot write column 'm' of type map<string,int>");
    before.assertUnchanged();
  }

  @Test
  void appendWithAnotherDtype() throws IOException {
    Path out = numpyFile("ints.npy", "np.arange(3, dtype='<i4')");
    DirectorySnapshot before = DirectorySnapshot.of(tmp);
    assertThatThrownBy(() -> write(doubles(0, 2), SaveMode.Append, out))
        .isInstanceOf(NpySchemaMismatchException.class)
        .hasMessageContaining(out.toString())
        .hasMessageContaining("The file was not changed");
    before.assertUnchanged();
  }

  @Test
  void writeMoreRecordColumnsThanNumpysDefaultHeaderHolds() throws IOException {
    Path out = tmp.resolve("wide.npy");
    String columns =
        java.util.stream.IntStream.range(0, 500)
            .mapToObj(i -> String.format(java.util.Locale.ROOT, "0D AS column_%03d", i))
            .collect(java.util.stream.Collectors.joining(", "));
    DirectorySnapshot before = DirectorySnapshot.of(tmp);
    assertThatThrownBy(() -> write(sql("SELECT " + columns), SaveMode.ErrorIfExists, out))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageStartingWith(
            "Cannot write 500 columns as .npy: their header would be 11574 characters, more than"
                + " the 10000 that numpy's np.load reads by default (its max_header_size)")
        .hasMessageContaining("layout=matrix")
        .hasMessageContaining("allowLargeHeader=true")
        .hasMessageContaining("np.load(path, max_header_size=12000)");
    before.assertUnchanged();
  }

  @Test
  void appendStringsWiderThanTheFilesColumn() throws IOException {
    Path out = numpyFile("s.npy", "np.array(['ab'], dtype='<U4')");
    DirectorySnapshot before = DirectorySnapshot.of(tmp);
    assertThatThrownBy(
            () -> write(sql("SELECT 'abcdef' AS s"), SaveMode.Append, out, "stringLength", "4"))
        .satisfies(
            e ->
                assertThat(rootCause(e))
                    .isInstanceOf(NpyWriteException.class)
                    .hasMessageContaining("Cannot append column 's'")
                    .hasMessageContaining(
                        "the file appended to fixes the column as <U4 (4 characters), and Append"
                            + " cannot widen it")
                    .hasMessageContaining("stringOverflow=truncate")
                    .hasMessageContaining("write a new file (another path, or mode overwrite)"));
    before.assertUnchanged();
  }

  @Test
  void appendToAFileThatIsNotNpyOrNeedsRecovery() throws IOException {
    Path junk = tmp.resolve("junk.npy");
    Files.write(junk, "not numpy".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    Path cut = numpyFile("cut.npy", "np.arange(3.0)");
    Files.write(cut, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
    DirectorySnapshot before = DirectorySnapshot.of(tmp);
    assertThatThrownBy(() -> write(doubles(0, 2), SaveMode.Append, junk))
        .isInstanceOf(NpyWriteException.class)
        .hasCauseInstanceOf(NpyFormatException.class)
        .hasMessageContaining(junk.toString())
        .hasMessageContaining("magic string")
        .hasMessageContaining("write with mode(\"overwrite\") to replace the file");
    assertThatThrownBy(() -> write(doubles(0, 2), SaveMode.Append, cut))
        .isInstanceOf(NpyNeedsRecoveryException.class)
        .hasMessageContaining(cut.toString())
        .hasMessageContaining("npy recover");
    before.assertUnchanged();
  }

  @Test
  void saveModesWhenThePathExists() throws IOException {
    Path out = numpyFile("old.npy", "np.arange(3.0)");
    DirectorySnapshot before = DirectorySnapshot.of(tmp);
    assertThatThrownBy(() -> write(doubles(5, 7), SaveMode.ErrorIfExists, out))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("already exists");
    write(doubles(5, 7), SaveMode.Ignore, out);
    before.assertUnchanged();
    write(doubles(5, 7), SaveMode.Append, out);
    assertThat(load(out)).isEqualTo("[0.0, 1.0, 2.0, 5.0, 6.0]");
    write(doubles(7, 9), SaveMode.Overwrite, out);
    assertThat(load(out)).isEqualTo("[7.0, 8.0]");
    try (var files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("old.npy");
    }
  }

  @Test
  void saveModesWhenThePathDoesNotExist() throws IOException {
    for (SaveMode mode : SaveMode.values()) {
      Path out = tmp.resolve("new-" + mode + ".npy");
      write(doubles(0, 3), mode, out);
      assertThat(load(out)).as(mode.toString()).isEqualTo("[0.0, 1.0, 2.0]");
    }
    try (var files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "new-Append.npy", "new-Overwrite.npy", "new-ErrorIfExists.npy", "new-Ignore.npy");
    }
  }
}
