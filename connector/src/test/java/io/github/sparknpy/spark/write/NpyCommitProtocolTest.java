package io.github.sparknpy.spark.write;

import static io.github.sparknpy.spark.write.NpyWriterRoundTripTest.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.io.LocalInputFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.Test;

/**
 * The commit protocol driven the way Spark drives it, with failures injected: failed and
 * speculative attempts, damaged parts, failing job commits. The shared {@code local[2]} session
 * does not retry tasks ({@code local[N]} means one attempt), so attempts are driven directly here,
 * and a failing task is also run through Spark end to end.
 */
class NpyCommitProtocolTest extends WriterTestBase {
  private static final StructType SCHEMA =
      new StructType().add("x", DataTypes.LongType, false).add("s", DataTypes.StringType);

  private static BatchWrite batchWrite(Path out, boolean overwrite, String... options) {
    Map<String, String> opts = new HashMap<>();
    opts.put("path", out.toString());
    for (int i = 0; i < options.length; i += 2) {
      opts.put(options[i], options[i + 1]);
    }
    CaseInsensitiveStringMap map = new CaseInsensitiveStringMap(opts);
    String queryId = UUID.randomUUID().toString();
    LogicalWriteInfo info =
        new LogicalWriteInfo() {
          @Override
          public CaseInsensitiveStringMap options() {
            return map;
          }

          @Override
          public String queryId() {
            return queryId;
          }

          @Override
          public StructType schema() {
            return SCHEMA;
          }
        };
    WriteBuilder b = new NpyWriteBuilder(spark(), map, info, false);
    if (overwrite) {
      b = ((NpyWriteBuilder) b).truncate();
    }
    return b.build().toBatch();
  }

  private static InternalRow row(long x) {
    return new GenericInternalRow(
        new Object[] {x, org.apache.spark.unsafe.types.UTF8String.fromString("r" + x)});
  }

  /** Writes rows [from, to) in one attempt; throws after {@code failAfter} rows if ≥ 0. */
  private static WriterCommitMessage attempt(
      DataWriterFactory f, int partition, long taskId, long from, long to, long failAfter)
      throws IOException {
    DataWriter<InternalRow> w = f.createWriter(partition, taskId);
    try {
      for (long x = from; x < to; x++) {
        if (failAfter >= 0 && x - from == failAfter) {
          throw new IllegalStateException("injected failure after " + failAfter + " rows");
        }
        w.write(row(x));
      }
      return w.commit();
    } catch (IllegalStateException e) {
      w.abort();
      return null;
    } finally {
      w.close();
    }
  }

  private static String expected(long from, long to) {
    StringBuilder sb = new StringBuilder("[");
    for (long x = from; x < to; x++) {
      sb.append(x == from ? "" : ",").append("[").append(x).append(",\"r").append(x).append("\"]");
    }
    return sb.append("]").toString();
  }

  @Test
  void failedAndSpeculativeAttemptsNeitherDuplicateNorLoseRows() throws Exception {
    Path out = tmp.resolve("c.npy");
    BatchWrite bw = batchWrite(out, false);
    DataWriterFactory f = bw.createBatchWriterFactory(() -> 3);
    assertThat(attempt(f, 0, 100, 0, 10, 5)).isNull(); // attempt 0 fails after half its rows
    WriterCommitMessage p0 = attempt(f, 0, 101, 0, 10, -1); // its retry commits
    WriterCommitMessage p1 = attempt(f, 1, 102, 10, 20, -1);
    // a speculative copy of partition 1 that also finished: its part is staged but not chosen
    WriterCommitMessage p1spec = attempt(f, 1, 103, 10, 20, -1);
    assertThat(p1spec).isNotNull();
    WriterCommitMessage p2 = attempt(f, 2, 104, 20, 20, -1); // an empty partition
    bw.commit(new WriterCommitMessage[] {p2, p0, p1});
    assertThat(values(numpy(out))).isEqualTo(expected(0, 20));
    assertThat(descr(numpy(out))).isEqualTo("[[\"x\",\"<i8\"],[\"s\",\"<U3\"]]");
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void twoCommittedAttemptsOfOnePartitionAreRefusedAndAbortLeavesTheOldFile() throws Exception {
    Path out = tmp.resolve("twice.npy");
    spark().range(3).selectExpr("id AS x", "'old' AS s").write().format("npy").save(out.toString());
    byte[] before = Files.readAllBytes(out);
    BatchWrite bw = batchWrite(out, true);
    DataWriterFactory f = bw.createBatchWriterFactory(() -> 2);
    WriterCommitMessage p0 = attempt(f, 0, 1, 0, 5, -1);
    // a speculative copy and its original both committed (commit coordination turned off)
    WriterCommitMessage p1 = attempt(f, 1, 2, 5, 9, -1);
    WriterCommitMessage p1copy = attempt(f, 1, 3, 5, 9, -1);
    WriterCommitMessage[] messages = {p0, p1, p1copy};
    assertThatThrownBy(() -> bw.commit(messages))
        .isInstanceOf(NpyWriteException.class)
        .hasMessageContaining("partition 1 was committed twice (attempts 2 and 3)");
    bw.abort(messages);
    assertThat(Files.readAllBytes(out)).isEqualTo(before);
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void aPartWhoseHeaderWasNeverFixedIsRecoveredBeforeConcatenation() throws Exception {
    Path out = tmp.resolve("r.npy");
    BatchWrite bw = batchWrite(out, false);
    DataWriterFactory f = bw.createBatchWriterFactory(() -> 2);
    NpyCommitMessage p0 = (NpyCommitMessage) attempt(f, 0, 1, 0, 4, -1);
    NpyCommitMessage p1 = (NpyCommitMessage) attempt(f, 1, 2, 4, 9, -1);
    // as after a crash with deferred headers: the data is there, the header still says 0 rows
    Path staged = Path.of(new org.apache.hadoop.fs.Path(p1.stagedPath()).toUri());
    EncodedHeader h = EncodedHeader.read(new LocalInputFile(staged));
    try (FileChannel ch = FileChannel.open(staged, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(h.header().withRowCount(0).encode(h.version(), h.dataOffset())), 0);
    }
    bw.commit(new WriterCommitMessage[] {p0, p1});
    assertThat(values(numpy(out))).isEqualTo(expected(0, 9));
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void aFailingJobCommitLeavesThePreviousContentAndAbortCleansUp() throws Exception {
    Path out = tmp.resolve("keep.npy");
    spark().range(3).selectExpr("id AS x", "'old' AS s").write().format("npy").save(out.toString());
    byte[] before = Files.readAllBytes(out);
    BatchWrite bw = batchWrite(out, true);
    DataWriterFactory f = bw.createBatchWriterFactory(() -> 3);
    NpyCommitMessage p0 = (NpyCommitMessage) attempt(f, 0, 1, 0, 4, -1);
    NpyCommitMessage p1 = (NpyCommitMessage) attempt(f, 1, 2, 4, 9, -1);
    // the staged part lost its last row: it cannot be recovered to what the task committed
    Path staged = Path.of(new org.apache.hadoop.fs.Path(p1.stagedPath()).toUri());
    try (FileChannel ch = FileChannel.open(staged, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 1);
    }
    WriterCommitMessage[] messages = {p0, p1, null};
    assertThatThrownBy(() -> bw.commit(messages))
        .isInstanceOf(NpyWriteException.class)
        .hasMessageContaining("of partition 1 holds 4 complete rows")
        .hasMessageContaining("but its task committed 5. The part is damaged");
    assertThat(Files.readAllBytes(out)).isEqualTo(before);
    bw.abort(messages);
    assertThat(Files.readAllBytes(out)).isEqualTo(before);
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void abortToleratesNullMessagesAndDeletesEveryStagedAttempt() throws Exception {
    Path out = tmp.resolve("never.npy");
    BatchWrite bw = batchWrite(out, false, "merge", "false");
    DataWriterFactory f = bw.createBatchWriterFactory(() -> 2);
    WriterCommitMessage p0 = attempt(f, 0, 1, 0, 5, -1);
    assertThat(hiddenLeftovers(tmp)).hasSize(1);
    bw.abort(new WriterCommitMessage[] {p0, null});
    assertThat(hiddenLeftovers(tmp)).isEmpty();
    assertThat(Files.exists(out)).isFalse();
  }

  @Test
  void aTaskFailingHalfwayOnItsFirstAttemptIsRetriedWithoutDuplicatesOrLosses() throws Exception {
    Path out = tmp.resolve("retried.npy");
    spark().range(3).selectExpr("id AS x").write().format("npy").save(out.toString());
    spark()
        .udf()
        .register(
            "npy_fail_first_attempt",
            (UDF1<Long, Long>)
                id -> {
                  TaskContext tc = TaskContext.get();
                  if (tc.attemptNumber() == 0 && tc.partitionId() == 1 && id == 15) {
                    throw new IllegalStateException("injected failure in partition 1 at id 15");
                  }
                  return id;
                },
            DataTypes.LongType);

    // The shared session runs local[2,2]: a failed task gets a second attempt, as on a cluster.
    sql("SELECT npy_fail_first_attempt(id) AS x FROM range(0, 20, 1, 2)")
        .write()
        .format("npy")
        .mode(SaveMode.Overwrite)
        .save(out.toString());

    assertThat(values(numpy(out)))
        .isEqualTo(LongStream.range(0, 20).boxed().toList().toString().replace(" ", ""));
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void aTaskFailingOnEveryAttemptFailsTheJobAndLeavesTheOldFileIntact() throws Exception {
    Path out = tmp.resolve("spark.npy");
    spark().range(3).selectExpr("id AS x").write().format("npy").save(out.toString());
    byte[] before = Files.readAllBytes(out);
    spark()
        .udf()
        .register(
            "npy_fail_always",
            (UDF1<Long, Long>)
                id -> {
                  if (TaskContext.get().partitionId() == 1 && id == 15) {
                    throw new IllegalStateException("injected failure in partition 1 at id 15");
                  }
                  return id;
                },
            DataTypes.LongType);
    assertThatThrownBy(
            () ->
                sql("SELECT npy_fail_always(id) AS x FROM range(0, 20, 1, 2)")
                    .write()
                    .format("npy")
                    .mode(SaveMode.Overwrite)
                    .save(out.toString()))
        .satisfies(e -> assertThat(rootCause(e)).hasMessageContaining("injected failure"));
    assertThat(Files.readAllBytes(out)).isEqualTo(before);
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }
}
