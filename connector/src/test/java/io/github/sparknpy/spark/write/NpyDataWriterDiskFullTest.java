package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.NpyAppendArray;
import io.github.sparknpy.npy.error.NpyDiskFullException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A task's "No space left on device" names the file, the partition and spark.local.dir (or the
 * staging directory) and says what to do; other I/O errors pass unchanged.
 */
class NpyDataWriterDiskFullTest {
  private static final Path LOCAL_DIR = Path.of("/data/spark-local/npy-write-123");

  @Test
  void aFullLocalDiskNamesThePartFileAndSparkLocalDir() throws IOException {
    Path part = LOCAL_DIR.resolve("part-3-17.npy");
    IOException os = new IOException("No space left on device");
    IOException e = NpyDataWriter.localDiskFull(os, part, 3, LOCAL_DIR);
    assertThat(e)
        .isInstanceOf(NpyDiskFullException.class)
        .hasMessage(
            "Cannot write /data/spark-local/npy-write-123/part-3-17.npy, the local file of"
                + " partition 3: the disk is full (No space left on device). Tasks write their"
                + " rows under Spark's local directory (/data/spark-local) before staging them:"
                + " free space there, or point spark.local.dir (SPARK_LOCAL_DIRS on a cluster) at"
                + " a disk with room for the partition, or write more, smaller partitions")
        .hasCause(os);
  }

  @Test
  void theCoresRestatementFromARealFullDeviceIsRestatedForTheTask() throws IOException {
    // core's NpyAppendArray restates the operating system's error with core advice (npy recover);
    // the task replaces it with its own, keeping the system's text
    Path full = Path.of("/dev/full");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "needs Linux /dev/full");
    IOException fromCore = null;
    try (NpyAppendArray out = NpyAppendArray.open(full)) {
      out.append(new double[] {1}, 1);
    } catch (IOException e) {
      fromCore = e;
    }
    assertThat(fromCore).isInstanceOf(NpyDiskFullException.class);
    IOException e = NpyDataWriter.localDiskFull(fromCore, full, 0, LOCAL_DIR);
    assertThat(e)
        .isInstanceOf(NpyDiskFullException.class)
        .hasMessageStartingWith(
            "Cannot write /dev/full, the local file of partition 0: the disk is full (No space"
                + " left on device). Tasks write")
        .hasMessageNotContaining("npy recover")
        .hasCause(fromCore);
  }

  @Test
  void aFullTargetWhileStagingNamesTheStagedPart() {
    IOException os = new IOException("No space left on device");
    IOException e =
        NpyDataWriter.stagingDiskFull(os, "file:/out/.npy-staging-q/part-00003-17.npy", 3);
    assertThat(e)
        .isInstanceOf(NpyDiskFullException.class)
        .hasMessage(
            "Cannot stage file:/out/.npy-staging-q/part-00003-17.npy, the part of partition 3:"
                + " the target's disk is full (No space left on device). Tasks stage their parts"
                + " beside the target before the job commit publishes them: free space there, or"
                + " write to another file system")
        .hasCause(os);
  }

  @Test
  void otherIoErrorsPassUnchanged() {
    IOException denied = new IOException("Permission denied");
    assertThat(NpyDataWriter.localDiskFull(denied, LOCAL_DIR, 0, LOCAL_DIR)).isSameAs(denied);
    assertThat(NpyDataWriter.stagingDiskFull(denied, "x", 0)).isSameAs(denied);
  }
}
