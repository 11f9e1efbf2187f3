package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.CrashChild.Outcome;
import io.github.sparknpy.npy.cli.NpyCli;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.npy.testing.NumpyProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM runs {@code Npy.ensureAppendable(path, inPlace=true)} on a 64 MiB legacy file (no
 * spare header space, so all data moves up, 1 MiB per journaled chunk) and is killed with SIGKILL
 * at random moments, before, during and after the move. After each kill the file is in one of three
 * states: the original bytes, marked moving (refused by numpy and this library, never read as wrong
 * rows), or finished; {@code recover}, {@code ensureAppendable} or the CLI then leave exactly the
 * bytes {@code np.save} writes. The seed is printed; rerun with {@code -Dcrash.seed=...}.
 */
class EnsureAppendableKillTest {
  private static final long SEED = Long.getLong("crash.seed", System.nanoTime());
  private static final long ROWS = 2L << 20; // x 4 int64 = 64 MiB
  private static final int CHUNK = 1 << 20;
  private static final int KILLS = 16;

  @TempDir Path dir;

  @Test
  void killedAtRandomMomentsTheFileIsOriginalMovingOrDoneAndFinishesLikeNpSave() throws Exception {
    System.out.println("EnsureAppendableKillTest seed: -Dcrash.seed=" + SEED);
    Path pristine = dir.resolve("pristine.npy");
    Path reference = dir.resolve("reference.npy");
    Path file = dir.resolve("legacy.npy");
    Path status = dir.resolve("status");
    writeLegacy(pristine);
    Numpy.run(
        "np.save(sys.argv[1], np.arange(int(sys.argv[2]) * 4, dtype='<i8').reshape(-1, 4))",
        reference,
        ROWS);
    assertThat(Files.size(reference)).isGreaterThan(Files.size(pristine));

    // One uninterrupted move in this JVM, to time it and so spread the kills over it.
    Files.copy(pristine, file, StandardCopyOption.REPLACE_EXISTING);
    long t0 = System.nanoTime();
    assertThat(Npy.ensureAppendable(file, true, CHUNK, null)).isTrue();
    long moveNanos = System.nanoTime() - t0;
    assertThat(Files.mismatch(file, reference)).isEqualTo(-1);

    Random random = new Random(SEED);
    Map<String, Integer> states = new TreeMap<>();
    try (NumpyProcess numpy = new NumpyProcess(CrashKillRecoveryTest.PRELUDE)) {
      for (int k = 0; k < KILLS; k++) {
        Files.copy(pristine, file, StandardCopyOption.REPLACE_EXISTING);
        // Every fourth kill lands in the first 3 ms (around the journal's creation), the others
        // anywhere up to 1.5 times the move's time in this JVM (the child, a fresh JVM, is slower).
        long delay = (long) (random.nextDouble() * (k % 4 == 0 ? 3_000_000 : 1.5 * moveNanos));
        Outcome o =
            CrashChild.runAndKill(
                status, delay, "ensure", file.toString(), status.toString(), String.valueOf(CHUNK));
        String where =
            "kill " + k + " after " + delay / 1_000_000 + " ms of ~" + moveNanos / 1_000_000;
        Path journal = InPlaceMove.journalOf(file);
        String state = state(file, pristine, reference, where);
        if (state.equals("moving")) {
          assertThat(journal).as(where).exists();
          assertThatThrownBy(() -> NpyFile.open(file))
              .as(where)
              .isInstanceOf(NpyFormatException.class)
              .hasMessageContaining("interrupted")
              .hasMessageContaining("npy recover");
          assertThatThrownBy(() -> NpyAppendArray.open(file))
              .as(where)
              .isInstanceOf(NpyFormatException.class)
              .hasMessageContaining("interrupted");
          assertThat(numpy.call("loads", file)).as(where).startsWith("ERR ValueError");
        } else if (state.equals("original")) {
          assertThat(o.done()).as(where).isFalse();
        }
        states.merge(state + (Files.exists(journal) ? "+journal" : ""), 1, Integer::sum);

        switch (k % 3) {
          case 0 -> Npy.recover(file, false);
          case 1 -> Npy.ensureAppendable(file, true);
          default ->
              assertThat(cli(k % 2 == 0 ? "recover" : "ensure-appendable", file))
                  .as(where)
                  .isZero();
        }
        assertThat(journal).as(where).doesNotExist();
        assertThat(Files.mismatch(file, reference)).as(where + " (" + state + ")").isEqualTo(-1);
      }
    }
    System.out.println(
        "EnsureAppendableKillTest states after "
            + KILLS
            + " kills (move ~"
            + moveNanos / 1_000_000
            + " ms): "
            + states);
  }

  /** The legacy file: numpy 1.x's header without spare space, then arange(ROWS * 4) as int64. */
  private static void writeLegacy(Path path) throws Exception {
    byte[] header = LegacyFiles.legacyNpy("<i8", "(" + ROWS + ", 4)", new byte[0]);
    try (FileChannel ch =
        FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(header));
      ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
      long v = 0;
      while (v < ROWS * 4) {
        buf.clear();
        while (buf.hasRemaining() && v < ROWS * 4) {
          buf.putLong(v++);
        }
        buf.flip();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
    }
  }

  private static String state(Path file, Path pristine, Path reference, String where)
      throws Exception {
    byte[] start = new byte[InPlaceMove.MOVING_MAGIC.length];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ch.read(ByteBuffer.wrap(start), 0);
    }
    if (Arrays.equals(start, InPlaceMove.MOVING_MAGIC)) {
      return "moving";
    }
    if (Files.mismatch(file, pristine) == -1) {
      return "original";
    }
    if (Files.mismatch(file, reference) == -1) {
      return "done";
    }
    throw new AssertionError(
        where + ": the file is neither the original, marked moving, nor finished");
  }

  private static int cli(String command, Path file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      return NpyCli.run(new String[] {command, file.toString()}, o, o);
    }
  }
}
