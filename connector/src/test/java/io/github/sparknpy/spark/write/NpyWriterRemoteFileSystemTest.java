package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.testing.Numpy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The non-local route (as on HDFS / S3), through a local file system under another scheme. */
class NpyWriterRemoteFileSystemTest extends WriterTestBase {

  @BeforeAll
  static void registerFileSystem() {
    FakeRemoteFileSystem.register(spark().sparkContext().hadoopConfiguration());
  }

  private static String remote(Path p) {
    return FakeRemoteFileSystem.SCHEME + "://" + p.toAbsolutePath();
  }

  private static void write(Dataset<Row> df, SaveMode mode, Path out, String... options) {
    var w = df.write().format("npy").mode(mode);
    for (int i = 0; i < options.length; i += 2) {
      w = w.option(options[i], options[i + 1]);
    }
    w.save(remote(out));
  }

  @Test
  void mergedWriteStreamsAndWidensPartsThenRenames() throws Exception {
    Path out = tmp.resolve("r.npy");
    Dataset<Row> df = sql("SELECT id, repeat('x', CAST(id AS INT)) AS s FROM range(0, 6, 1, 3)");
    write(df, SaveMode.ErrorIfExists, out);
    JsonNode n = numpy(out);
    assertThat(descr(n)).isEqualTo("[[\"id\",\"<i8\"],[\"s\",\"<U5\"]]");
    assertThat(values(n))
        .isEqualTo("[[0,\"\"],[1,\"x\"],[2,\"xx\"],[3,\"xxx\"],[4,\"xxxx\"],[5,\"xxxxx\"]]");
    assertNpSaveIdentical(out);
    write(sql("SELECT id + 10 AS id, 'y' AS s FROM range(2)"), SaveMode.Overwrite, out);
    assertThat(values(numpy(out))).isEqualTo("[[10,\"y\"],[11,\"y\"]]");
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void appendWritesTheCombinedFileAndReplacesTheOldOne() throws Exception {
    Path out = tmp.resolve("a.npy");
    Numpy.run("np.save(sys.argv[1], np.arange(4, dtype='<f4').reshape(2, 2))", out.toString());
    write(
        sql("SELECT array(CAST(id AS FLOAT), 0.5F) AS v FROM range(10, 13, 1, 2)"),
        SaveMode.Append,
        out);
    JsonNode n = numpy(out);
    assertThat(descr(n)).isEqualTo("\"<f4\"");
    assertThat(values(n)).isEqualTo("[[0.0,1.0],[2.0,3.0],[10.0,0.5],[11.0,0.5],[12.0,0.5]]");
    assertThat(Npy.isAppendable(out)).isTrue();
    assertNpSaveIdentical(out);
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void partitionedWritesAppendsAndOverwritesByRenamesAside() throws Exception {
    Path out = tmp.resolve("part");
    Dataset<Row> first = sql("SELECT id, CAST(id %% 2 AS INT) AS k FROM range(0, 6, 1, 2)");
    first.write().format("npy").partitionBy("k").save(remote(out));
    assertThat(values(numpy(out.resolve("k=0/data.npy")))).isEqualTo("[0,2,4]");
    sql("SELECT id, CAST(id %% 2 AS INT) AS k FROM range(6, 8)")
        .write()
        .format("npy")
        .mode(SaveMode.Append)
        .partitionBy("k")
        .save(remote(out));
    assertThat(values(numpy(out.resolve("k=0/data.npy")))).isEqualTo("[0,2,4,6]");
    assertNpSaveIdentical(out.resolve("k=1/data.npy"));
    sql("SELECT 9L AS id, 1 AS k")
        .write()
        .format("npy")
        .mode(SaveMode.Overwrite)
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy("k")
        .save(remote(out));
    assertThat(values(numpy(out.resolve("k=1/data.npy")))).isEqualTo("[9]");
    assertThat(values(numpy(out.resolve("k=0/data.npy")))).isEqualTo("[0,2,4,6]");
    assertThat(hiddenLeftovers(tmp)).isEmpty();
    assertThat(hiddenLeftovers(out.resolve("k=1"))).isEmpty();
  }

  @Test
  void partsArePublishedWithSuccess() throws Exception {
    Path dir = tmp.resolve("parts");
    write(sql("SELECT id FROM range(0, 4, 1, 2)"), SaveMode.Overwrite, dir, "merge", "false");
    List<String> names;
    try (Stream<Path> s = Files.list(dir)) {
      names = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(names).hasSize(3).contains("_SUCCESS");
    List<String> parts = names.stream().filter(n -> n.endsWith(".npy")).toList();
    assertThat(parts.get(0)).startsWith("part-00000-");
    assertThat(values(numpy(dir.resolve(parts.get(0))))).isEqualTo("[0,1]");
    assertThat(values(numpy(dir.resolve(parts.get(1))))).isEqualTo("[2,3]");
    assertThat(hiddenLeftovers(dir)).isEmpty();
  }
}
