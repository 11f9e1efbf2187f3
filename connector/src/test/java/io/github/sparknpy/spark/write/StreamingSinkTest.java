package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.sparknpy.npy.NpyAppendArray;
import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.spark.LogCapture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/**
 * {@code df.writeStream.format("npy")}: every micro-batch's rows appended to one file (or added as
 * parts) exactly once, across restarts, re-commits of an epoch and commits cut short.
 */
class StreamingSinkTest extends WriterTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static void append(Path file, long from, long to) throws IOException {
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      out.append(LongStream.range(from, to).toArray(), to - from);
    }
  }

  /** A stream from the npy source at {@code source} into the npy sink at {@code sink}. */
  private StreamingQuery start(Path source, String sink, Path checkpoint, Map<String, String> opts)
      throws Exception {
    Dataset<Row> in = spark().readStream().format("npy").load(source.toString());
    return in.writeStream()
        .format("npy")
        .options(opts)
        .option("checkpointLocation", checkpoint.toString())
        .trigger(Trigger.ProcessingTime(0))
        .start(sink);
  }

  private void runOnce(Path source, String sink, Path checkpoint, Map<String, String> opts)
      throws Exception {
    StreamingQuery q = start(source, sink, checkpoint, opts);
    try {
      q.processAllAvailable();
    } finally {
      q.stop();
    }
  }

  /**
   * Two runs of the query from one checkpoint: the source holds rows [0, first) for the first and
   * [0, total) for the second.
   */
  private void runTwice(
      Path source, String sink, Path checkpoint, long first, long total, Map<String, String> opts)
      throws Exception {
    append(source, 0, first);
    runOnce(source, sink, checkpoint, opts);
    append(source, first, total);
    runOnce(source, sink, checkpoint, opts);
  }

  private static String range(long from, long to) {
    return LongStream.range(from, to).boxed().toList().toString().replace(" ", "");
  }

  private static Path logDir(Path sink) {
    return sink.resolveSibling(EpochLog.DIR).resolve(sink.getFileName().toString());
  }

  @Test
  void microBatchesAppendToOneNumpyReadyFileExactlyOnceAcrossARestart() throws Exception {
    Path source = tmp.resolve("in.npy");
    Path sink = tmp.resolve("out.npy");
    Path checkpoint = tmp.resolve("cp");
    append(source, 0, 100);
    StreamingQuery q;
    try (LogCapture log = LogCapture.of(io.github.sparknpy.spark.config.KnownOptions.class)) {
      q =
          spark()
              .readStream()
              .format("npy")
              .load(source.toString())
              .writeStream()
              .format("npy")
              .queryName("sink_test")
              .option("checkpointLocation", checkpoint.toString())
              .start(sink.toString());
      q.processAllAvailable();
      assertThat(log.warnings()).as("the query's own settings are no unknown options").isEmpty();
    }
    try {
      assertThat(values(numpy(sink))).isEqualTo(range(0, 100));
      append(source, 100, 250);
      q.processAllAvailable();
      JsonNode after = numpy(sink);
      assertThat(descr(after)).isEqualTo("\"<i8\"");
      assertThat(values(after)).isEqualTo(range(0, 250));
    } finally {
      q.stop();
    }
    append(source, 250, 300);
    runOnce(source, sink.toString(), checkpoint, Map.of());
    assertThat(values(numpy(sink))).isEqualTo(range(0, 300));
    assertNpSaveIdentical(sink);
    assertThat(hiddenLeftovers(tmp)).isEmpty();
    try (Stream<Path> entries = Files.list(logDir(sink))) {
      assertThat(entries.map(p -> p.getFileName().toString()).toList())
          .as("one directory per query, no pending entry")
          .hasSize(1);
    }
    // the log is invisible to readers of the directory, as _spark_metadata is
    assertThat(spark().read().format("npy").load(tmp.toString() + "/out.npy").count())
        .isEqualTo(300);
  }

  /**
   * Spark commits the last micro-batch again when it restarts before it recorded the commit in its
   * checkpoint (a crash between the sink's commit and Spark's): the log says it is in, so it is
   * skipped.
   */
  @Test
  void anEpochCommittedAgainAfterARestartIsSkipped() throws Exception {
    Path source = tmp.resolve("in.npy");
    Path sink = tmp.resolve("out.npy");
    Path checkpoint = tmp.resolve("cp");
    runTwice(source, sink.toString(), checkpoint, 40, 70, Map.of());
    forgetLastSparkCommit(checkpoint);

    runOnce(source, sink.toString(), checkpoint, Map.of());
    assertThat(values(numpy(sink))).isEqualTo(range(0, 70));
  }

  /** Deletes the newest batch of Spark's commit log: Spark runs that batch again on restart. */
  private static long forgetLastSparkCommit(Path checkpoint) throws IOException {
    long last;
    try (Stream<Path> commits = Files.list(checkpoint.resolve("commits"))) {
      last =
          commits
              .map(p -> p.getFileName().toString())
              .filter(n -> n.chars().allMatch(Character::isDigit))
              .mapToLong(Long::parseLong)
              .max()
              .orElseThrow();
    }
    Files.delete(checkpoint.resolve("commits").resolve(Long.toString(last)));
    Files.deleteIfExists(checkpoint.resolve("commits").resolve("." + last + ".crc"));
    return last;
  }

  /**
   * The state a driver killed during a commit leaves: the last epoch's rows are published (here,
   * with its header rewritten, or with its data appended and the header not yet rewritten), its log
   * entry is pending, and Spark has not recorded it. The restart cuts the file back to its rows
   * before the epoch, and the replayed epoch adds them once.
   */
  @Test
  void aCommitCutShortIsUndoneBeforeTheEpochRunsAgain() throws Exception {
    for (boolean headerRewritten : new boolean[] {true, false}) {
      Path dir = newDir("cut-" + headerRewritten);
      Path source = dir.resolve("in.npy");
      Path sink = dir.resolve("out.npy");
      Path checkpoint = dir.resolve("cp");
      runTwice(source, sink.toString(), checkpoint, 50, 80, Map.of());
      long epoch = forgetLastSparkCommit(checkpoint);
      ObjectNode entry = makePending(logDir(sink), epoch);
      if (!headerRewritten) {
        // the data of the epoch after the file's rows, the header still the old one
        try (FileChannel ch = FileChannel.open(sink, StandardOpenOption.WRITE)) {
          ch.truncate(entry.get("bytesBefore").asLong());
          ByteBuffer garbage = ByteBuffer.allocate(8 * 30 + 3);
          ch.write(garbage, entry.get("bytesBefore").asLong());
          rewriteRows(ch, sink, entry.get("rowsBefore").asLong());
        }
      }
      runOnce(source, sink.toString(), checkpoint, Map.of());
      assertThat(values(numpy(sink)))
          .as("header rewritten: " + headerRewritten)
          .isEqualTo(range(0, 80));
      assertThat(Files.exists(logDir(sink).resolve("pending"))).isFalse();
    }
  }

  /**
   * Elsewhere than on the local file system (as on HDFS or S3) each micro-batch is a rewritten copy
   * renamed over the file, and a cut-short commit is undone by a copy of the rows before it.
   */
  @Test
  void onARemoteFileSystemACutShortCommitIsUndoneByACopy() throws Exception {
    FakeRemoteFileSystem.register(spark().sparkContext().hadoopConfiguration());
    Path source = tmp.resolve("in.npy");
    Path sink = tmp.resolve("out.npy");
    String remote = FakeRemoteFileSystem.SCHEME + "://" + sink.toAbsolutePath();
    Path checkpoint = tmp.resolve("cp");
    runTwice(source, remote, checkpoint, 60, 90, Map.of());
    long epoch = forgetLastSparkCommit(checkpoint);
    makePending(logDir(sink), epoch);

    try (LogCapture log = LogCapture.of(EpochRollback.class)) {
      runOnce(source, remote, checkpoint, Map.of());
      assertThat(log.warnings()).anyMatch(w -> w.contains("back to 60 rows (by a copy)"));
    }
    assertThat(values(numpy(sink))).isEqualTo(range(0, 90));
    assertNpSaveIdentical(sink);
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  /**
   * Turns the committed log entry of {@code epoch} back into the pending entry its commit wrote
   * before it published: the state after a crash between the publication and the log's commit.
   */
  private static ObjectNode makePending(Path logDir, long epoch) throws IOException {
    Path entry;
    try (Stream<Path> queries = Files.list(logDir)) {
      entry =
          queries
              .filter(Files::isDirectory)
              .map(q -> q.resolve(Long.toString(epoch)))
              .filter(Files::exists)
              .findFirst()
              .orElseThrow();
    }
    ObjectNode n = (ObjectNode) JSON.readTree(entry.toFile());
    n.put("rowsAfter", -1);
    n.put("bytesAfter", -1);
    Files.writeString(logDir.resolve("pending"), JSON.writeValueAsString(n));
    Files.delete(entry);
    return n;
  }

  /** Rewrites the header of {@code file} for {@code rows} rows, in place. */
  private static void rewriteRows(FileChannel ch, Path file, long rows) throws IOException {
    io.github.sparknpy.npy.header.EncodedHeader h =
        io.github.sparknpy.npy.header.EncodedHeader.read(
            new io.github.sparknpy.npy.io.LocalInputFile(file));
    ch.write(ByteBuffer.wrap(h.header().withRowCount(rows).encode(h.version(), h.dataOffset())), 0);
  }

  @Test
  void mergeFalseAddsPartFilesPerEpochAndACutShortEpochsPartsGo() throws Exception {
    Path source = tmp.resolve("in.npy");
    Path sink = tmp.resolve("parts");
    Path checkpoint = tmp.resolve("cp");
    runTwice(source, sink.toString(), checkpoint, 30, 45, Map.of("merge", "false"));
    long epoch = forgetLastSparkCommit(checkpoint);
    makePending(sink.resolve(EpochLog.DIR), epoch);

    runOnce(source, sink.toString(), checkpoint, Map.of("merge", "false"));
    List<Long> all = new ArrayList<>();
    try (Stream<Path> parts = Files.list(sink)) {
      for (Path part : parts.filter(p -> p.toString().endsWith(".npy")).sorted().toList()) {
        for (JsonNode v : numpy(part).get("values")) {
          all.add(v.asLong());
        }
      }
    }
    assertThat(all).isEqualTo(LongStream.range(0, 45).boxed().toList());
    assertThat(spark().read().format("npy").load(sink.toString()).count()).isEqualTo(45);
  }

  /** A reader of the file while the stream commits sees the rows of committed epochs only. */
  @Test
  void aReaderDuringCommitsSeesWholeEpochs() throws Exception {
    Path source = tmp.resolve("in.npy");
    Path sink = tmp.resolve("out.npy");
    Path checkpoint = tmp.resolve("cp");
    append(source, 0, 10);
    List<Long> seen = new CopyOnWriteArrayList<>();
    List<String> errors = new CopyOnWriteArrayList<>();
    AtomicBoolean done = new AtomicBoolean();
    Thread reader =
        new Thread(
            () -> {
              while (!done.get()) {
                try (NpyFile f = NpyFile.open(sink)) {
                  long rows = f.rowCount();
                  java.nio.LongBuffer values =
                      f.rows(0, rows).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer();
                  for (int i = 0; i < rows; i++) {
                    if (values.get(i) != i) {
                      errors.add("row " + i + " = " + values.get(i) + " of " + rows);
                      break;
                    }
                  }
                  seen.add(rows);
                } catch (NoSuchFileException e) {
                  // not created yet
                } catch (IOException | RuntimeException e) {
                  errors.add(e.toString());
                }
              }
            });
    reader.start();
    Set<Long> boundaries = new TreeSet<>();
    StreamingQuery q = start(source, sink.toString(), checkpoint, Map.of());
    try {
      q.processAllAvailable();
      boundaries.add(10L);
      for (int i = 1; i <= 8; i++) {
        append(source, i * 10L, i * 10L + 10);
        q.processAllAvailable();
        boundaries.add(i * 10L + 10);
      }
    } finally {
      q.stop();
      done.set(true);
      reader.join();
    }
    assertThat(errors).isEmpty();
    assertThat(seen).isNotEmpty();
    assertThat(boundaries).containsAll(new TreeSet<>(seen));
  }

  @Test
  void anotherQuerysUnfinishedCommitStopsTheQueryUntilItsEntryIsDeleted() throws Exception {
    Path source = tmp.resolve("in.npy");
    Path sink = tmp.resolve("out.npy");
    append(source, 0, 20);
    runOnce(source, sink.toString(), tmp.resolve("cp1"), Map.of());
    Path pending = logDir(sink).resolve("pending");
    Files.writeString(
        pending,
        "{\"version\":1,\"query\":\"other-query\",\"epoch\":7,\"existed\":true,"
            + "\"rowsBefore\":20,\"bytesBefore\":288,\"rowsAfter\":-1,\"bytesAfter\":-1}");

    StreamingQuery q = start(source, sink.toString(), tmp.resolve("cp2"), Map.of());
    assertThatThrownBy(q::processAllAvailable)
        .isInstanceOf(StreamingQueryException.class)
        .rootCause()
        .isInstanceOf(NpyStreamingSinkException.class)
        .hasMessageContaining("micro-batch 7 of another query (other-query)")
        .hasMessageContaining("delete " + pending.toUri().toString().replace("file:///", "file:/"));
    q.stop();
    assertThat(values(numpy(sink))).isEqualTo(range(0, 20));

    Files.delete(pending);
    runOnce(source, sink.toString(), tmp.resolve("cp2"), Map.of());
    // a new query (new checkpoint) appends the source's rows after the first query's
    assertThat(numpy(sink).get("shape").toString()).isEqualTo("[40]");
  }

  /**
   * A pending entry the file no longer matches (another program replaced the file after the commit
   * was cut short), and a log entry of another version: the query stops at start, naming the file
   * or the entry, and leaves the file alone.
   */
  @Test
  void aLogTheTargetNoLongerMatchesStopsTheQueryNamingTheFile() throws Exception {
    Path source = tmp.resolve("in.npy");
    Path sink = tmp.resolve("out.npy");
    Path checkpoint = tmp.resolve("cp");
    runTwice(source, sink.toString(), checkpoint, 20, 30, Map.of());
    long epoch = forgetLastSparkCommit(checkpoint);
    makePending(logDir(sink), epoch);
    Files.delete(sink);
    append(sink, 0, 5);

    StreamingQuery q = start(source, sink.toString(), checkpoint, Map.of());
    assertThatThrownBy(q::processAllAvailable)
        .isInstanceOf(StreamingQueryException.class)
        .rootCause()
        .isInstanceOf(NpyStreamingSinkException.class)
        .hasMessageContaining(
            "Cannot restart the npy sink at "
                + sink.toUri().toString().replace("file:///", "file:/"))
        .hasMessageContaining("micro-batch " + epoch + " of query ")
        .hasMessageContaining("should hold the 20 rows")
        .hasMessageContaining("but it holds 5 rows")
        .hasMessageContaining("another program changed it");
    q.stop();
    assertThat(values(numpy(sink))).isEqualTo(range(0, 5));

    Files.writeString(logDir(sink).resolve("pending"), "{\"version\":2}");
    StreamingQuery again = start(source, sink.toString(), checkpoint, Map.of());
    assertThatThrownBy(again::processAllAvailable)
        .isInstanceOf(StreamingQueryException.class)
        .rootCause()
        .isInstanceOf(NpyStreamingSinkException.class)
        .hasMessageContaining("Cannot read the npy sink's log entry")
        .hasMessageContaining("pending")
        .hasMessageContaining("is not version 1 of the log");
    again.stop();
  }

  @Test
  void updateOutputModeIsRefusedBySpark() throws Exception {
    Path source = tmp.resolve("in.npy");
    append(source, 0, 5);
    StreamingQuery q =
        spark()
            .readStream()
            .format("npy")
            .load(source.toString())
            .writeStream()
            .format("npy")
            .outputMode(OutputMode.Update())
            .option("checkpointLocation", tmp.resolve("cp").toString())
            .start(tmp.resolve("u.npy").toString());
    assertThatThrownBy(q::processAllAvailable)
        .isInstanceOf(StreamingQueryException.class)
        .hasMessageContaining("npy")
        .hasMessageContaining("Update");
    q.stop();
    assertThat(tmp.resolve("u.npy")).doesNotExist();
  }

  @Test
  void stringColumnsOfANewFileNeedStringLength() throws Exception {
    Path source = tmp.resolve("in.npy");
    append(source, 0, 5);
    Dataset<Row> in =
        spark()
            .readStream()
            .format("npy")
            .load(source.toString())
            .selectExpr("cast(value as string) s");
    StreamingQuery q =
        in.writeStream()
            .format("npy")
            .option("checkpointLocation", tmp.resolve("cp").toString())
            .start(tmp.resolve("s.npy").toString());
    assertThatThrownBy(q::processAllAvailable)
        .isInstanceOf(StreamingQueryException.class)
        .rootCause()
        .isInstanceOf(NpyStreamingSinkException.class)
        .hasMessageContaining(tmp.resolve("s.npy").toString())
        .hasMessageContaining("string column(s) s need a fixed width")
        .hasMessageContaining("stringLength");
    q.stop();

    runOnce(
        source, tmp.resolve("s2.npy").toString(), tmp.resolve("cp2"), Map.of("stringLength", "4"));
  }

  @Test
  void completeOutputModeIsRefused() throws Exception {
    Path source = tmp.resolve("in.npy");
    append(source, 0, 5);
    Dataset<Row> counts =
        spark().readStream().format("npy").load(source.toString()).groupBy("value").count();
    StreamingQuery q =
        counts
            .writeStream()
            .format("npy")
            .outputMode(OutputMode.Complete())
            .option("checkpointLocation", tmp.resolve("cp").toString())
            .start(tmp.resolve("c.npy").toString());
    assertThatThrownBy(q::processAllAvailable)
        .isInstanceOf(StreamingQueryException.class)
        .rootCause()
        .isInstanceOf(NpyStreamingSinkException.class)
        .hasMessageContaining(tmp.resolve("c.npy").toString())
        .hasMessageContaining("outputMode \"complete\"");
    q.stop();
  }

  @Test
  void anEpochThatDoesNotMatchTheFilesDtypeFailsNamingTheFile() throws Exception {
    Path source = tmp.resolve("in.npy");
    append(source, 0, 5);
    Path sink = tmp.resolve("f4.npy");
    spark().range(3).selectExpr("cast(id as float) x").write().format("npy").save(sink.toString());
    StreamingQuery q = start(source, sink.toString(), tmp.resolve("cp"), Map.of());
    assertThatThrownBy(q::processAllAvailable)
        .isInstanceOf(StreamingQueryException.class)
        .rootCause()
        .isInstanceOf(NpySchemaMismatchException.class)
        .hasMessageContaining(
            "Cannot append to " + sink.toUri().toString().replace("file:///", "file:/"))
        .hasMessageContaining("<f4");
    q.stop();
    assertThat(values(numpy(sink))).isEqualTo("[0.0,1.0,2.0]");
  }
}
