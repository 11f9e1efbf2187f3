package io.github.sparknpy.spark.write;

import static io.github.sparknpy.spark.write.NpyWriterRoundTripTest.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;

/** ErrorIfExists, Ignore, Overwrite and Append, merged and as parts, and SQL INSERT. */
class NpyWriterSaveModeTest extends WriterTestBase {

  private static Dataset<Row> rows(long from, long to) {
    return sql("SELECT CAST(id AS DOUBLE) AS x FROM range(%d, %d, 1, 2)", from, to);
  }

  private static void write(Dataset<Row> df, SaveMode mode, Path out, String... options) {
    var w = df.write().format("npy").mode(mode);
    for (int i = 0; i < options.length; i += 2) {
      w = w.option(options[i], options[i + 1]);
    }
    w.save(out.toString());
  }

  @Test
  void errorIfExistsFailsAndIgnoreSkipsWhenThePathExists() throws Exception {
    Path out = tmp.resolve("e.npy");
    write(rows(0, 3), SaveMode.ErrorIfExists, out);
    byte[] before = Files.readAllBytes(out);
    // Spark's own error, as Parquet and CSV fail
    assertThatThrownBy(() -> write(rows(5, 9), SaveMode.ErrorIfExists, out))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("[PATH_ALREADY_EXISTS] Path file:" + out + " already exists.");
    write(rows(5, 9), SaveMode.Ignore, out);
    assertThat(Files.readAllBytes(out)).isEqualTo(before);
    write(rows(5, 9), SaveMode.Ignore, tmp.resolve("i.npy"));
    assertThat(values(numpy(tmp.resolve("i.npy")))).isEqualTo("[5.0,6.0,7.0,8.0]");
  }

  @Test
  void overwriteReplacesTheFileAtJobCommit() throws Exception {
    Path out = tmp.resolve("o.npy");
    write(rows(0, 10), SaveMode.Overwrite, out);
    write(sql("SELECT 'new' AS s"), SaveMode.Overwrite, out);
    JsonNode n = numpy(out);
    assertThat(descr(n)).isEqualTo("\"<U3\"");
    assertThat(values(n)).isEqualTo("[\"new\"]");
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void appendToAWriterFileAddsRowsInPlace() throws Exception {
    Path out = tmp.resolve("a.npy");
    write(rows(0, 3), SaveMode.Append, out);
    write(rows(3, 7), SaveMode.Append, out);
    JsonNode n = numpy(out);
    assertThat(shape(n)).isEqualTo("[7]");
    assertThat(values(n)).isEqualTo("[0.0,1.0,2.0,3.0,4.0,5.0,6.0]");
    assertThat(Npy.isAppendable(out)).isTrue();
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void appendToANonAppendableNumpyFileMakesItAppendable() throws Exception {
    Path out = tmp.resolve("legacy.npy");
    // a version 1.0 header without numpy's growth-axis spare space, as numpy < 1.? wrote it
    Numpy.run(
        "a = np.array([[1, 2], [3, 4]], dtype='<i4')\n"
            + "d = \"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }\"\n"
            + "h = d + ' ' * ((16 - (10 + len(d) + 1) % 16) % 16) + '\\n'\n"
            + "with open(sys.argv[1], 'wb') as f:\n"
            + "    f.write(b'\\x93NUMPY\\x01\\x00' + len(h).to_bytes(2, 'little') + h.encode('latin1'))\n"
            + "    f.write(a.tobytes())\n",
        out.toString());
    assertThat(Npy.isAppendable(out)).isFalse();
    write(
        sql("SELECT array(CAST(id AS INT), 9) AS v FROM range(5, 7, 1, 1)"), SaveMode.Append, out);
    JsonNode n = numpy(out);
    assertThat(descr(n)).isEqualTo("\"<i4\"");
    assertThat(values(n)).isEqualTo("[[1,2],[3,4],[5,9],[6,9]]");
    assertThat(Npy.isAppendable(out)).isTrue();
  }

  @Test
  void appendToAnNpSaveRecordFileMatchesStringWidths() {
    Path out = tmp.resolve("rec.npy");
    Numpy.run(
        "np.save(sys.argv[1], np.array([('ab', 1.5)], dtype=[('s', '<U4'), ('x', '<f8')]))",
        out.toString());
    write(sql("SELECT 'xyz' AS s, 2.5D AS x"), SaveMode.Append, out);
    JsonNode n = numpy(out);
    assertThat(descr(n)).isEqualTo("[[\"s\",\"<U4\"],[\"x\",\"<f8\"]]");
    assertThat(values(n)).isEqualTo("[[\"ab\",1.5],[\"xyz\",2.5]]");
    assertThatThrownBy(() -> write(sql("SELECT 'toolong' AS s, 1D AS x"), SaveMode.Append, out))
        .satisfies(
            e ->
                assertThat(rootCause(e))
                    .isInstanceOf(NpyWriteException.class)
                    .hasMessage(
                        "Cannot append column 's' at row 0 of partition 0: the value has 7"
                            + " characters, but the file appended to fixes the column as <U4 (4"
                            + " characters), and Append cannot widen it. Set"
                            + " stringOverflow=truncate to cut longer values to 4 characters, or"
                            + " write a new file (another path, or mode overwrite) whose width"
                            + " fits the longest value"));
    assertThat(values(numpy(out))).isEqualTo("[[\"ab\",1.5],[\"xyz\",2.5]]");
    // the fix the message names works; stringLength cannot (the file fixes the width)
    write(
        sql("SELECT 'toolong' AS s, 1D AS x"), SaveMode.Append, out, "stringOverflow", "truncate");
    assertThat(values(numpy(out))).isEqualTo("[[\"ab\",1.5],[\"xyz\",2.5],[\"tool\",1.0]]");
  }

  @Test
  void appendWithAnotherDtypeFailsBeforeAnyTaskAndLeavesTheFileByteIdentical() throws Exception {
    Path out = tmp.resolve("m.npy");
    Numpy.run("np.save(sys.argv[1], np.arange(6, dtype='<i8').reshape(3, 2))", out.toString());
    byte[] before = Files.readAllBytes(out);
    assertThatThrownBy(
            () ->
                write(sql("SELECT array(id * 1.0D, 0D) AS v FROM range(2)"), SaveMode.Append, out))
        .isInstanceOf(NpySchemaMismatchException.class)
        .hasMessageContaining(
            "it holds '<i8' rows of shape (N, 2), but the DataFrame (v array<double>) makes"
                + " '<f8' rows of shape (N, 2)")
        .hasMessageContaining("The file was not changed");
    // array lengths are data: checked by the tasks against the file's, before anything is published
    assertThatThrownBy(
            () -> write(sql("SELECT array(id, id, id) AS v FROM range(2)"), SaveMode.Append, out))
        .satisfies(
            e ->
                assertThat(rootCause(e))
                    .isInstanceOf(NpyWriteException.class)
                    .hasMessageContaining(
                        "has 3 elements, but the rows of the file appended to have 2"));
    assertThatThrownBy(() -> write(sql("SELECT 1.0D AS a, 2L AS b"), SaveMode.Append, out))
        .isInstanceOf(NpySchemaMismatchException.class)
        .hasMessageContaining("makes [('a', '<f8'), ('b', '<i8')] rows of shape (N)");
    assertThat(Files.readAllBytes(out)).isEqualTo(before);

    Path records = tmp.resolve("records.npy");
    write(sql("SELECT id AS a, id / 2.0D AS b FROM range(3)"), SaveMode.ErrorIfExists, records);
    assertThatThrownBy(
            () ->
                write(
                    sql("SELECT id AS a, CAST(id AS FLOAT) AS b FROM range(3)"),
                    SaveMode.Append,
                    records))
        .isInstanceOf(NpySchemaMismatchException.class)
        .hasMessageContaining("(column 'b' is '<f8' in the file, '<f4' from the DataFrame)");
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void appendToAFileThatNeedsRecoveryFailsBeforeAnyTask() throws Exception {
    Path out = tmp.resolve("torn.npy");
    Numpy.run(
        "np.save(sys.argv[1], np.arange(3, dtype='<f8'))\n"
            + "open(sys.argv[1], 'ab').write(b'\\x00' * 5)\n",
        out.toString());
    byte[] before = Files.readAllBytes(out);
    assertThatThrownBy(() -> write(rows(0, 2), SaveMode.Append, out))
        .isInstanceOf(io.github.sparknpy.npy.error.NpyNeedsRecoveryException.class)
        .hasMessageContaining("its header says 24 bytes of data but the file has 29")
        .hasMessageContaining("if none is, an append was interrupted: run 'npy recover " + out);
    assertThat(Files.readAllBytes(out)).isEqualTo(before);
  }

  @Test
  void appendWithMergeFalseAddsPartsThatSortAfterTheOldOnes() throws Exception {
    Path dir = tmp.resolve("parts");
    write(rows(0, 4), SaveMode.Append, dir, "merge", "false");
    write(rows(4, 6), SaveMode.Append, dir, "merge", "false");
    StringBuilder all = new StringBuilder();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.toString().endsWith(".npy")).sorted().toList()) {
        all.append(values(numpy(p)));
      }
    }
    assertThat(all.toString()).isEqualTo("[0.0,1.0][2.0,3.0][4.0][5.0]");
    assertThatThrownBy(() -> write(sql("SELECT 1 AS i"), SaveMode.Append, dir, "merge", "false"))
        .isInstanceOf(NpySchemaMismatchException.class);
    assertThatThrownBy(() -> write(rows(0, 1), SaveMode.Append, dir))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("it is a directory (written with merge=false?)");
  }

  @Test
  void overwriteWithMergeFalseReplacesOldParts() throws Exception {
    Path dir = tmp.resolve("over");
    write(rows(0, 8), SaveMode.Overwrite, dir, "merge", "false");
    write(rows(100, 101), SaveMode.Overwrite, dir, "merge", "false");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .hasSize(2)
          .contains("_SUCCESS");
    }
  }

  @Test
  void saveAsTableThenInsertInto() {
    Path out = tmp.resolve("sat.npy");
    try {
      sql("SELECT id AS k FROM range(0, 3, 1, 1)")
          .write()
          .format("npy")
          .option("path", out.toString())
          .saveAsTable("npy_save_as_t");
      sql("SELECT id + 3 AS k FROM range(0, 2, 1, 1)").write().insertInto("npy_save_as_t");
      assertThat(values(numpy(out))).isEqualTo("[0,1,2,3,4]");
    } finally {
      sql("DROP TABLE IF EXISTS npy_save_as_t");
    }
  }

  @Test
  void sqlInsertIntoATableUsingNpy() {
    Path out = tmp.resolve("t.npy");
    sql("CREATE TABLE npy_insert_t (x DOUBLE) USING npy LOCATION '%s'", out.toUri());
    try {
      sql("INSERT INTO npy_insert_t SELECT CAST(id AS DOUBLE) FROM range(3)");
      sql("INSERT INTO npy_insert_t VALUES (10.0D)");
      assertThat(values(numpy(out))).isEqualTo("[0.0,1.0,2.0,10.0]");
    } finally {
      sql("DROP TABLE IF EXISTS npy_insert_t");
    }
  }
}
