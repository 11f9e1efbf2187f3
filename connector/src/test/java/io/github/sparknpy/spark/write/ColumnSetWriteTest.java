package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;

/**
 * {@code layout=columns}: a directory of row-aligned {@code .npy} files from one job, one per
 * column or member, with a manifest; checked with numpy file by file and row by row.
 */
class ColumnSetWriteTest extends WriterTestBase {

  /** Rows shuffled across five partitions: alignment cannot come from order alone. */
  private static Dataset<Row> frame() {
    return sql("SELECT id, CAST(id AS FLOAT) * 0.5F AS f1, CAST(id * 2 AS FLOAT) AS f2,"
            + " array(CAST(id AS DOUBLE), -1.0D, CAST(id AS DOUBLE) / 3) AS emb,"
            + " CAST(id %% 3 AS INT) AS label, concat('r', id) AS name"
            + " FROM range(0, 1000, 1, 4)")
        .repartition(5);
  }

  private static DataFrameWriter<Row> columns(Dataset<Row> df) {
    return df.write().format("npy").option("layout", "columns");
  }

  @Test
  void oneFilePerColumnRowAlignedWithAManifest() throws Exception {
    Path out = tmp.resolve("set");
    columns(frame()).save(out.toString());
    String check =
        Numpy.run(
            "import os\n"
                + "d = sys.argv[1]\n"
                + "m = json.load(open(d + '/manifest.json'))\n"
                + "a = {e['name']: np.load(d + '/' + e['file'], mmap_mode='r') for e in"
                + " m['members']}\n"
                + "i = a['id']\n"
                + "print(m['format'], m['version'], m['rows'], sorted(os.listdir(d)))\n"
                + "for e in m['members']:\n"
                + "    x = a[e['name']]\n"
                + "    print(e['name'], e['columns'], e['dtype'], e['shape'], x.dtype.str,"
                + " list(x.shape))\n"
                + "print(sorted(i.tolist()) == list(range(1000)),"
                + " bool((a['f1'] == (i.astype(np.float32) * np.float32(0.5))).all()),"
                + " bool((a['f2'] == (i * 2).astype(np.float32)).all()),"
                + " bool((a['emb'][:, 0] == i).all() and (a['emb'][:, 1] == -1).all()"
                + " and (a['emb'][:, 2] == i / 3).all()),"
                + " bool((a['label'] == i % 3).all()),"
                + " all(n == 'r%d' % k for n, k in zip(a['name'].tolist(), i.tolist())))\n",
            out);
    assertThat(check.trim().split("\n"))
        .containsExactly(
            "spark-npy column set 1 1000 ['_SUCCESS', 'emb.npy', 'f1.npy', 'f2.npy', 'id.npy',"
                + " 'label.npy', 'manifest.json', 'name.npy']",
            "id ['id'] <i8 [1000] <i8 [1000]",
            "f1 ['f1'] <f4 [1000] <f4 [1000]",
            "f2 ['f2'] <f4 [1000] <f4 [1000]",
            "emb ['emb'] <f8 [1000, 3] <f8 [1000, 3]",
            "label ['label'] <i4 [1000] <i4 [1000]",
            "name ['name'] <U4 [1000] <U4 [1000]",
            "True True True True True True");
    for (String f : new String[] {"id", "f1", "emb", "name"}) {
      assertNpSaveIdentical(out.resolve(f + ".npy"));
    }
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void membersGroupColumnsIntoMatricesWithTheirOwnDtypes() {
    Path out = tmp.resolve("groups");
    columns(frame().drop("emb", "name"))
        .option("members", "X: f1, F2; y:label ;ids:id")
        .option("dtype.x", "<f2")
        .save(out.toString());
    String check =
        Numpy.run(
            "d = sys.argv[1]\n"
                + "m = json.load(open(d + '/manifest.json'))\n"
                + "print([(e['name'], e['file'], e['columns'], e['dtype'], e['shape']) for e in"
                + " m['members']])\n"
                + "X = np.load(d + '/X.npy'); y = np.load(d + '/y.npy'); i = np.load(d + '/ids.npy')\n"
                + "ref = np.stack([i.astype(np.float32) * np.float32(0.5), (i * 2).astype(np.float32)],"
                + " axis=1).astype(np.float16)\n"
                + "print(X.dtype.str, X.shape, bool((X.view(np.uint16) == ref.view(np.uint16)).all()),"
                + " bool((y == i % 3).all()))\n",
            out);
    assertThat(check.trim().split("\n"))
        .containsExactly(
            "[('X', 'X.npy', ['f1', 'f2'], '<f2', [1000, 2]), ('y', 'y.npy', ['label'], '<i4',"
                + " [1000]), ('ids', 'ids.npy', ['id'], '<i8', [1000])]",
            "<f2 (1000, 2) True True");
  }

  @Test
  void saveModesAsForAPathOfSparksFileSources() throws Exception {
    Path out = tmp.resolve("modes");
    columns(sql("SELECT id, id * 2 AS twice FROM range(3)")).save(out.toString());
    assertThatThrownBy(() -> columns(frame()).save(out.toString()))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("[PATH_ALREADY_EXISTS]");
    columns(frame()).mode(SaveMode.Ignore).save(out.toString());
    assertThat(listing(out)).contains("twice.npy");
    assertThatThrownBy(() -> columns(frame()).mode(SaveMode.Append).save(out.toString()))
        .isInstanceOf(NpyWriteException.class)
        .hasMessageContaining("Cannot append to file:" + out + " with layout=columns")
        .hasMessageContaining("mode(\"overwrite\")");
    columns(sql("SELECT id, -id AS neg FROM range(5)"))
        .mode(SaveMode.Overwrite)
        .save(out.toString());
    assertThat(listing(out))
        .containsExactly("_SUCCESS", "id.npy", "manifest.json", "neg.npy")
        .doesNotContain("twice.npy");
    assertThat(values(numpy(out.resolve("neg.npy")))).isEqualTo("[0,-1,-2,-3,-4]");
    Path fresh = tmp.resolve("fresh");
    columns(sql("SELECT id FROM range(2)")).mode(SaveMode.Append).save(fresh.toString());
    assertThat(values(numpy(fresh.resolve("id.npy")))).isEqualTo("[0,1]");
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void aFailedTaskPublishesNothing() throws Exception {
    Path out = tmp.resolve("failed");
    Dataset<Row> ragged = sql("SELECT id, sequence(0, id %% 2) AS v FROM range(0, 10, 1, 1)");
    assertThatThrownBy(() -> columns(ragged).save(out.toString()))
        .satisfies(
            e ->
                assertThat(NpyWriterRoundTripTest.rootCause(e))
                    .isInstanceOf(NpyWriteException.class)
                    .hasMessageContaining("Cannot write column 'v'"));
    assertThat(Files.exists(out)).isFalse();
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void optionsThatCannotMakeASetAreRefusedByName() {
    String path = tmp.resolve("refused").toString();
    assertThatThrownBy(() -> columns(frame()).option("members", "X:f1,f2").save(path))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage(
            "Option members leaves out columns id, emb, label, name: add them to a member, or"
                + " select only the columns to write");
    assertThatThrownBy(() -> columns(frame()).option("members", "X:f1,nope").save(path))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining(
            "Option members names column 'nope', which the DataFrame does not have");
    assertThatThrownBy(() -> columns(frame()).option("members", "X:f1;X:f2").save(path))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("member 'X' twice");
    assertThatThrownBy(() -> columns(sql("SELECT 1 AS _hidden")).save(path))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("Cannot use '_hidden' as a member of layout=columns");
    assertThatThrownBy(() -> columns(frame()).option("dtype", "<f4").save(path))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("give each member its own, dtype.<member>");
    assertThatThrownBy(() -> columns(frame()).option("dtype.nope", "<f4").save(path))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("Invalid option dtype.nope: there is no member 'nope'");
    assertThatThrownBy(() -> columns(frame()).option("merge", "false").save(path))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("layout=columns with merge=false");
    assertThatThrownBy(() -> columns(frame()).partitionBy("label").save(path))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("Cannot write layout=columns partitioned by label");
    assertThatThrownBy(() -> frame().write().format("npy").option("members", "X:f1").save(path))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("Option members applies to layout=columns");
    assertThat(Files.exists(Path.of(path))).isFalse();
  }

  @Test
  void aSetReadsBackAsOneTableWithAColumnPerMember() {
    Path out = tmp.resolve("back");
    Dataset<Row> df = frame();
    columns(df).save(out.toString());
    Dataset<Row> back = spark().read().format("npy").load(out.toString());
    assertThat(back.schema().fieldNames())
        .containsExactly("id", "f1", "f2", "emb", "label", "name");
    assertThat(back.schema().fields()[3].dataType().simpleString()).isEqualTo("array<double>");
    assertThat(back.orderBy("id").collectAsList())
        .isEqualTo(
            df.selectExpr("id", "f1", "f2", "emb", "label", "name").orderBy("id").collectAsList());
    assertThat(back.count()).isEqualTo(1000);
    assertThat(back.select("_file").distinct().first().getString(0)).isEqualTo("file:" + out);

    Path groups = tmp.resolve("groups-back");
    columns(df.drop("emb", "name", "label"))
        .option("members", "X:f1,f2;ids:id")
        .save(groups.toString());
    List<Row> vectors =
        spark()
            .read()
            .format("npy")
            .option("member", "X")
            .option("layout", "vector")
            .load(groups.toString())
            .select("_row_index", "features")
            .collectAsList();
    List<Long> ids =
        spark()
            .read()
            .format("npy")
            .option("member", "ids")
            .load(groups.toString())
            .as(Encoders.LONG())
            .collectAsList();
    for (Row r : vectors) {
      long id = ids.get((int) r.getLong(0));
      assertThat(((org.apache.spark.ml.linalg.Vector) r.getAs(1)).toArray())
          .containsExactly(id * 0.5, id * 2.0);
    }
    assertThatThrownBy(
            () -> spark().read().format("npy").option("member", "nope").load(groups.toString()))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("Cannot read member 'nope' of the column set")
        .hasMessageContaining("its members are X, ids");
  }

  /**
   * A commit failing after some members are merged, or with the whole new set (or archive) built
   * but not yet renamed in: the Overwrite fails and the old content stays byte for byte.
   */
  @Test
  void aFailedCommitLeavesTheOldSetOrArchiveAsItWas() throws Exception {
    for (String target : new String[] {"faulty", "faulty.npz"}) {
      Path out = tmp.resolve(target);
      columns(sql("SELECT id, -id AS neg FROM range(5)")).save(out.toString());
      java.util.Map<String, String> before = contents(out);
      // the second member (f1, staged under m1) merged; the whole set (or archive) built, not yet
      // renamed in
      String whole = "." + target + (target.endsWith(".npz") ? ".npy-npz-" : ".npy-set-");
      for (String step : new String[] {"m1", whole}) {
        CommitFaults.install(
            (reached, at) -> {
              boolean there =
                  step.equals("m1")
                      ? at.getParent().getName().equals("m1") || at.getName().startsWith(".f1.npy")
                      : at.getName().startsWith(step);
              if (reached == Checkpoint.Step.DATA_WRITTEN && there) {
                throw new java.io.IOException("injected at " + at);
              }
            });
        try {
          assertThatThrownBy(
                  () ->
                      columns(frame().drop("emb", "name"))
                          .mode(SaveMode.Overwrite)
                          .save(out.toString()))
              .as("%s failing at %s", target, step)
              .hasStackTraceContaining("injected at");
        } finally {
          CommitFaults.clear();
        }
        assertThat(contents(out)).as("%s after a failure at %s", target, step).isEqualTo(before);
        assertThat(hiddenLeftovers(tmp)).isEmpty();
      }
    }
  }

  /** Every file under {@code p} (or {@code p} itself) by relative name, with its bytes in hex. */
  private static java.util.Map<String, String> contents(Path p) throws java.io.IOException {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    java.util.HexFormat hex = java.util.HexFormat.of();
    if (Files.isRegularFile(p)) {
      out.put("", hex.formatHex(Files.readAllBytes(p)));
      return out;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        out.put(p.relativize(f).toString(), hex.formatHex(Files.readAllBytes(f)));
      }
    }
    return out;
  }

  @Test
  void aStreamOfASetIsRefusedByName() throws Exception {
    Path out = tmp.resolve("streamed");
    columns(sql("SELECT id FROM range(3)")).save(out.toString());
    org.apache.spark.sql.streaming.StreamingQuery q =
        spark()
            .readStream()
            .format("npy")
            .load(out.toString())
            .writeStream()
            .format("memory")
            .queryName("column_set_stream")
            .option("checkpointLocation", tmp.resolve("checkpoint").toString())
            .start();
    try {
      assertThatThrownBy(q::processAllAvailable)
          .isInstanceOf(org.apache.spark.sql.streaming.StreamingQueryException.class)
          .rootCause()
          .isInstanceOf(io.github.sparknpy.spark.read.NpyStreamException.class)
          .hasMessageContaining("Cannot stream file:" + out + ": it is a column set");
    } finally {
      q.stop();
    }
  }

  /**
   * Reads racing Overwrites of a set: each read gives one whole version (every row's members from
   * the same write) or fails saying what changed; never members of two versions side by side.
   */
  @Test
  void aReadRacingOverwritesOfASetSeesOneWholeVersionOrFails() throws Exception {
    Path target = tmp.resolve("raced");
    columns(version(0)).save(target.toString());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger overwrites = new AtomicInteger();
    AtomicReference<Throwable> writerFailure = new AtomicReference<>();
    Thread writer =
        new Thread(
            () -> {
              try {
                for (int v = 1; !stop.get(); v++) {
                  columns(version(v % 3)).mode(SaveMode.Overwrite).save(target.toString());
                  overwrites.incrementAndGet();
                }
              } catch (Throwable e) {
                writerFailure.set(e);
              }
            },
            "set-overwriter");
    writer.setDaemon(true);
    writer.start();
    int whole = 0;
    int failed = 0;
    List<String> mixed = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 8_000;
    try {
      while (System.currentTimeMillis() < deadline) {
        List<Row> rows;
        try {
          rows = spark().read().format("npy").load(target.toString()).collectAsList();
        } catch (Exception e) {
          Throwable root = NpyWriterRoundTripTest.rootCause(e);
          assertThat(root)
              .as("a read failing during an overwrite")
              .isInstanceOfAny(
                  io.github.sparknpy.spark.read.NpyFileChangedException.class,
                  io.github.sparknpy.npy.error.NpyFormatException.class,
                  io.github.sparknpy.spark.read.NpyPathException.class,
                  AnalysisException.class,
                  java.io.FileNotFoundException.class,
                  java.nio.file.NoSuchFileException.class);
          failed++;
          continue;
        }
        long v = rows.isEmpty() ? -1 : rows.get(0).getLong(0);
        boolean ok = rows.size() == 1000 + 100 * v;
        for (Row r : rows) {
          ok &= r.getLong(0) == v && r.getLong(1) == 2 * v;
        }
        if (ok) {
          whole++;
        } else {
          mixed.add(rows.size() + " rows, first " + (rows.isEmpty() ? "-" : rows.get(0)));
        }
      }
    } finally {
      stop.set(true);
      writer.join(60_000);
    }
    assertThat(writerFailure.get()).isNull();
    assertThat(mixed).isEmpty();
    assertThat(overwrites.get()).isGreaterThan(3);
    assertThat(whole).isGreaterThan(3);
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  /** Version {@code v} of a set: 1000 + 100 v rows, every id v and every twice 2 v. */
  private static Dataset<Row> version(int v) {
    return sql(
        "SELECT CAST(%d AS BIGINT) AS id, CAST(%d AS BIGINT) AS twice FROM range(0, %d, 1, 2)",
        v, 2 * v, 1000 + 100 * v);
  }

  private static java.util.List<String> listing(Path dir) throws java.io.IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
