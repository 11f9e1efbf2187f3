package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.spark.LogCapture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;

/**
 * The recover advice in messages is a command that works: the local path (which the npy CLI takes,
 * as it takes file: URIs), or the steps for a remote file; the warning about uncounted rows comes
 * once per file, not once per query.
 */
class RecoverHintTest extends NpyReadTestBase {
  @Test
  void localFilesGetTheCommandWithTheirPath() throws Exception {
    Path dir = newDir("hint");
    numpy("np.save(sys.argv[1] + '/b.npy', np.arange(10.0))", dir);
    Path file = dir.resolve("b.npy");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 12);
    }
    assertThatThrownBy(() -> spark().read().format("npy").load(dir.toString()))
        .isInstanceOf(NpyNeedsRecoveryException.class)
        .hasMessageContaining("run 'npy recover " + file + "' to keep the complete rows")
        .hasMessageNotContaining("'npy recover file:");
  }

  @Test
  void remoteFilesGetStepsTheCliCanFollow() {
    assertThat(RecoverHint.recover("hdfs://nn:8020/data/x.npy"))
        .isEqualTo(
            "copy it to a local disk (e.g. hdfs dfs -get, aws s3 cp), run 'npy recover' on the"
                + " copy and put the repaired file back (hdfs://nn:8020/data/x.npy)");
    assertThat(RecoverHint.recover("s3a://bucket/x.npy")).startsWith("copy it to a local disk");
    assertThat(RecoverHint.recover("file:/tmp/a b/x.npy"))
        .isEqualTo("run 'npy recover /tmp/a b/x.npy'");
    assertThat(RecoverHint.recover("/tmp/x.npy")).isEqualTo("run 'npy recover /tmp/x.npy'");
  }

  @Test
  void uncountedRowsAreReportedOncePerFileVersion() throws Exception {
    Path dir = newDir("extra");
    numpy("np.save(sys.argv[1] + '/c.npy', np.arange(4.0))", dir);
    Path file = dir.resolve("c.npy");
    append(file, 8);
    try (LogCapture log = LogCapture.of(NpyFileProbe.class)) {
      for (int i = 0; i < 3; i++) {
        assertThat(spark().read().format("npy").load(file.toString()).count()).isEqualTo(4);
      }
      assertThat(log.warnings())
          .singleElement()
          .asString()
          .contains("8 bytes follow the 4 rows its header declares")
          .contains("run 'npy recover " + file + "' to count the complete rows");
      append(file, 8);
      spark().read().format("npy").load(file.toString()).count();
      assertThat(log.warnings()).hasSize(2).last().asString().contains("16 bytes follow");
    }
  }

  private static void append(Path file, int bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.allocate(bytes));
    }
  }
}
