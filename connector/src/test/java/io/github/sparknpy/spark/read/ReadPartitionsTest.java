package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.spark.compat.ScalaInterop;
import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.metrics.NpyFilesOpenedMetric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.junit.jupiter.api.Test;

/**
 * Partition discovery as Spark's file sources do it: {@code column=value} directories become
 * partition columns after the data columns, typed as Spark types them (checked against Parquet over
 * the same directory names), pruned by filters, with {@code basePath}, consistent structures
 * required, and none with {@code recursiveFileLookup}.
 */
class ReadPartitionsTest extends NpyReadTestBase {

  private static DataFrameReader npy() {
    return spark().read().format("npy");
  }

  /** Writes {@code np.arange(start, start + n)} as float64 to {@code dir/name}. */
  private static void npyFile(Path dir, String name, int start, int n) throws IOException {
    Files.createDirectories(dir);
    numpy(
        "np.save(sys.argv[1], np.arange(" + start + ", " + (start + n) + ", dtype='<f8'))",
        dir.resolve(name));
  }

  @Test
  void keyValueDirectoriesBecomePartitionColumnsAfterTheDataColumns() throws Exception {
    Path root = newDir("t");
    npyFile(root.resolve("k=1/s=a"), "x.npy", 0, 2);
    npyFile(root.resolve("k=1/s=b"), "x.npy", 10, 1);
    npyFile(root.resolve("k=2/s=a"), "x.npy", 20, 3);
    Files.writeString(root.resolve("_SUCCESS"), "");

    Dataset<Row> df = npy().load(root.toString());
    // before: struct<> for a directory holding only directories, then UNRESOLVED_COLUMN
    assertThat(df.schema().simpleString()).isEqualTo("struct<value:double,k:int,s:string>");
    List<String> rows = new ArrayList<>();
    for (Row r : df.orderBy("k", "s", "value").collectAsList()) {
      rows.add(r.mkString(","));
    }
    assertThat(rows)
        .containsExactly("0.0,1,a", "1.0,1,a", "10.0,1,b", "20.0,2,a", "21.0,2,a", "22.0,2,a");
    // metadata columns still work next to partition columns
    Row r = df.where("k = 2").select("_file", "_row_index", "k", "s").orderBy("_row_index").first();
    assertThat(r.getString(0)).isEqualTo("file:" + root.resolve("k=2/s=a/x.npy"));
    assertThat(r.getLong(1)).isZero();
    assertThat(r.getInt(2)).isEqualTo(2);
    assertThat(df.where("s = 'b'").count()).isEqualTo(1);
    assertThat(df.count()).isEqualTo(6);
    // the table reports its partitioning, as Spark's file tables do
    assertThat(
            Arrays.stream(partitioning(df))
                .map(t -> t.name() + "(" + t.references()[0].describe() + ")"))
        .containsExactly("identity(k)", "identity(s)");
    // SQL through the path catalog too
    assertThat(sql("SELECT sum(k) FROM npy.`%s` WHERE s = 'a'", root).first().getLong(0))
        .isEqualTo(2 * 1 + 3 * 2);
  }

  private static Transform[] partitioning(Dataset<Row> df) {
    for (LogicalPlan leaf :
        ScalaInterop.toJavaList(df.queryExecution().analyzed().collectLeaves())) {
      if (leaf instanceof DataSourceV2Relation rel) {
        return rel.table().partitioning();
      }
    }
    throw new AssertionError("no DataSourceV2Relation in " + df.queryExecution().analyzed());
  }

  @Test
  void partitionColumnTypesAndValuesAreSparksOwn() throws Exception {
    byte[] parquet = parquetFile();
    // one numpy-made file copied into every partition directory (a python start per file would
    // cost about a second per case)
    npyFile(tmp, "template.npy", 0, 1);
    byte[] npy = Files.readAllBytes(tmp.resolve("template.npy"));
    Map<String, List<String>> cases =
        Map.ofEntries(
            Map.entry("ints", List.of("1", "-3", "007")),
            Map.entry("longs", List.of("1", "3000000000")),
            Map.entry("decimals", List.of("1", "12345678901234567890")),
            Map.entry("doubles", List.of("1", "2.5", "1e3")),
            Map.entry("longAndDouble", List.of("3000000000", "2.5")),
            Map.entry("dates", List.of("2024-01-01", "2024-02-29")),
            Map.entry(
                "timestamps", List.of("2024-01-01 10%3A00%3A00", "2024-03-01 00%3A00%3A01.5")),
            Map.entry("dateAndTimestamp", List.of("2024-01-01", "2024-01-02 10%3A00%3A00")),
            Map.entry("intAndDate", List.of("1", "2024-01-01")),
            Map.entry("strings", List.of("a%3Ab", "x y", "__HIVE_DEFAULT_PARTITION__")),
            Map.entry("intsAndNull", List.of("4", "__HIVE_DEFAULT_PARTITION__")),
            Map.entry("onlyNull", List.of("__HIVE_DEFAULT_PARTITION__")),
            Map.entry("badDate", List.of("2024-02-30")));
    for (String inference : List.of("true", "false")) {
      for (String tsType : List.of("TIMESTAMP_LTZ", "TIMESTAMP_NTZ")) {
        if (inference.equals("false") && tsType.equals("TIMESTAMP_NTZ")) {
          continue;
        }
        boolean all = inference.equals("true") && tsType.equals("TIMESTAMP_LTZ");
        withSQLConf(
            Map.of(
                "spark.sql.sources.partitionColumnTypeInference.enabled", inference,
                "spark.sql.timestampType", tsType,
                "spark.sql.session.timeZone", "America/New_York"),
            () -> {
              for (Map.Entry<String, List<String>> c : cases.entrySet()) {
                if (!all
                    && !List.of("timestamps", "dateAndTimestamp", "strings", "ints")
                        .contains(c.getKey())) {
                  continue;
                }
                Path npyRoot = tmp.resolve(inference + tsType + "/npy/" + c.getKey());
                Path pqRoot = tmp.resolve(inference + tsType + "/pq/" + c.getKey());
                try {
                  for (String v : c.getValue()) {
                    Files.createDirectories(npyRoot.resolve("c=" + v));
                    Files.write(npyRoot.resolve("c=" + v + "/x.npy"), npy);
                    Files.createDirectories(pqRoot.resolve("c=" + v));
                    Files.write(pqRoot.resolve("c=" + v + "/x.parquet"), parquet);
                  }
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
                Dataset<Row> n = npy().load(npyRoot.toString());
                Dataset<Row> p = spark().read().parquet(pqRoot.toString());
                String what =
                    c.getKey() + " " + c.getValue() + " inference=" + inference + " " + tsType;
                assertThat(n.schema().apply("c")).as(what).isEqualTo(p.schema().apply("c"));
                assertThat(values(n)).as(what).isEqualTo(values(p));
              }
            });
      }
    }
  }

  private static List<String> values(Dataset<Row> df) {
    List<String> out = new ArrayList<>();
    for (Row r : df.select("c").orderBy("c").collectAsList()) {
      out.add(String.valueOf(r.get(0)));
    }
    return out;
  }

  private byte[] parquetFile() throws IOException {
    Path out = tmp.resolve("one-parquet");
    spark()
        .range(1)
        .selectExpr("CAST(id AS DOUBLE) AS value")
        .coalesce(1)
        .write()
        .parquet(out.toString());
    try (Stream<Path> s = Files.list(out)) {
      Path part = s.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().get();
      return Files.readAllBytes(part);
    }
  }

  @Test
  void filtersOnPartitionColumnsPruneFilesBeforeTheyAreOpened() throws Exception {
    Path root = newDir("pruned");
    for (int k = 0; k < 4; k++) {
      npyFile(root.resolve("k=" + k), "x.npy", 100 * k, 5);
    }
    Dataset<Row> df = npy().load(root.toString());
    Map<String, Long> one = scanMetrics(df.where("k = 2").select("value"));
    assertThat(one.get(NpyFilesOpenedMetric.NAME)).isEqualTo(1);
    Map<String, Long> two = scanMetrics(df.where("k IN (0, 3) AND value >= 0").select("value"));
    assertThat(two.get(NpyFilesOpenedMetric.NAME)).isEqualTo(2);
    Map<String, Long> all = scanMetrics(df.where("k > 0 OR value < 10").select("value"));
    assertThat(all.get(NpyFilesOpenedMetric.NAME)).isEqualTo(4);
    assertThat(df.where("k = 2").select("value").collectAsList().toString())
        .isEqualTo("[[200.0], [201.0], [202.0], [203.0], [204.0]]");
    assertThat(df.where("k IN (0, 3)").count()).isEqualTo(10);
    assertThat(df.where("k = 9").count()).isZero();
    assertThat(df.where("k IS NULL").count()).isZero();
    assertThat(findScan(df.where("k = 2").queryExecution().executedPlan()).scan().description())
        .contains("1 files");
  }

  @Test
  void basePathGivesThePartitionColumnsOfAPartitionDirectoryReadAlone() throws Exception {
    Path root = newDir("based");
    npyFile(root.resolve("k=1"), "x.npy", 0, 2);
    npyFile(root.resolve("k=2"), "x.npy", 10, 2);
    String one = root.resolve("k=1").toString();
    // as Spark: a partition directory read alone has no partition column …
    assertThat(npy().load(one).schema().fieldNames()).containsExactly("value");
    // … unless basePath names the table's root
    Dataset<Row> df = npy().option("basePath", root.toString()).load(one);
    assertThat(df.schema().simpleString()).isEqualTo("struct<value:double,k:int>");
    assertThat(df.select("k").distinct().collectAsList().toString()).isEqualTo("[[1]]");

    assertThatThrownBy(
            () -> npy().option("basePath", root.resolve("k=2").toString()).load(one).schema())
        .isInstanceOf(NpyOptionException.class)
        .hasMessage(
            "Wrong basePath file:"
                + root.resolve("k=2")
                + " for the path file:"
                + root.resolve("k=1")
                + ": basePath must be a directory above every path read. Give the table's root"
                + " directory, or remove the option");
    assertThatThrownBy(
            () -> npy().option("basePath", root.resolve("k=1/x.npy").toString()).load(one))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage(
            "Invalid value '"
                + root.resolve("k=1/x.npy")
                + "' for option 'basePath': it is a file; basePath must be the directory above"
                + " the partition directories (column=value) of the paths read, as in Spark's file"
                + " sources");
  }

  @Test
  void inconsistentDirectoriesFailNamingThePaths() throws Exception {
    Path names = newDir("names");
    npyFile(names.resolve("a=1"), "x.npy", 0, 1);
    npyFile(names.resolve("b=1"), "x.npy", 0, 1);
    assertThatThrownBy(() -> npy().load(names.toString()))
        .isInstanceOf(NpyPartitionException.class)
        .hasMessage(
            "Conflicting partition column names detected:\n"
                + "\tPartition column name list #0: a\n"
                + "\tPartition column name list #1: b\n"
                + "For partitioned table directories, data files should only live in leaf"
                + " directories, and directories at the same level should have the same partition"
                + " column name. Check these directories for unexpected files or inconsistent"
                + " partition column names:\n"
                + "\tfile:"
                + names.resolve("a=1")
                + "\n\tfile:"
                + names.resolve("b=1"));

    Path r1 = newDir("r1");
    Path r2 = newDir("r2");
    npyFile(r1.resolve("k=1"), "x.npy", 0, 1);
    npyFile(r2.resolve("k=2"), "x.npy", 0, 1);
    // each partition directory read alone is its own base path: no partition column, as Spark
    assertThat(npy().load(r1.resolve("k=1").toString(), r2.resolve("k=2").toString()).columns())
        .containsExactly("value");
    assertThatThrownBy(
            () ->
                npy()
                    .option("basePath", tmp.toString())
                    .load(r1.resolve("k=1").toString(), r2.resolve("k=2").toString()))
        .isInstanceOf(NpyPartitionException.class)
        .hasMessage(
            "Conflicting directory structures detected. Suspicious paths:\n"
                + "\tfile:"
                + r1
                + "\n\tfile:"
                + r2
                + "\nIf provided paths are partition directories, please set \"basePath\" in the"
                + " options of the data source to specify the root directory of the table. If"
                + " there are multiple root directories, please load them separately and then"
                + " union them.");

    Path mixed = newDir("mixed");
    npyFile(mixed, "loose.npy", 0, 1);
    npyFile(mixed.resolve("k=1"), "x.npy", 0, 1);
    assertThatThrownBy(() -> npy().load(mixed.toString()))
        .isInstanceOf(NpyPartitionException.class)
        .hasMessage(
            "Cannot read file:"
                + mixed.resolve("loose.npy")
                + " with the partition directories beside it (such as file:"
                + mixed.resolve("k=1")
                + "): it is not inside a column=value directory, so it has no value for the"
                + " partition columns k. Spark's file sources leave such files out of a"
                + " partitioned table without a word; npy refuses. Move the file into a partition"
                + " directory, or read it (or the partition directories) separately");
  }

  @Test
  void recursiveFileLookupReadsEveryFileWithoutPartitionColumnsAsSpark() throws Exception {
    Path root = newDir("recursive");
    npyFile(root.resolve("k=1"), "x.npy", 0, 2);
    npyFile(root.resolve("k=2/sub"), "y.npy", 10, 2);
    Dataset<Row> df = npy().option("recursiveFileLookup", "true").load(root.toString());
    assertThat(df.schema().fieldNames()).containsExactly("value");
    assertThat(df.count()).isEqualTo(4);
  }
}
