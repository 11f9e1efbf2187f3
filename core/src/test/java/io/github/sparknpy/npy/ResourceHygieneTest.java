package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyIncompatibleArrayException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.error.NpyNotAppendableException;
import io.github.sparknpy.npy.io.ByteArrayInputFile;
import io.github.sparknpy.npy.io.InputFile;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failing reads and writes leak no file descriptors, memory mappings or threads: each failing
 * operation runs 50 times, so a leak of one per operation shows, and the JVM's descriptors of files
 * in the test directory (exactly) and of anything (fewer than 25 more: the JVM opens a jar now and
 * then on its own) ({@code /proc/self/fd}), its mappings of files in the test directory ({@code
 * /proc/self/maps}) and its live threads are counted before and after.
 *
 * <p>The counts after the failing operations are taken without a garbage collection, since the
 * collector closes the descriptors of unreachable channels and would hide a leak. Mappings: Java 17
 * cannot unmap a {@code MappedByteBuffer}; it is unmapped when collected. The failing reads here
 * fail before mapping anything, and the mappings of successful reads of closed files are gone after
 * {@code System.gc()} (retried for up to 5 s), which the last test checks.
 */
@EnabledOnOs(OS.LINUX)
class ResourceHygieneTest {
  private static final int REPEAT = 50;

  @TempDir Path dir;

  private Path good;
  private Path truncatedHeader;
  private Path truncatedData;
  private Path garbage;
  private Path legacy;

  @BeforeEach
  void files() throws Exception {
    good = dir.resolve("good.npy");
    try (NpyAppendArray out = NpyAppendArray.open(good)) {
      for (long i = 0; i < 1000; i++) {
        out.append(new long[] {i, i, i, i}, 1, 4);
      }
    }
    byte[] bytes = Files.readAllBytes(good);
    truncatedHeader = Files.write(dir.resolve("cut-header.npy"), Arrays.copyOf(bytes, 40));
    truncatedData = Files.write(dir.resolve("cut-data.npy"), Arrays.copyOf(bytes, 1000));
    byte[] junk = new byte[4096];
    new java.util.Random(1).nextBytes(junk);
    garbage = Files.write(dir.resolve("garbage.npy"), junk);
    legacy =
        Files.write(
            dir.resolve("legacy.npy"), LegacyFiles.legacyNpy("<i8", "(2, 4)", new byte[2 * 4 * 8]));
  }

  private static InputFile ranged(Path path) {
    return new ChannelInputFile(path);
  }

  private interface Op {
    void run() throws Exception;
  }

  /**
   * @param fds descriptors of files in the test directory (what these operations open)
   * @param allFds every descriptor of the JVM, which also moves by one now and then for reasons of
   *     its own (a jar opened by a late class load): compared with a margin below one per repeat
   */
  private record Counts(long fds, long maps, int threads, long allFds) {
    Counts exact() {
      return new Counts(fds, maps, threads, 0);
    }
  }

  private Counts counts() throws IOException {
    String d = dir.toString();
    long fds = 0;
    long allFds = 0;
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) s::iterator) {
        allFds++;
        try {
          if (Files.readSymbolicLink(fd).toString().contains(d)) {
            fds++;
          }
        } catch (IOException e) {
          // closed while listing (the listing's own descriptor)
        }
      }
    }
    long maps =
        Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(d)).count();
    return new Counts(fds, maps, ManagementFactory.getThreadMXBean().getThreadCount(), allFds);
  }

  /**
   * Runs each op once to warm up, then 50 times each; the counts must be back where they were
   * without the help of the garbage collector (which closes the descriptors of unreachable
   * channels, and would hide a leak).
   */
  private void assertNoLeak(List<Op> ops) throws Exception {
    for (Op op : ops) {
      op.run();
    }
    Counts before = settled(null);
    for (Op op : ops) {
      for (int i = 0; i < REPEAT; i++) {
        op.run();
      }
    }
    // No collection here: a descriptor closed only when its channel is collected is a leak.
    Counts after = counts();
    assertThat(after.exact()).isEqualTo(before.exact());
    assertThat(after.allFds() - before.allFds())
        .as("descriptors of any kind leaked by %s repeats", REPEAT)
        .isLessThan(REPEAT / 2);
  }

  /** The counts once mappings of dropped buffers are collected (GC and retry for up to 5 s). */
  private Counts settled(Counts target) throws Exception {
    Counts c = counts();
    for (int i = 0;
        i < 50 && (target == null ? c.maps() > 0 : !c.exact().equals(target.exact()));
        i++) {
      System.gc();
      Thread.sleep(100);
      c = counts();
    }
    return c;
  }

  @Test
  void failingReadsLeakNothing() throws Exception {
    assertNoLeak(
        List.of(
            () ->
                assertThatThrownBy(() -> NpyFile.open(truncatedHeader))
                    .isInstanceOf(NpyFormatException.class)
                    .hasMessageContaining(truncatedHeader.toString()),
            () ->
                assertThatThrownBy(() -> NpyFile.open(garbage))
                    .isInstanceOf(NpyFormatException.class)
                    .hasMessageContaining("magic"),
            () ->
                assertThatThrownBy(() -> NpyFile.open(ranged(truncatedHeader)))
                    .isInstanceOf(NpyFormatException.class)
                    .hasMessageContaining(truncatedHeader.toString()),
            () ->
                assertThatThrownBy(() -> NpyFile.open(ranged(garbage)))
                    .isInstanceOf(NpyFormatException.class)
                    .hasMessageContaining("magic"),
            () ->
                assertThatThrownBy(
                        () ->
                            NpyFile.open(new ByteArrayInputFile(Files.readAllBytes(garbage), "g")))
                    .isInstanceOf(NpyFormatException.class),
            () -> {
              // Opens (the header is whole), then the read past the data fails; close releases.
              try (NpyFile f = NpyFile.open(truncatedData)) {
                assertThatThrownBy(() -> f.rows(0, f.rowCount()))
                    .isInstanceOf(NpyNeedsRecoveryException.class)
                    .hasMessageContaining("truncated");
              }
            },
            () -> {
              try (NpyFile f = NpyFile.open(ranged(truncatedData))) {
                assertThatThrownBy(() -> f.rows(0, f.rowCount()))
                    .isInstanceOf(NpyNeedsRecoveryException.class)
                    .hasMessageContaining("truncated");
              }
            },
            () ->
                assertThatThrownBy(() -> Npy.recover(garbage, false))
                    .isInstanceOf(NpyFormatException.class)
                    .hasMessageContaining(garbage.toString()),
            () ->
                assertThatThrownBy(() -> Npy.readHeader(truncatedHeader))
                    .isInstanceOf(NpyFormatException.class)
                    .hasMessageContaining(truncatedHeader.toString())));
  }

  @Test
  void failingWritesLeakNothing() throws Exception {
    Path fresh = dir.resolve("fresh.npy");
    assertNoLeak(
        List.of(
            () -> {
              try (NpyAppendArray out = NpyAppendArray.builder(fresh).deleteIfExists(true).open()) {
                out.append(new long[] {1, 2, 3, 4}, 1, 4);
                assertThatThrownBy(() -> out.append(new double[] {1, 2, 3, 4}, 1, 4))
                    .isInstanceOf(NpyIncompatibleArrayException.class)
                    .hasMessageContaining(fresh.toString());
                assertThatThrownBy(() -> out.append(new long[] {1, 2, 3}, 1, 3))
                    .isInstanceOf(NpyIncompatibleArrayException.class)
                    .hasMessageContaining("shape");
              }
            },
            () -> {
              // Another writer was interrupted meanwhile: the append and the close fail, and the
              // close still releases the file. (Appenders that take turns re-read the length.)
              NpyAppendArray out =
                  NpyAppendArray.builder(fresh).deleteIfExists(true).holdLock(false).open();
              out.append(new long[] {1, 2, 3, 4}, 1, 4);
              try (FileChannel ch = FileChannel.open(fresh, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[3]), ch.size());
              }
              assertThatThrownBy(() -> out.append(new long[] {1, 2, 3, 4}, 1, 4))
                  .isInstanceOf(NpyNeedsRecoveryException.class)
                  .hasMessageContaining("interrupted");
              assertThatThrownBy(out::close)
                  .isInstanceOf(NpyNeedsRecoveryException.class)
                  .hasMessageContaining("Npy.recover");
            },
            () ->
                assertThatThrownBy(() -> NpyAppendArray.open(truncatedData))
                    .isInstanceOf(NpyNeedsRecoveryException.class)
                    .hasMessageContaining("Npy.recover"),
            () ->
                assertThatThrownBy(() -> NpyAppendArray.open(legacy))
                    .isInstanceOf(NpyNotAppendableException.class)
                    .hasMessageContaining("ensureAppendable"),
            () ->
                assertThatThrownBy(() -> NpyAppendArray.open(garbage))
                    .isInstanceOf(NpyFormatException.class)
                    .hasMessageContaining("magic"),
            () ->
                assertThatThrownBy(() -> Npy.ensureAppendable(garbage, true))
                    .isInstanceOf(NpyFormatException.class)
                    .hasMessageContaining("magic"),
            () ->
                assertThatThrownBy(() -> Npy.ensureAppendable(truncatedData, true))
                    .isInstanceOf(NpyNeedsRecoveryException.class)
                    .hasMessageContaining("recover"),
            () ->
                assertThatThrownBy(() -> Npy.ensureAppendable(dir.resolve("missing.npy"), false))
                    .isInstanceOf(java.nio.file.NoSuchFileException.class)));
  }

  @Test
  void mappingsOfClosedFilesAreReleasedByTheCollector() throws Exception {
    Counts before = settled(null);
    assertThat(before.maps()).isZero();
    long sum = 0;
    for (int i = 0; i < REPEAT; i++) {
      try (NpyFile f = NpyFile.open(good)) {
        sum += f.rows(0, f.rowCount()).getLong(8 * 4 * 999);
      }
    }
    assertThat(sum).isEqualTo(999L * REPEAT);
    // The views may still be mapped here (Java 17 unmaps on collection); after GC they are gone.
    assertThat(settled(before).exact()).isEqualTo(before.exact());
  }
}
