package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.sparknpy.npy.error.NpyDiskFullException;
import io.github.sparknpy.npy.testing.Numpy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "No space left on device" reaches the caller naming the file being written and what to do, as a
 * {@link NpyDiskFullException} (an IOException, so I/O error handling still applies).
 */
class DiskFullTest {
  private static final int ROWS = 3_000;
  private static final Path DEV_FULL = Path.of("/dev/full");

  @TempDir Path dir;

  @Test
  void appendingOnAFullDiskNamesTheFileAndSaysWhatToDo() throws IOException {
    // Linux's /dev/full fails every write with ENOSPC: the operating system's own error
    assumeTrue(Files.isWritable(DEV_FULL), "needs Linux /dev/full");
    try (NpyAppendArray out = NpyAppendArray.open(DEV_FULL)) {
      assertThatThrownBy(() -> out.append(new double[] {1, 2, 3}, 3))
          .isInstanceOf(NpyDiskFullException.class)
          .hasMessage(
              "Cannot append to /dev/full: the disk is full (No space left on device). Free space"
                  + " on its disk (or append to a file on another disk) and append again; if the"
                  + " file now ends in an incomplete row, run 'npy recover /dev/full'"
                  + " (Npy.recover) first")
          .hasCauseInstanceOf(IOException.class);
    } catch (IOException e) {
      // close() writes the header to /dev/full too
      assertThat(e).isInstanceOf(NpyDiskFullException.class);
    }
  }

  @Test
  void anInPlaceRewriteStoppedByAFullDiskSaysRunAgainAndResumesFromItsJournal() throws Exception {
    byte[] data = new byte[ROWS * 4 * 8];
    ByteBuffer.wrap(data)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asLongBuffer()
        .put(LongStream.range(0, ROWS * 4L).toArray());
    Path file = dir.resolve("legacy.npy");
    Files.write(file, LegacyFiles.legacyNpy("<i8", "(" + ROWS + ", 4)", data));
    InPlaceMove.Checkpoint full =
        (point, chunk) -> {
          if (point.equals("moved") && chunk == 5) {
            throw new IOException("No space left on device");
          }
        };
    assertThatThrownBy(() -> Npy.ensureAppendable(file, true, 4096, full))
        .isInstanceOf(NpyDiskFullException.class)
        .hasMessage(
            "Cannot make "
                + file
                + " appendable: the disk is full (No space left on device). Free space on its"
                + " disk and run Npy.ensureAppendable (or 'npy recover "
                + file
                + "') again: a rewrite interrupted in place resumes from its journal "
                + InPlaceMove.journalOf(file));
    // what the message says works: run again once there is space
    assertThat(Npy.ensureAppendable(file, true)).isTrue();
    assertThat(InPlaceMove.journalOf(file)).doesNotExist();
    String check =
        "want = np.arange(int(sys.argv[2]) * 4, dtype='<i8').reshape(-1, 4)\n"
            + "print(np.array_equal(np.load(sys.argv[1]), want))";
    assertThat(Numpy.run(check, file, ROWS).trim()).isEqualTo("True");
  }

  @Test
  void onlyDiskFullAndQuotaErrorsAreRestated() {
    IOException other = new IOException("Permission denied");
    assertThat(NpyDiskFullException.restate(other, "Cannot write x", "Do y")).isSameAs(other);
    assertThat(NpyDiskFullException.isDiskFull(new IOException("Disk quota exceeded"))).isTrue();
    assertThat(
            NpyDiskFullException.isDiskFull(
                new IOException("wrapped", new IOException("No space left on device"))))
        .isTrue();
    IOException full = new IOException("No space left on device");
    IOException once = NpyDiskFullException.restate(full, "Cannot write x", "Do y");
    assertThat(once)
        .isInstanceOf(NpyDiskFullException.class)
        .hasMessage("Cannot write x: the disk is full (No space left on device). Do y")
        .hasCause(full);
    // restated once only: the innermost writer names the file
    assertThat(NpyDiskFullException.restate(once, "Cannot write z", "Do w")).isSameAs(once);
  }
}
