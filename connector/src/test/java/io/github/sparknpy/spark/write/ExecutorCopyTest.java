package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.spark.LogCapture;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * commitCopy=executors: the parts of a merged file are copied into it by a Spark job at their
 * offsets (the path a cluster on a shared POSIX file system takes by default), here with local[2]'s
 * two executor threads.
 */
class ExecutorCopyTest extends WriterTestBase {
  @AfterEach
  void noFaults() {
    CommitFaults.clear();
  }

  private Dataset<Row> frame(long from, long to, int partitions) {
    return spark().range(from, to, 1, partitions).selectExpr("id", "id * 0.5D AS x");
  }

  @Test
  void theExecutorsCopyThePartsAtTheirOffsets() throws Exception {
    Path out = tmp.resolve("e.npy");
    try (LogCapture log = LogCapture.of(MergedFilePublication.class)) {
      frame(0, 200_000, 5)
          .write()
          .format("npy")
          .option("commitCopy", "executors")
          .save(out.toString());
      assertThat(log.lines()).anyMatch(l -> l.startsWith("INFO Executors copied 4 parts"));
    }
    String check =
        io.github.sparknpy.npy.testing.Numpy.run(
            "a = np.load(sys.argv[1], mmap_mode='r')\n"
                + "assert (a['id'] == np.arange(200000)).all()\n"
                + "assert (a['x'] == np.arange(200000) * 0.5).all()\n"
                + "print(len(a))",
            out.toString());
    assertThat(check.trim()).isEqualTo("200000");
    assertNpSaveIdentical(out);
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void localModeCopiesOnTheDriverByDefault() throws Exception {
    Path out = tmp.resolve("d.npy");
    try (LogCapture log = LogCapture.of(MergedFilePublication.class)) {
      frame(0, 10_000, 3).write().format("npy").save(out.toString());
      assertThat(log.lines()).noneMatch(l -> l.contains("Executors copied"));
    }
    assertThat(spark().read().format("npy").load(out.toString()).count()).isEqualTo(10_000L);
  }

  /** A commit failing after the executors copied leaves the old file byte for byte. */
  @Test
  void aCommitFailingAfterTheCopyLeavesTheOldFile() throws Exception {
    Path out = tmp.resolve("f.npy");
    frame(0, 1000, 2).write().format("npy").save(out.toString());
    byte[] before = Files.readAllBytes(out);
    CommitFaults.install(
        (step, file) -> {
          if (step == Checkpoint.Step.DATA_WRITTEN) {
            throw new IOException("injected failure after the copy of " + file);
          }
        });
    assertThatThrownBy(
            () ->
                frame(0, 50_000, 4)
                    .write()
                    .format("npy")
                    .option("commitCopy", "executors")
                    .mode(SaveMode.Overwrite)
                    .save(out.toString()))
        .hasStackTraceContaining("injected failure after the copy");
    assertThat(Files.readAllBytes(out)).isEqualTo(before);
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void executorsAreRefusedOffPosixFileSystems() {
    FakeRemoteFileSystem.register(spark().sparkContext().hadoopConfiguration());
    String remote = FakeRemoteFileSystem.SCHEME + "://" + tmp.resolve("r.npy").toAbsolutePath();
    assertThatThrownBy(
            () ->
                frame(0, 10, 1)
                    .write()
                    .format("npy")
                    .option("commitCopy", "executors")
                    .save(remote))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("commitCopy=executors")
        .hasMessageContaining(remote.replace(":///", ":/"));
  }

  @Test
  void anUnknownValueIsRefusedByName() {
    assertThatThrownBy(
            () ->
                frame(0, 10, 1)
                    .write()
                    .format("npy")
                    .option("commitCopy", "everyone")
                    .save(tmp.resolve("x.npy").toString()))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("commitCopy")
        .hasMessageContaining("everyone");
  }
}
