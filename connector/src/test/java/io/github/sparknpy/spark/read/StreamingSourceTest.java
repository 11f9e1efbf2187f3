package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.NpyAppendArray;
import io.github.sparknpy.spark.SparkTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/**
 * {@code spark.readStream.format("npy")}: rows appended to files and new files, each delivered once
 * across micro-batches and restarts from the checkpoint.
 */
class StreamingSourceTest extends SparkTestBase {
  /**
   * Rows each query delivered, by micro-batch id, keyed by a name per test. A batch that ran but
   * was not yet committed when its query stopped runs again after the restart (foreachBatch is
   * at-least-once): it must bring exactly the same rows, else {@link #REPLAY_ERRORS} says so.
   */
  private static final Map<String, java.util.SortedMap<Long, List<Long>>> DELIVERED =
      new ConcurrentHashMap<>();

  private static final List<String> REPLAY_ERRORS = new CopyOnWriteArrayList<>();

  private static void append(Path file, long from, long to) throws IOException {
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      out.append(LongStream.range(from, to).toArray(), to - from);
    }
  }

  /** Starts a query collecting each batch's {@code value}s into {@link #DELIVERED}{@code [key]}. */
  private StreamingQuery start(String key, Path source, Path checkpoint, Map<String, String> opts)
      throws TimeoutException {
    return start(key, source, checkpoint, opts, Trigger.ProcessingTime(0));
  }

  private StreamingQuery start(
      String key, Path source, Path checkpoint, Map<String, String> opts, Trigger trigger)
      throws TimeoutException {
    DELIVERED.putIfAbsent(key, new java.util.concurrent.ConcurrentSkipListMap<>());
    Dataset<Row> in = spark().readStream().format("npy").options(opts).load(source.toString());
    VoidFunction2<Dataset<Row>, Long> collect =
        (batch, id) -> {
          List<Long> rows = new ArrayList<>(batch.as(Encoders.LONG()).collectAsList());
          List<Long> before = DELIVERED.get(key).put(id, rows);
          if (before != null && !before.equals(rows)) {
            REPLAY_ERRORS.add(key + " batch " + id + ": " + before + " then " + rows);
          }
        };
    return in.writeStream()
        .foreachBatch(collect)
        .option("checkpointLocation", checkpoint.toString())
        .trigger(trigger)
        .start();
  }

  private static List<Long> all(String key) {
    List<Long> out = new ArrayList<>();
    assertThat(REPLAY_ERRORS).isEmpty();
    DELIVERED.get(key).values().forEach(out::addAll);
    return out;
  }

  private static List<Long> range(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  /** As a batch read: the files present at load fix the schema, so there must be some. */
  @Test
  void aStreamOfAPathWithoutFilesFailsAtLoad() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> spark().readStream().format("npy").load(empty.toString()))
        .isInstanceOf(NpyPathException.class)
        .hasMessageStartingWith("[UNABLE_TO_INFER_SCHEMA] Unable to infer schema for npy");
    Path missing = tmp.resolve("missing");
    assertThatThrownBy(() -> spark().readStream().format("npy").load(missing.toString()))
        .hasMessageStartingWith("[PATH_NOT_FOUND] Path does not exist: file:" + missing);
  }

  @Test
  void appendedRowsArriveOnceAcrossBatchesAndARestart() throws Exception {
    Path file = tmp.resolve("log.npy");
    Path checkpoint = tmp.resolve("cp");
    append(file, 0, 100);

    StreamingQuery q = start("tail", file, checkpoint, Map.of());
    try {
      q.processAllAvailable();
      assertThat(all("tail")).isEqualTo(range(0, 100));
      append(file, 100, 250);
      q.processAllAvailable();
      assertThat(all("tail")).isEqualTo(range(0, 250));
    } finally {
      q.stop();
    }
    append(file, 250, 300);
    StreamingQuery again = start("tail", file, checkpoint, Map.of());
    try {
      again.processAllAvailable();
    } finally {
      again.stop();
    }
    assertThat(all("tail")).isEqualTo(range(0, 300));
  }

  @Test
  void newFilesOfADirectoryArriveInModificationOrderAtMostMaxFilesPerTrigger() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("dir"));
    for (int i = 0; i < 3; i++) {
      append(dir.resolve("f" + (2 - i) + ".npy"), i * 10L, i * 10L + 10);
      Files.setLastModifiedTime(
          dir.resolve("f" + (2 - i) + ".npy"),
          java.nio.file.attribute.FileTime.fromMillis(1_700_000_000_000L + i * 1000L));
    }

    StreamingQuery q = start("files", dir, tmp.resolve("cp"), Map.of("maxFilesPerTrigger", "1"));
    try {
      q.processAllAvailable();
      assertThat(DELIVERED.get("files").values())
          .containsExactly(range(0, 10), range(10, 20), range(20, 30));
      append(dir.resolve("f3.npy"), 30, 35);
      q.processAllAvailable();
    } finally {
      q.stop();
    }
    assertThat(all("files")).isEqualTo(range(0, 35));
  }

  @Test
  void maxBytesPerTriggerCutsAFileIntoBatchesOfWholeRows() throws Exception {
    Path file = tmp.resolve("big.npy");
    append(file, 0, 1000);

    StreamingQuery q = start("bytes", file, tmp.resolve("cp"), Map.of("maxBytesPerTrigger", "2k"));
    try {
      q.processAllAvailable();
    } finally {
      q.stop();
    }
    List<List<Long>> batches = new ArrayList<>(DELIVERED.get("bytes").values());
    assertThat(batches).hasSize(4);
    assertThat(batches.get(0)).isEqualTo(range(0, 256));
    assertThat(all("bytes")).isEqualTo(range(0, 1000));
  }

  @Test
  void availableNowReadsWhatWasThereAtStartAndStops() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("now"));
    append(dir.resolve("a.npy"), 0, 5);
    append(dir.resolve("b.npy"), 5, 9);

    StreamingQuery q =
        start(
            "now",
            dir,
            tmp.resolve("cp"),
            Map.of("maxFilesPerTrigger", "1"),
            Trigger.AvailableNow());
    q.awaitTermination(60_000);
    assertThat(q.isActive()).isFalse();
    assertThat(DELIVERED.get("now")).hasSize(2);
    assertThat(all("now")).containsExactlyInAnyOrderElementsOf(range(0, 9));
  }

  /** The per-batch limits cut what was there at start into batches; they do not shrink it. */
  @Test
  void availableNowWithMaxBytesPerTriggerReadsEverythingInSeveralBatches() throws Exception {
    Path file = tmp.resolve("big.npy");
    append(file, 0, 1000);

    StreamingQuery q =
        start(
            "nowBytes",
            file,
            tmp.resolve("cp"),
            Map.of("maxBytesPerTrigger", "2k"),
            Trigger.AvailableNow());
    q.awaitTermination(60_000);
    assertThat(q.isActive()).isFalse();
    assertThat(DELIVERED.get("nowBytes")).hasSize(4);
    assertThat(all("nowBytes")).isEqualTo(range(0, 1000));
  }

  @Test
  void aConcurrentAppenderIsReadToItsLastCountedRowWithoutDuplicatesAcrossRestarts()
      throws Exception {
    Path file = tmp.resolve("live.npy");
    Path checkpoint = tmp.resolve("cp");
    append(file, 0, 1);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong written = new AtomicLong(1);
    Thread producer =
        new Thread(
            () -> {
              try (NpyAppendArray out = NpyAppendArray.open(file)) {
                while (!stop.get()) {
                  long n = written.get();
                  out.append(LongStream.range(n, n + 7).toArray(), 7);
                  written.addAndGet(7);
                  Thread.sleep(5);
                }
              } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
              }
            },
            "npy-test-producer");
    producer.start();
    try {
      for (int round = 0; round < 3; round++) {
        // stopped while the appender goes on: a batch may be cut short at any point
        StreamingQuery q = start("live", file, checkpoint, Map.of());
        try {
          Thread.sleep(1500);
        } finally {
          q.stop();
        }
      }
    } finally {
      stop.set(true);
      producer.join();
    }
    StreamingQuery last = start("live", file, checkpoint, Map.of());
    try {
      last.processAllAvailable();
    } finally {
      last.stop();
    }
    assertThat(DELIVERED.get("live").size()).isGreaterThan(3);
    List<Long> got = all("live");
    int firstDifference = 0;
    while (firstDifference < got.size() && got.get(firstDifference) == firstDifference) {
      firstDifference++;
    }
    assertThat(firstDifference)
        .as(
            "rows delivered (%d of %d written) are 0, 1, … up to index %d; around it: %s",
            got.size(),
            written.get(),
            firstDifference,
            got.subList(
                Math.max(0, firstDifference - 3), Math.min(got.size(), firstDifference + 3)))
        .isEqualTo(got.size());
    assertThat(got).hasSize((int) written.get());
  }

  @Test
  void aFileThatShrankFailsTheQueryNamingIt() throws Exception {
    Path file = tmp.resolve("shrink.npy");
    append(file, 0, 50);
    StreamingQuery q = start("shrink", file, tmp.resolve("cp"), Map.of());
    q.processAllAvailable();
    Files.delete(file);
    append(file, 0, 10);

    assertThatThrownBy(q::processAllAvailable)
        .isInstanceOf(StreamingQueryException.class)
        .rootCause()
        .isInstanceOf(NpyStreamException.class)
        .hasMessageContaining("Cannot stream ")
        .hasMessageContaining("shrink.npy")
        .hasMessageContaining("its header now counts 10 rows, but 50 were already read")
        .hasMessageContaining("start a new query with a new checkpointLocation");
    q.stop();
  }

  @Test
  void aNewFileWithAnotherLayoutFailsTheQueryNamingIt() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("mixed"));
    append(dir.resolve("a.npy"), 0, 5);
    StreamingQuery q = start("mixed", dir, tmp.resolve("cp"), Map.of());
    q.processAllAvailable();
    try (NpyAppendArray out = NpyAppendArray.open(dir.resolve("b.npy"))) {
      out.append(new double[] {1.5}, 1);
    }

    assertThatThrownBy(q::processAllAvailable)
        .isInstanceOf(StreamingQueryException.class)
        .rootCause()
        .hasMessageContaining("Cannot read")
        .hasMessageContaining("b.npy");
    q.stop();
  }
}
