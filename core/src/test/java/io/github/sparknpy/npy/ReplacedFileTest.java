package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.error.NpyFileReplacedException;
import io.github.sparknpy.npy.testing.Numpy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An appender whose file is replaced or deleted under it (another program's Overwrite) refuses the
 * next append instead of writing rows into a file no path names any more.
 */
class ReplacedFileTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "holdLock={0}")
  @ValueSource(booleans = {true, false})
  void anAppendAfterTheFileWasRenamedOverFailsAndTheNewFileIsUntouched(boolean holdLock)
      throws Exception {
    Path file = dir.resolve("log.npy");
    Path other = dir.resolve(".other.npy");
    Numpy.run("np.save(sys.argv[1], np.full((3, 2), 7, dtype='<i8'))", other);
    byte[] replacement = Files.readAllBytes(other);
    try (NpyAppendArray log = NpyAppendArray.builder(file).holdLock(holdLock).open()) {
      log.append(new long[] {1, 1}, 1, 2);
      Files.move(other, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      if (holdLock) {
        // The lease holder learns of the rename from the OS's file watch, microseconds later,
        // instead of checking before every append; give the report time on a loaded machine.
        Thread.sleep(500);
      }
      assertThatThrownBy(() -> log.append(new long[] {2, 2}, 1, 2))
          .isInstanceOf(NpyFileReplacedException.class)
          .hasMessage(
              "Cannot append to "
                  + file
                  + ": the file was replaced (renamed over) by another program since this"
                  + " NpyAppendArray opened it, so these rows (and any still buffered) were not"
                  + " written. Open the path again to append to the file there now");
      assertThatThrownBy(log::close).isInstanceOf(NpyFileReplacedException.class);
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(replacement);
  }

  @Test
  void bufferedRowsOfADeletedFileFailAtFlush() throws Exception {
    Path file = dir.resolve("buffered.npy");
    NpyAppendArray log = NpyAppendArray.builder(file).rewriteHeaderOnAppend(false).open();
    log.append(new long[] {1, 1}, 1, 2);
    log.flush();
    log.append(new long[] {2, 2}, 1, 2);
    Files.delete(file);
    assertFlushAndCloseReportTheDeletion(log, file);
  }

  @Test
  void flushReportsADeletedFileAlsoWithNothingBuffered() throws Exception {
    // With header rewrites nothing is ever buffered: flush() is then the program's way to ask
    // whether its rows are still in the file the path names.
    Path file = dir.resolve("rewritten.npy");
    NpyAppendArray log = NpyAppendArray.open(file);
    log.append(new long[] {1, 1}, 1, 2);
    log.flush();
    Files.delete(file);
    assertFlushAndCloseReportTheDeletion(log, file);
  }

  private static void assertFlushAndCloseReportTheDeletion(NpyAppendArray log, Path file) {
    assertThatThrownBy(log::flush)
        .isInstanceOf(NpyFileReplacedException.class)
        .hasMessageContaining("Cannot append to " + file + ": the file was deleted by another");
    assertThatThrownBy(log::close).isInstanceOf(NpyFileReplacedException.class);
    assertThat(file).doesNotExist();
  }

  @Test
  void reopeningAppendsToTheFileThereNow() throws Exception {
    Path file = dir.resolve("reopen.npy");
    try (NpyAppendArray log = NpyAppendArray.open(file)) {
      log.append(new long[] {1, 1}, 1, 2);
    }
    Numpy.run("np.save(sys.argv[1], np.full((1, 2), 7, dtype='<i8'))", file);
    try (NpyAppendArray log = NpyAppendArray.open(file)) {
      log.append(new long[] {2, 2}, 1, 2);
    }
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", file).trim())
        .isEqualTo("[[7, 7], [2, 2]]");
  }
}
