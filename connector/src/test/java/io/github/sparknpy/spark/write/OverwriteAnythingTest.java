package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.testing.Numpy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;

/**
 * Overwrite replaces what is at the path whatever it holds (as Spark's own file sources do),
 * without reading it; Append, which needs the old header, still fails clearly on such a file.
 */
class OverwriteAnythingTest extends WriterTestBase {

  private static Dataset<Row> rows() {
    return sql("SELECT CAST(id AS DOUBLE) AS x FROM range(0, 5, 1, 2)");
  }

  private static void write(Dataset<Row> df, SaveMode mode, Path out, String... options) {
    var w = df.write().format("npy").mode(mode);
    for (int i = 0; i < options.length; i += 2) {
      w = w.option(options[i], options[i + 1]);
    }
    w.save(out.toString());
  }

  private static void assertReplaced(Path out) {
    JsonNode n = numpy(out);
    assertThat(descr(n)).isEqualTo("\"<f8\"");
    assertThat(values(n)).isEqualTo("[0.0,1.0,2.0,3.0,4.0]");
    assertNpSaveIdentical(out);
  }

  /** The first 40 bytes of an np.save file: the header is cut in the middle. */
  private Path headerCut() throws Exception {
    Path out = tmp.resolve("header-cut.npy");
    Numpy.run("np.save(sys.argv[1], np.arange(10, dtype='<i4'))", out.toString());
    Files.write(out, Arrays.copyOf(Files.readAllBytes(out), 40));
    return out;
  }

  /** A whole header, then 5 of the 40 bytes of data it announces. */
  private Path dataCut() throws Exception {
    Path out = tmp.resolve("data-cut.npy");
    Numpy.run("np.save(sys.argv[1], np.arange(10, dtype='<i4'))", out.toString());
    byte[] all = Files.readAllBytes(out);
    Files.write(out, Arrays.copyOf(all, all.length - 35));
    return out;
  }

  private Path csv() throws Exception {
    Path out = tmp.resolve("table.npy");
    Files.writeString(out, "a,b\n1,2\n3,4\n", StandardCharsets.UTF_8);
    return out;
  }

  /** A pickled object array, which numpy itself only loads with allow_pickle=True. */
  private Path pickled() {
    Path out = tmp.resolve("objects.npy");
    Numpy.run(
        "np.save(sys.argv[1], np.array([{'a': 1}, None, 'x'], dtype=object), allow_pickle=True)",
        out.toString());
    return out;
  }

  @Test
  void overwriteReplacesATruncatedFile() throws Exception {
    Path out = headerCut();
    write(rows(), SaveMode.Overwrite, out);
    assertReplaced(out);
    Path data = dataCut();
    write(rows(), SaveMode.Overwrite, data);
    assertReplaced(data);
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void overwriteReplacesACsvFileNamedNpy() throws Exception {
    Path out = csv();
    // a read still fails where it did, at load(): only writes skip the old content
    assertThatThrownBy(() -> spark().read().format("npy").load(out.toString()))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("not a .npy file");
    write(rows(), SaveMode.Overwrite, out);
    assertReplaced(out);
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void overwriteReplacesAPickledObjectFile() throws Exception {
    Path out = pickled();
    write(rows(), SaveMode.Overwrite, out);
    assertReplaced(out);
  }

  @Test
  void overwriteWithSqlReplacesAnUnreadableFile() throws Exception {
    Path out = csv();
    sql("INSERT OVERWRITE npy.`%s` SELECT CAST(id AS DOUBLE) AS x FROM range(0, 5, 1, 1)", out);
    assertReplaced(out);
    Path objects = pickled();
    sql("SELECT CAST(id AS DOUBLE) AS x FROM range(0, 5, 1, 2)")
        .writeTo("npy.`" + objects + "`")
        .overwrite(org.apache.spark.sql.functions.lit(true));
    assertReplaced(objects);
  }

  @Test
  void insertOverwriteOfACatalogTableReplacesAnUnreadableFile() throws Exception {
    Path out = csv();
    String table = "overwrite_csv_" + System.nanoTime();
    sql("CREATE TABLE %s (x DOUBLE) USING npy LOCATION '%s'", table, out.toUri());
    try {
      sql("INSERT OVERWRITE %s SELECT CAST(id AS DOUBLE) FROM range(0, 5, 1, 1)", table);
      assertReplaced(out);
      assertThat(sql("SELECT count(*) FROM %s", table).first().getLong(0)).isEqualTo(5);
    } finally {
      sql("DROP TABLE IF EXISTS %s", table);
    }
    assertThat(out).exists(); // an external table's file stays
  }

  @Test
  void overwriteWithMergeFalseEmptiesADirectoryOfAnything() throws Exception {
    Path dir = tmp.resolve("parts");
    write(rows(), SaveMode.Overwrite, dir, "merge", "false");
    Files.writeString(dir.resolve("notes.txt"), "hello");
    Files.writeString(dir.resolve("bad.npy"), "not numpy");
    Files.createDirectories(dir.resolve("sub")).resolve("x.bin").toFile().createNewFile();
    Files.writeString(dir.resolve(".keep"), "hidden names stay");
    write(sql("SELECT 7.0D AS x"), SaveMode.Overwrite, dir, "merge", "false");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .hasSize(3)
          .contains(".keep", "_SUCCESS")
          .anyMatch(n -> n.matches("part-\\d{5}-.*\\.npy"));
    }
    assertThat(spark().read().format("npy").load(dir.toString()).first().getDouble(0))
        .isEqualTo(7.0);
    try (Stream<Path> s = Files.list(dir)) {
      Path part = s.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().get();
      assertThat(values(numpy(part))).isEqualTo("[7.0]");
    }
  }

  @Test
  void appendToAnUnreadableFileFailsSayingToOverwriteAndChangesNothing() throws Exception {
    for (Path out : new Path[] {csv(), pickled(), headerCut()}) {
      byte[] before = Files.readAllBytes(out);
      assertThatThrownBy(() -> write(rows(), SaveMode.Append, out))
          .as(out.toString())
          .isInstanceOf(NpyWriteException.class)
          .hasMessageStartingWith("Cannot append to " + out.toUri().toString().replace("///", "/"))
          .hasMessageContaining(
              "An Append adds rows after the ones in the file, so it needs a .npy header it can"
                  + " read and extend; write with mode(\"overwrite\") to replace the file, or"
                  + " choose another path. Nothing was written")
          .hasCauseInstanceOf(NpyFormatException.class);
      assertThat(Files.readAllBytes(out)).isEqualTo(before);
    }
    Path data = dataCut();
    assertThatThrownBy(() -> write(rows(), SaveMode.Append, data))
        .isInstanceOf(NpyNeedsRecoveryException.class);
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }
}
