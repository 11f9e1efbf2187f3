package io.github.sparknpy.spark.write;

import static io.github.sparknpy.spark.write.NpyWriterRoundTripTest.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.testing.Numpy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Job commits that fail after they have written part of the output, through Spark end to end. On
 * the local file system the failure is injected at the committer's steps ({@link CommitFaults}):
 * after the data is written (temp file, grown first part, or appended in place), after the in-place
 * header rewrite, after some parts are in the directory. On a non-local file system ({@link
 * FaultyFileSystem}) the stream of the combined file fails after its first bytes, or the rename
 * onto the target fails. Every failed write leaves the directory tree as it was, byte for byte (no
 * new output, the old content intact, no staging leftovers); the same write then succeeds with
 * exactly the expected rows.
 */
class FaultInjectionCommitTest extends FaultInjectionBase {

  /** Writes the previous content the case needs; returns the local target. */
  private Path target(boolean merge, String mode) {
    Path out = tmp.resolve(merge || mode.equals("OVERWRITE_FILE") ? "out.npy" : "out");
    if (!mode.equals("CREATE")) {
      write(
          frame(0, 1000, TaskFault.NONE, false),
          SaveMode.ErrorIfExists,
          out.toString(),
          merge || mode.equals("OVERWRITE_FILE"));
    }
    if (mode.equals("APPEND_LEGACY")) {
      // the same rows behind a version 1.0 header without numpy's spare space (numpy < 1.? wrote
      // such files): Append must not convert it in place before the commit can still fail
      Numpy.run(
          "a = np.load(sys.argv[1])\n"
              + "d = np.lib.format.header_data_from_array_1_0(a)\n"
              + "h = \"{'descr': %r, 'fortran_order': %r, 'shape': %r, }\" % ("
              + "d['descr'], d['fortran_order'], d['shape'])\n"
              + "h = h + ' ' * ((16 - (10 + len(h) + 1) % 16) % 16) + '\\n'\n"
              + "with open(sys.argv[1], 'wb') as f:\n"
              + "    f.write(b'\\x93NUMPY\\x01\\x00' + len(h).to_bytes(2, 'little'))\n"
              + "    f.write(h.encode('latin1') + a.tobytes())\n",
          out.toString());
      try {
        assertThat(Npy.isAppendable(out)).isFalse();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return out;
  }

  private static SaveMode saveMode(String mode) {
    return switch (mode) {
      case "CREATE" -> SaveMode.ErrorIfExists;
      case "APPEND", "APPEND_LEGACY" -> SaveMode.Append;
      default -> SaveMode.Overwrite;
    };
  }

  /**
   * Fails the write, checks that nothing changed, then writes again without the fault and checks
   * the rows.
   */
  private void failThenSucceed(
      Path out, String path, boolean merge, String mode, long from, boolean strings)
      throws Exception {
    Map<String, String> before = snapshot(tmp);
    assertThatThrownBy(
            () ->
                write(
                    frame(from, from + 3000, TaskFault.NONE, strings), saveMode(mode), path, merge))
        .satisfies(e -> assertThat(rootCause(e)).hasMessageContaining("injected failure"));
    assertThat(snapshot(tmp)).isEqualTo(before);
    assertThat(localWriterLeftoversAfterTasksEnd()).isEmpty();

    noFaults();
    write(frame(from, from + 3000, TaskFault.NONE, strings), saveMode(mode), path, merge);
    String fresh = from + ":" + (from + 3000);
    assertRows(out, mode.startsWith("APPEND") ? "0:1000," + fresh : fresh);
    assertThat(hiddenAnywhere(tmp)).isEmpty();
  }

  private static Throwable diskFullIn(Throwable e) {
    while (e != null && !(e instanceof io.github.sparknpy.npy.error.NpyDiskFullException)) {
      e = e.getCause();
    }
    return e;
  }

  @Test
  void aJobCommitOnAFullDiskSaysSoAndChangesNothing() throws Exception {
    Path out = target(true, "APPEND");
    Map<String, String> before = snapshot(tmp);
    CommitFaults.install(
        (reached, file) -> {
          throw new IOException("No space left on device");
        });
    assertThatThrownBy(
            () ->
                write(frame(0, 3000, TaskFault.NONE, false), SaveMode.Append, out.toString(), true))
        .satisfies(
            e ->
                assertThat(diskFullIn(e))
                    .hasMessageContaining("Cannot commit the npy write to file:" + out)
                    .hasMessageContaining("the disk is full (No space left on device)")
                    .hasMessageContaining("Nothing was published and the target is as it was")
                    .hasMessageContaining("free space on its file system"));
    assertThat(snapshot(tmp)).isEqualTo(before);
  }

  @ParameterizedTest(name = "local merge={0} {1}, fail at {2} #{3}, strings={4}")
  @CsvSource({
    // merged, new content: the first part grown and renamed over the target
    "true, CREATE, DATA_WRITTEN, 1, false",
    "true, OVERWRITE, DATA_WRITTEN, 1, false",
    // merged with string widths differing between parts: a temp file renamed over the target
    "true, OVERWRITE, DATA_WRITTEN, 1, true",
    // Append in place: after the data went behind the old rows, after the header rewrite
    "true, APPEND, DATA_WRITTEN, 1, false",
    "true, APPEND, HEADER_WRITTEN, 1, false",
    // Append to a file without spare header space: rewritten into a temp file, renamed over
    "true, APPEND_LEGACY, DATA_WRITTEN, 1, false",
    // parts: after the second of three is in the directory
    "false, CREATE, PART_PUBLISHED, 2, false",
    "false, OVERWRITE, PART_PUBLISHED, 2, false",
    "false, APPEND, PART_PUBLISHED, 2, false",
    "false, OVERWRITE_FILE, PART_PUBLISHED, 2, false"
  })
  void aLocalJobCommitFailingAfterWritingChangesNothing(
      boolean merge, String mode, Checkpoint.Step step, int nth, boolean strings) throws Exception {
    Path out = target(merge, mode);
    AtomicInteger seen = new AtomicInteger();
    CommitFaults.install(
        (reached, file) -> {
          if (reached == step && seen.incrementAndGet() == nth) {
            throw new IOException("injected failure at " + step + " of " + file);
          }
        });
    // strings: partition 0 ('r0'…'r999') is narrower than the others ('r1000'…)
    failThenSucceed(out, out.toString(), merge, mode, strings ? 0 : 1000, strings);
  }

  @ParameterizedTest(name = "remote merge={0} {1}, {2}")
  @CsvSource({
    // the combined file's stream fails after 100 bytes (header and some rows written)
    "true, CREATE, bytes, .out.npy.npy-commit-",
    "true, OVERWRITE, bytes, .out.npy.npy-commit-",
    "true, APPEND, bytes, .out.npy.npy-commit-",
    // the rename onto the target fails (the old file was moved aside first)
    "true, OVERWRITE, rename, out\\.npy",
    "true, APPEND, rename, out\\.npy",
    // parts: the second part's rename into the directory fails
    "false, OVERWRITE, rename, part-00001-.*-.*\\.npy",
    "false, APPEND, rename, part-00002-.*-.*\\.npy"
  })
  void aRemoteJobCommitFailingAfterWritingChangesNothing(
      boolean merge, String mode, String fault, String name) throws Exception {
    Path out = target(merge, mode);
    if (fault.equals("bytes")) {
      FaultyFileSystem.failWritesTo = name;
      FaultyFileSystem.failAfterBytes = 100;
    } else {
      FaultyFileSystem.failRenamesTo = name;
    }
    String remote = FaultyFileSystem.SCHEME + "://" + out.toAbsolutePath();
    failThenSucceed(out, remote, merge, mode, 1000, false);
  }
}
