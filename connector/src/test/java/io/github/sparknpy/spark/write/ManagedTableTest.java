package io.github.sparknpy.spark.write;

import static io.github.sparknpy.spark.write.NpyWriterRoundTripTest.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Managed tables (CREATE TABLE … USING npy without LOCATION, saveAsTable without a path): a
 * directory of parts under the warehouse, as Parquet's, deleted by DROP TABLE.
 */
class ManagedTableTest extends WriterTestBase {
  private static final String PARTS =
      "import glob, os\n"
          + "files = sorted(glob.glob(os.path.join(sys.argv[1], 'part-*.npy')))\n"
          + "a = np.concatenate([np.load(f) for f in files])\n"
          + "print(len(files) > 0, np.lib.format.dtype_to_descr(a.dtype), a.tolist())\n";

  /** Where the session catalog put the table. */
  private static Path location(String table) throws Exception {
    return Path.of(
        spark()
            .sessionState()
            .catalog()
            .getTableMetadata(org.apache.spark.sql.catalyst.TableIdentifier.apply(table))
            .location());
  }

  private static String numpyParts(Path dir) {
    return Numpy.run(PARTS, dir.toString()).trim();
  }

  private static Path warehouse() {
    String w = spark().conf().get("spark.sql.warehouse.dir");
    return w.startsWith("file:") ? Path.of(URI.create(w)) : Path.of(w).toAbsolutePath();
  }

  @Test
  void createTableAsSelectWithoutLocationWritesUnderTheWarehouseAndDropDeletesIt()
      throws Exception {
    String table = "managed_ctas_" + System.nanoTime();
    try {
      sql(
          "CREATE TABLE %s USING npy AS SELECT id AS k, CAST(id AS DOUBLE) / 2 AS x"
              + " FROM range(0, 4, 1, 2)",
          table);
      Path dir = location(table);
      assertThat(dir.getParent()).isEqualTo(warehouse());
      assertThat(dir.getFileName().toString()).isEqualTo(table);
      assertThat(Files.isDirectory(dir)).isTrue();
      assertThat(numpyParts(dir))
          .isEqualTo("True [('k', '<i8'), ('x', '<f8')] [(0, 0.0), (1, 0.5), (2, 1.0), (3, 1.5)]");
      assertThat(sql("SELECT count(*), sum(x) FROM %s", table).first().toString())
          .isEqualTo("[4,3.0]");

      sql("INSERT INTO %s SELECT 9L, 4.5D", table);
      assertThat(sql("SELECT k FROM %s ORDER BY k", table).collectAsList().toString())
          .isEqualTo("[[0], [1], [2], [3], [9]]");
      sql("INSERT OVERWRITE %s SELECT 7L, 3.5D", table);
      assertThat(numpyParts(dir)).isEqualTo("True [('k', '<i8'), ('x', '<f8')] [(7, 3.5)]");

      sql("DROP TABLE %s", table);
      assertThat(dir).doesNotExist();
    } finally {
      sql("DROP TABLE IF EXISTS %s", table);
    }
  }

  @Test
  void saveAsTableWithoutPathAndCreateTableWithColumnsAreManagedToo() throws Exception {
    String saved = "managed_saved_" + System.nanoTime();
    String declared = "managed_declared_" + System.nanoTime();
    try {
      sql("SELECT CAST(id AS INT) AS a FROM range(0, 3, 1, 1)")
          .write()
          .format("npy")
          .saveAsTable(saved);
      assertThat(numpyParts(location(saved))).isEqualTo("True <i4 [0, 1, 2]");
      sql("SELECT CAST(id AS INT) + 3 AS a FROM range(0, 2, 1, 1)").write().insertInto(saved);
      assertThat(numpyParts(location(saved))).isEqualTo("True <i4 [0, 1, 2, 3, 4]");

      sql("CREATE TABLE %s (a INT, b DOUBLE) USING npy", declared);
      Path dir = location(declared);
      sql("INSERT INTO %s VALUES (1, 0.5), (2, 1.5)", declared);
      assertThat(numpyParts(dir))
          .isEqualTo("True [('a', '<i4'), ('b', '<f8')] [(1, 0.5), (2, 1.5)]");
      assertThat(sql("SELECT sum(a), sum(b) FROM %s", declared).first().toString())
          .isEqualTo("[3,2.0]");
      sql("DROP TABLE %s", declared);
      assertThat(dir).doesNotExist();
    } finally {
      sql("DROP TABLE IF EXISTS %s", saved);
      sql("DROP TABLE IF EXISTS %s", declared);
    }
  }

  @Test
  void aManagedTableWithMergeTrueFailsSayingToGiveALocation() {
    String table = "managed_merged_" + System.nanoTime();
    try {
      assertThatThrownBy(
              () ->
                  sql(
                      "CREATE TABLE %s USING npy OPTIONS (merge 'true') AS SELECT 1.0D AS x",
                      table))
          .satisfies(
              e ->
                  assertThat(rootCause(e))
                      .isInstanceOf(NpyOptionException.class)
                      .hasMessageStartingWith("Cannot write the managed npy table at file:")
                      .hasMessageEndingWith(
                          " with merge=true: a table created without LOCATION is a directory of"
                              + " part files under the warehouse, as Parquet's are. Drop option"
                              + " merge, or create the table with LOCATION '/path/to/file.npy' to"
                              + " have one .npy file"));
    } finally {
      sql("DROP TABLE IF EXISTS %s", table);
    }
  }

  @Test
  void aManagedTableWithoutColumnsFailsSayingWhatToGive() {
    String table = "managed_empty_" + System.nanoTime();
    try {
      assertThatThrownBy(() -> sql("CREATE TABLE %s USING npy", table))
          .satisfies(
              e ->
                  assertThat(rootCause(e))
                      .isInstanceOf(NpyOptionException.class)
                      .hasMessage(
                          "Cannot create an npy table without columns and without LOCATION: its"
                              + " schema comes from the headers of the .npy files at its"
                              + " location. Declare the columns (CREATE TABLE t (x DOUBLE, y"
                              + " DOUBLE) USING npy), create it AS SELECT …, or give LOCATION"
                              + " '/path/to/file.npy' of existing files"));
      assertThat(spark().catalog().tableExists(table)).isFalse();
    } finally {
      sql("DROP TABLE IF EXISTS %s", table);
    }
  }

  @Test
  void anExternalTableKeepsOneFileAndItsDataOnDrop() throws Exception {
    String table = "external_" + System.nanoTime();
    Path out = tmp.resolve("ext.npy");
    try {
      sql("CREATE TABLE %s USING npy LOCATION '%s' AS SELECT 1.5D AS x", table, out.toUri());
      assertThat(values(numpy(out))).isEqualTo("[1.5]");
      sql("DROP TABLE %s", table);
      assertThat(out).exists();
    } finally {
      sql("DROP TABLE IF EXISTS %s", table);
    }
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("ext.npy");
    }
  }

  @Test
  void aTableWithColumnsReadsAsNoRowsBeforeItsFirstInsert() {
    String managed = "managed_empty_" + System.nanoTime();
    String external = "external_empty_" + System.nanoTime();
    try {
      sql("CREATE TABLE %s (a INT, b DOUBLE) USING npy", managed);
      sql("CREATE TABLE %s (a INT) USING npy LOCATION '%s'", external, tmp.resolve("none.npy"));

      assertThat(sql("SELECT * FROM %s", managed).collectAsList()).isEmpty();
      assertThat(sql("SELECT count(*), sum(b) FROM %s", managed).first().toString())
          .isEqualTo("[0,null]");
      assertThat(sql("SELECT count(*) FROM %s", external).first().getLong(0)).isZero();

      sql("INSERT INTO %s VALUES (1, 0.5)", managed);
      assertThat(sql("SELECT count(*) FROM %s", managed).first().getLong(0)).isEqualTo(1);
    } finally {
      sql("DROP TABLE IF EXISTS %s", managed);
      sql("DROP TABLE IF EXISTS %s", external);
    }
  }
}
