package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.testing.Numpy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An in-place ensureAppendable stopped at every step of its data move leaves a file that numpy and
 * this library refuse to read (never wrong rows), and recover (or ensureAppendable again) finishes
 * the move with nothing lost: the result is byte for byte what np.save writes for the array.
 */
class InPlaceMoveCrashTest {
  private static final int ROWS = 3_000; // 3,000 x 4 int64 = 96,000 bytes: 24 chunks of 4 KiB
  private static final int CHUNK = 4096;

  @TempDir Path dir;

  /** Thrown by the checkpoint: the process "dies" there, leaving the files as they are. */
  private static final class Crash extends IOException {
    private static final long serialVersionUID = 1L;
  }

  private Path legacyFile() throws IOException {
    byte[] data = new byte[ROWS * 4 * 8];
    ByteBuffer.wrap(data)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asLongBuffer()
        .put(LongStream.range(0, ROWS * 4L).toArray());
    Path file = dir.resolve("legacy.npy");
    Files.write(file, LegacyFiles.legacyNpy("<i8", "(" + ROWS + ", 4)", data));
    return file;
  }

  private static void assertLikeNpSave(Path file) {
    String check =
        "want = np.arange(int(sys.argv[2]) * 4, dtype='<i8').reshape(-1, 4)\n"
            + "import io; b = io.BytesIO(); np.save(b, want)\n"
            + "assert open(sys.argv[1], 'rb').read() == b.getvalue()\n"
            + "print('ok')";
    assertThat(Numpy.run(check, file, ROWS).trim()).isEqualTo("ok");
  }

  @ParameterizedTest(name = "stop after {0} of chunk {1}, finish with {2}")
  @CsvSource({
    "journaled,0,recover", "moved,0,recover", "recorded,0,recover",
    "journaled,11,recover", "moved,11,ensureAppendable", "recorded,11,ensureAppendable",
    "journaled,23,ensureAppendable", "moved,23,recover", "recorded,23,recover"
  })
  void anInterruptedMoveIsRefusedByReadersAndFinishedLater(String point, int chunk, String finish)
      throws Exception {
    Path file = legacyFile();
    InPlaceMove.Checkpoint crash =
        (p, c) -> {
          if (p.equals(point) && c == chunk) {
            throw new Crash();
          }
        };
    assertThatThrownBy(() -> Npy.ensureAppendable(file, true, CHUNK, crash))
        .isInstanceOf(Crash.class);
    assertThat(InPlaceMove.journalOf(file)).exists();

    assertThatThrownBy(() -> NpyFile.open(file))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("interrupted")
        .hasMessageContaining("npy recover");
    assertThatThrownBy(() -> NpyAppendArray.open(file)).isInstanceOf(NpyFormatException.class);
    assertThat(
            Numpy.run(
                    "try:\n    np.load(sys.argv[1]); print('loaded')\nexcept ValueError:\n    print('refused')",
                    file)
                .trim())
        .isEqualTo("refused");

    if (finish.equals("recover")) {
      RecoveryResult r = Npy.recover(file, false);
      assertThat(r.rowsAfter()).isEqualTo(ROWS);
      assertThat(r.bytesTruncated()).isZero();
    } else {
      assertThat(Npy.ensureAppendable(file, true)).isTrue();
    }
    assertThat(InPlaceMove.journalOf(file)).doesNotExist();
    assertLikeNpSave(file);
  }

  @Test
  void aMovingFileWhoseJournalIsMissingSaysWhereToPutItBack() throws Exception {
    Path file = legacyFile();
    assertThatThrownBy(
            () ->
                Npy.ensureAppendable(
                    file,
                    true,
                    CHUNK,
                    (p, c) -> {
                      if (p.equals("moved") && c == 5) {
                        throw new Crash();
                      }
                    }))
        .isInstanceOf(Crash.class);
    Path journal = InPlaceMove.journalOf(file);
    Path away = dir.resolve("elsewhere.npymove");
    Files.move(journal, away);
    assertThatThrownBy(() -> Npy.recover(file, false))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(journal.toString())
        .hasMessageContaining("missing")
        .hasMessageContaining("put it back");
    assertThatThrownBy(() -> Npy.ensureAppendable(file, true))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("missing");
    Files.move(away, journal);
    assertThat(Npy.recover(file, false).rowsAfter()).isEqualTo(ROWS);
    assertLikeNpSave(file);
  }

  @Test
  void aJournalLeftBeforeTheMoveStartedOrAfterItEndedIsJustRemoved() throws Exception {
    Path file = legacyFile();
    byte[] original = Files.readAllBytes(file);
    Path journal = InPlaceMove.journalOf(file);
    Path savedJournal = dir.resolve("journal.copy");
    assertThatThrownBy(
            () ->
                Npy.ensureAppendable(
                    file,
                    true,
                    CHUNK,
                    (p, c) -> {
                      throw new Crash();
                    }))
        .isInstanceOf(Crash.class);
    Files.copy(journal, savedJournal);
    // The original bytes back in place: as if the process died before the move started.
    Files.write(file, original);
    assertThat(Npy.needsRecovery(file)).isFalse();
    assertThat(Npy.ensureAppendable(file, true)).isTrue();
    assertThat(journal).doesNotExist();
    assertLikeNpSave(file);

    // A finished move whose journal survived: the file is already right and stays as it is.
    byte[] moved = Files.readAllBytes(file);
    Files.copy(savedJournal, journal);
    assertThat(Npy.recover(file, false).unchanged()).isTrue();
    assertThat(journal).doesNotExist();
    assertThat(Files.readAllBytes(file)).isEqualTo(moved);

    // A journal cut short while it was being created (the move had not started: the file is
    // marked moving only once the journal is complete) is removed, the file left as it is.
    Files.write(journal, new byte[] {'N', 'P', 'Y', 'M', 'O', 'V', 'E', '1'});
    assertThat(Npy.recover(file, false).unchanged()).isTrue();
    assertThat(journal).doesNotExist();
    assertThat(Files.readAllBytes(file)).isEqualTo(moved);
    Files.write(journal, new byte[0]);
    assertThat(Npy.ensureAppendable(file, true)).isTrue();
    assertThat(journal).doesNotExist();

    // A damaged journal beside a file in the middle of a move is reported, never guessed at.
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(InPlaceMove.MOVING_MAGIC), 0);
    }
    Files.write(journal, new byte[] {'N', 'P', 'Y', 'M', 'O', 'V', 'E', '1'});
    assertThatThrownBy(() -> Npy.recover(file, false))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(".npymove")
        .hasMessageContaining("damaged");
    Files.delete(journal);
  }
}
