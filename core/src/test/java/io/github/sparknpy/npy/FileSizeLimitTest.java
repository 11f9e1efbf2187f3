package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.sparknpy.npy.testing.Numpy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flush of buffered rows that the file system stops partway (a full disk, a quota; here the
 * process's file size limit, {@code ulimit -f}, which makes the kernel write up to the limit and
 * then fail) leaves none of that flush in the file: another appender, or this one's next flush of
 * the same rows, would otherwise count or write those rows twice.
 */
class FileSizeLimitTest {
  /** Rows of 8 {@code <f8}: 64 bytes. */
  private static final int ROW_BYTES = 64;

  /** 12,288 rows a flush. */
  private static final int BUFFER_BYTES = 768 << 10;

  /** 2 MiB, in {@code ulimit -f}'s 1024-byte blocks: the third flush is cut partway. */
  private static final int LIMIT_BLOCKS = 2048;

  @TempDir Path dir;

  @Test
  void aFlushCutPartwayLeavesOnlyTheWholeFlushesBeforeIt() throws Exception {
    Path bash = Path.of("/bin/bash");
    assumeTrue(Files.isExecutable(bash), "needs bash for ulimit");
    Path file = dir.resolve("limited.npy");
    Process child =
        new ProcessBuilder(
                bash.toString(),
                "-c",
                "ulimit -f " + LIMIT_BLOCKS + " && exec \"$0\" -cp \"$1\" \"$2\" \"$3\"",
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                System.getProperty("java.class.path"),
                FileSizeLimitTest.class.getName(),
                file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(out).isZero();
    assertThat(out).as("the append that flushed failed").contains("append failed: ");

    long dataOffset = Npy.readHeader(file).dataOffset();
    long flushed = 2L * BUFFER_BYTES / ROW_BYTES;
    assertThat(dataOffset + 3L * BUFFER_BYTES)
        .as("the third flush crosses the limit")
        .isGreaterThan(LIMIT_BLOCKS * 1024L);
    assertThat(Files.size(file))
        .as("the file ends after the second flush: the third one's written part was cut off")
        .isEqualTo(dataOffset + flushed * ROW_BYTES);
    // the header was never rewritten (deferred): recover counts what is there, numpy checks it
    assertThat(Npy.recover(file, false).rowsAfter()).isEqualTo(flushed);
    String check =
        "a = np.load(sys.argv[1])\n"
            + "n = int(sys.argv[2])\n"
            + "assert a.shape == (n, 8), a.shape\n"
            + "assert (a[:, 0] == np.arange(n)).all() and (a[:, 7] == -np.arange(n)).all()\n"
            + "print('ok')";
    assertThat(Numpy.run(check, file, flushed).trim()).isEqualTo("ok");
  }

  /** The child: appends rows under the size limit until an append fails, then exits. */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    NpyAppendArray out =
        NpyAppendArray.builder(file).rewriteHeaderOnAppend(false).bufferBytes(BUFFER_BYTES).open();
    double[] row = new double[8];
    try {
      for (long i = 0; i < 10L * BUFFER_BYTES / ROW_BYTES; i++) {
        row[0] = i;
        row[7] = -i;
        out.appendRow(row);
      }
      System.out.println("no append failed");
    } catch (IOException e) {
      System.out.println("append failed: " + e.getMessage());
    }
    // no close(): its header write would meet the same limit; the parent recovers the file
  }
}
