package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.NpyFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A reader racing the job commit of partitioned Overwrites: every partition file it opens is whole
 * (its header counts exactly the rows its data holds) and of one write, none is ever missing on the
 * local file system, and partitions change one by one (the reader may meet old and new partitions
 * side by side while a commit publishes).
 */
class PartitionedCommitRaceTest extends WriterTestBase {
  private static final int PARTITIONS = 4;
  private static final long ROWS = 4000;

  @AfterEach
  void noFaults() {
    CommitFaults.clear();
  }

  private static Dataset<Row> generation(int g) {
    return spark()
        .range(0, ROWS, 1, 2)
        .selectExpr(
            "CAST(" + g + " AS BIGINT) AS g", "id", "CAST(id % " + PARTITIONS + " AS INT) AS k");
  }

  @Test
  void aReaderSeesWholeFilesOfOneWriteAndPartitionsChangingOneByOne() throws Exception {
    Path root = tmp.resolve("root");
    generation(1).write().format("npy").partitionBy("k").save(root.toString());
    // widen the window between two partitions of one commit
    CommitFaults.install(
        (step, at) -> {
          if (step == Checkpoint.Step.PART_PUBLISHED) {
            sleep(40);
          }
        });

    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    AtomicBoolean mixed = new AtomicBoolean();
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    List<Throwable> failures = new ArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                while (!stop.get()) {
                  Set<Long> thisRound = new java.util.HashSet<>();
                  for (int k = 0; k < PARTITIONS; k++) {
                    thisRound.add(readWhole(root.resolve("k=" + k).resolve("data.npy")));
                    reads.incrementAndGet();
                  }
                  seen.addAll(thisRound);
                  if (thisRound.size() > 1) {
                    mixed.set(true);
                  }
                }
              } catch (Throwable t) {
                synchronized (failures) {
                  failures.add(t);
                }
              }
            },
            "partition-reader");
    reader.start();
    try {
      for (int g = 2; g <= 6 && failures.isEmpty(); g++) {
        generation(g)
            .write()
            .format("npy")
            .mode(SaveMode.Overwrite)
            .partitionBy("k")
            .save(root.toString());
      }
    } finally {
      stop.set(true);
      reader.join();
    }
    assertThat(failures).isEmpty();
    assertThat(reads.get()).isGreaterThan(PARTITIONS * 5);
    assertThat(seen).contains(6L).hasSizeGreaterThan(1);
    assertThat(mixed.get()).as("old and new partitions side by side during a commit").isTrue();
    assertThat(hiddenLeftovers(tmp)).isEmpty();
    for (int k = 0; k < PARTITIONS; k++) {
      assertThat(hiddenLeftovers(root.resolve("k=" + k))).isEmpty();
      assertThat(readWhole(root.resolve("k=" + k).resolve("data.npy"))).isEqualTo(6L);
    }
  }

  /**
   * Opens one partition file and checks it whole: rows [('g', '<i8'), ('id', '<i8')], the header's
   * row count what the data holds, every row of one generation; returns that generation.
   */
  private static long readWhole(Path file) throws IOException {
    try (NpyFile f = NpyFile.open(file)) {
      long rows = f.rowCount();
      assertThat(rows).as(file.toString()).isEqualTo(ROWS / PARTITIONS);
      assertThat(f.dataLengthOnDisk()).as(file.toString()).isEqualTo(rows * 16);
      ByteBuffer b = f.rows(0, rows).order(ByteOrder.LITTLE_ENDIAN);
      long g = b.getLong(0);
      for (int r = 0; r < rows; r++) {
        assertThat(b.getLong(r * 16)).as(file + " row " + r).isEqualTo(g);
      }
      return g;
    }
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException();
    }
  }
}
