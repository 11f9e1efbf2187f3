package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * {@code spark.read.schema(…).format("npy")}: a schema naming columns the headers give, in any
 * order or a subset, with the reader's types (a {@code datetime64} column as either timestamp
 * flavour) is taken; anything else fails at {@code load} naming the first difference.
 */
class UserSpecifiedSchemaTest extends NpyReadTestBase {

  private Path records() throws Exception {
    Path p = tmp.resolve("r.npy");
    numpy(
        "a = np.zeros(3, dtype=[('id', '<i8'), ('t', '<M8[us]'), ('v', '<f4')])\n"
            + "a['id'] = [1, 2, 3]\n"
            + "a['t'] = np.array([0, 86_400_000_000, 1_700_000_000_000_000], dtype='<M8[us]')\n"
            + "a['v'] = [0.5, 1.5, 2.5]\n"
            + "np.save(sys.argv[1], a)",
        p);
    return p;
  }

  @Test
  void theHeadersSchemaInAnyOrderOrSubsetIsTaken() throws Exception {
    Path p = records();
    Dataset<Row> df = spark().read().schema("v FLOAT, ID BIGINT").format("npy").load(p.toString());
    assertThat(df.schema().simpleString()).isEqualTo("struct<v:float,id:bigint>");
    List<Row> rows = df.collectAsList();
    assertThat(rows.stream().map(r -> r.getFloat(0) + ":" + r.getLong(1)).toList())
        .containsExactly("0.5:1", "1.5:2", "2.5:3");
  }

  @Test
  void aDatetime64ColumnReadsAsEitherTimestampFlavour() throws Exception {
    Path p = records();
    Dataset<Row> ntz = spark().read().schema("t TIMESTAMP_NTZ").format("npy").load(p.toString());
    assertThat(ntz.schema().simpleString()).isEqualTo("struct<t:timestamp_ntz>");
    assertThat(ntz.collectAsList().stream().map(r -> r.get(0).toString()).toList())
        .containsExactly("1970-01-01T00:00", "1970-01-02T00:00", "2023-11-14T22:13:20");
    Dataset<Row> ltz = spark().read().schema("t TIMESTAMP").format("npy").load(p.toString());
    assertThat(ltz.schema().simpleString()).isEqualTo("struct<t:timestamp>");
    assertThat(ltz.selectExpr("CAST(t AS TIMESTAMP_NTZ)").first().get(0).toString())
        .isEqualTo("1970-01-01T00:00");
  }

  @Test
  void aColumnTheFilesLackOrAnotherTypeFailsAtLoadNamingIt() throws Exception {
    Path p = records();
    assertThatThrownBy(
            () -> spark().read().schema("id BIGINT, w DOUBLE").format("npy").load(p.toString()))
        .isInstanceOf(NpyUserSchemaException.class)
        .hasMessageContaining("Cannot read " + p)
        .hasMessageContaining("column 'w' is not in the files, whose columns are id, t, v");
    assertThatThrownBy(
            () -> spark().read().schema("id INT, v FLOAT").format("npy").load(p.toString()))
        .isInstanceOf(NpyUserSchemaException.class)
        .hasMessageContaining("column 'id' is BIGINT in the files' headers, not INT")
        .hasMessageContaining("CAST(`id` AS INT)");
  }

  @Test
  void aMissingPathFailsAtLoadAsWithoutASchema() {
    Path p = tmp.resolve("nope.npy");
    assertThatThrownBy(() -> spark().read().schema("value DOUBLE").format("npy").load(p.toString()))
        .hasMessageContaining("PATH_NOT_FOUND");
    assertThat(Files.exists(p)).isFalse();
  }

  @Test
  void partitionColumnsKeepTheirInferredType() throws Exception {
    Path root = tmp.resolve("t");
    Files.createDirectories(root.resolve("k=1"));
    Files.createDirectories(root.resolve("k=2"));
    numpy("np.save(sys.argv[1], np.arange(2, dtype='<f8'))", root.resolve("k=1/a.npy"));
    numpy("np.save(sys.argv[1], np.arange(3, dtype='<f8'))", root.resolve("k=2/a.npy"));
    Dataset<Row> df =
        spark().read().schema("k INT, value DOUBLE").format("npy").load(root.toString());
    assertThat(df.schema().simpleString()).isEqualTo("struct<k:int,value:double>");
    assertThat(df.where("k = 2").count()).isEqualTo(3);
    assertThatThrownBy(() -> spark().read().schema("k STRING").format("npy").load(root.toString()))
        .isInstanceOf(NpyUserSchemaException.class)
        .hasMessageContaining("column 'k' is INT in the partition directories, not STRING");
  }
}
