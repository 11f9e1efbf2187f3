package io.github.sparknpy.npy;

import static io.github.sparknpy.npy.testing.LockProbe.lockedForOtherProcesses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.error.NpyFileBusyException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.io.FileLocking;
import io.github.sparknpy.npy.io.LocalInputFile;
import io.github.sparknpy.npy.testing.Numpy;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock a writer holds must survive everything this JVM does with the same file meanwhile: on
 * Linux, closing any descriptor of a file releases every POSIX lock the process holds on it. A
 * second process probes the lock after each such open and close.
 */
class ExclusiveFileTest {
  @TempDir Path dir;

  private Path file() throws Exception {
    Path file = dir.resolve("a.npy");
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      out.append(new long[] {1, 2, 3, 4}, 2, 2);
    }
    return file;
  }

  @Test
  void closingAnotherDescriptorOfTheFileReleasesAPosixLock() throws Exception {
    // The operating system behaviour the library guards against, shown with plain java.nio: the
    // probe below is meaningful only because of it.
    Path file = file();
    try (FileChannel locked = FileChannel.open(file, StandardOpenOption.WRITE);
        var lock = locked.lock()) {
      assertThat(lockedForOtherProcesses(file)).isTrue();
      FileChannel.open(file, StandardOpenOption.READ).close();
      assertThat(lock.isValid()).as("the JVM still believes it holds the lock").isTrue();
      assertThat(lockedForOtherProcesses(file)).as("but the OS released it").isFalse();
    }
  }

  @Test
  void aLockHolderThatReadsTheFileAgainThroughTheLibraryKeepsItsLock() throws Exception {
    Path file = file();
    Path link = Files.createSymbolicLink(dir.resolve("link.npy"), file);
    CompletableFuture<Void> reader;
    try (ExclusiveFile locked = ExclusiveFile.open(file)) {
      assertThat(lockedForOtherProcesses(file)).isTrue();
      // Every core read opens and closes a descriptor of its own; through a link too.
      assertThat(Npy.readHeader(file).header().rowCount()).isEqualTo(2);
      assertThat(Npy.isAppendable(link)).isTrue();
      assertThat(Npy.needsRecovery(file)).isFalse();
      new LocalInputFile(file).newStream().close();
      long start = System.nanoTime();
      try (NpyFile f = NpyFile.open(link)) {
        assertThat(f.rowCount()).isEqualTo(2);
      }
      assertThat(System.nanoTime() - start)
          .as("the lock holder's own read does not wait for its lock")
          .isLessThan(TimeUnit.SECONDS.toNanos(5));
      // another thread's read takes no lock, and its close never releases the holder's
      reader =
          CompletableFuture.runAsync(
              () -> {
                try (NpyFile f = NpyFile.open(link)) {
                  assertThat(f.rowCount()).isEqualTo(2);
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              });
      reader.get(30, TimeUnit.SECONDS);
      assertThat(lockedForOtherProcesses(file)).as("still locked for other processes").isTrue();
      assertThat(locked.readHeader(EncodedHeader.DEFAULT_MAX_HEADER_BYTES).header().rowCount())
          .isEqualTo(2);
    }
    assertThat(lockedForOtherProcesses(file)).as("released by close").isFalse();
  }

  @Test
  void anAppenderKeepsItsLockWhileThisJvmOpensAndClosesTheFileToRead() throws Exception {
    Path file = dir.resolve("held.npy");
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      out.append(new long[] {1, 2}, 1, 2);
      assertThat(lockedForOtherProcesses(file)).as("held from the first append").isTrue();
      for (int i = 0; i < 20; i++) {
        // Each close drops the process's POSIX locks; the lease takes its lock again at once.
        try (NpyFile f = NpyFile.open(file)) {
          assertThat(f.rowCount()).isEqualTo(1 + i);
        }
        assertThat(Npy.readHeader(file).header().rowCount()).isEqualTo(1 + i);
        out.append(new long[] {1, 2}, 1, 2);
      }
      assertThat(lockedForOtherProcesses(file)).as("still held for other processes").isTrue();
    }
    assertThat(lockedForOtherProcesses(file)).as("released by close").isFalse();
    assertThat(Numpy.run("print(np.load(sys.argv[1]).shape)", file).trim()).isEqualTo("(21, 2)");
  }

  @Test
  void lockersAndReadersTheLeaseRefusesOrServesLeaveItsLockHeld() throws Exception {
    // Each of these opens a descriptor of the leased file and closes it: a plain close would drop
    // the appender's POSIX lock, and another process could append in the gap, under its rows.
    Path file = dir.resolve("leased.npy");
    Path other = dir.resolve("other.npy");
    try (NpyAppendArray o = NpyAppendArray.open(other)) {
      o.append(new long[] {7, 8}, 1, 2);
    }
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      out.append(new long[] {1, 2}, 1, 2);
      assertThat(lockedForOtherProcesses(file)).as("held from the first append").isTrue();
      assertThatThrownBy(() -> ExclusiveFile.open(file)).isInstanceOf(NpyFileBusyException.class);
      assertThat(lockedForOtherProcesses(file)).as("after a refused ExclusiveFile").isTrue();
      assertThatThrownBy(() -> Npy.recover(file, false)).isInstanceOf(NpyFileBusyException.class);
      assertThat(lockedForOtherProcesses(file)).as("after a refused recover").isTrue();
      assertThatThrownBy(() -> Npy.ensureAppendable(file, true))
          .isInstanceOf(NpyFileBusyException.class);
      assertThat(lockedForOtherProcesses(file)).as("after a refused ensureAppendable").isTrue();
      assertThatThrownBy(() -> NpyAppendArray.open(file)).isInstanceOf(NpyFileBusyException.class);
      assertThat(lockedForOtherProcesses(file)).as("after a refused second appender").isTrue();
      // the leased file as the source of another file's append: read, then closed
      Npy.append(
          other,
          java.util.List.of(RowSource.of(file, EncodedHeader.DEFAULT_MAX_HEADER_BYTES)),
          io.github.sparknpy.npy.dtype.Casting.SAFE,
          EncodedHeader.DEFAULT_MAX_HEADER_BYTES);
      assertThat(lockedForOtherProcesses(file)).as("after being read as a source").isTrue();
      out.append(new long[] {3, 4}, 1, 2);
    }
    assertThat(lockedForOtherProcesses(file)).as("released by close").isFalse();
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", file).trim())
        .isEqualTo("[[1, 2], [3, 4]]");
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", other).trim())
        .isEqualTo("[[7, 8], [1, 2]]");
  }

  @Test
  void aLeaseRefusesOtherLockersOfTheJvmAndASecondReleaseChangesNothing() throws Exception {
    Path file = file();
    Path key = FileLocking.key(file);
    try (FileChannel a = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel b = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLocking.Lease lease = FileLocking.hold(key, a);
      assertThat(lockedForOtherProcesses(file)).isTrue();
      assertThatThrownBy(() -> ExclusiveFile.open(file))
          .isInstanceOf(NpyFileBusyException.class)
          .hasMessageContaining("Cannot lock " + key);
      lease.release();
      lease.release();
      assertThat(lockedForOtherProcesses(file)).isFalse();
      FileLocking.Lease again = FileLocking.hold(key, b);
      assertThatThrownBy(() -> ExclusiveFile.open(file)).isInstanceOf(NpyFileBusyException.class);
      again.release();
    }
    try (ExclusiveFile locked = ExclusiveFile.open(file)) {
      assertThat(lockedForOtherProcesses(file)).isTrue();
    }
  }

  @Test
  void aFileReplacedWhileWaitingForTheLockIsOpenedAgain() throws Exception {
    Path file = file();
    Path replacement = dir.resolve(".new.npy");
    Numpy.run("np.save(sys.argv[1], np.arange(10, dtype='<i8').reshape(5, 2))", replacement);
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<Long> rows;
    try (ExclusiveFile holder = ExclusiveFile.open(file)) {
      rows =
          CompletableFuture.supplyAsync(
              () -> {
                waiting.countDown();
                try (ExclusiveFile second = ExclusiveFile.open(file)) {
                  return second
                      .readHeader(EncodedHeader.DEFAULT_MAX_HEADER_BYTES)
                      .header()
                      .rowCount();
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              });
      waiting.await();
      Thread.sleep(200); // the second opener is now waiting for the lock on the old file
      Files.move(replacement, file, StandardCopyOption.REPLACE_EXISTING);
    }
    assertThat(rows.get(30, TimeUnit.SECONDS)).as("rows of the file at the path now").isEqualTo(5);
  }

  @Test
  void aMissingFileIsNoSuchFile() {
    assertThatThrownBy(() -> ExclusiveFile.open(dir.resolve("none.npy")))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("none.npy");
  }

  @Test
  void theLockedChannelWritesWhileOthersWait() throws Exception {
    Path file = file();
    try (ExclusiveFile locked = ExclusiveFile.open(file)) {
      long size = locked.size();
      locked.channel().write(ByteBuffer.wrap(new byte[16]), size);
      assertThat(locked.size()).isEqualTo(size + 16);
    }
    assertThat(Npy.needsRecovery(file)).isTrue();
  }
}
