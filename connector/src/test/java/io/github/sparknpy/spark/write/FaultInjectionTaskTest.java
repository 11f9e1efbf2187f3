package io.github.sparknpy.spark.write;

import static io.github.sparknpy.spark.write.NpyWriterRoundTripTest.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tasks failing in the middle of their rows, through Spark end to end (the shared {@code
 * local[2,2]} session gives a failed task one more attempt): for merged and unmerged output and
 * every save mode that writes. A task that fails once is retried and the output holds exactly the
 * input rows in order; a task that always fails aborts the job and leaves the directory tree as it
 * was, byte for byte. Either way no staging directory, temporary file or task-local directory is
 * left.
 */
class FaultInjectionTaskTest extends FaultInjectionBase {

  /** The target after any previous content the mode needs (a file, or a directory of parts). */
  private Path target(boolean merge, String mode) {
    Path out = tmp.resolve(merge ? "out.npy" : "out");
    if (!mode.equals("CREATE")) {
      write(frame(0, 1000, TaskFault.NONE, false), SaveMode.ErrorIfExists, out.toString(), merge);
    }
    return out;
  }

  private static SaveMode saveMode(String mode) {
    return switch (mode) {
      case "CREATE" -> SaveMode.ErrorIfExists;
      case "OVERWRITE" -> SaveMode.Overwrite;
      default -> SaveMode.Append;
    };
  }

  @ParameterizedTest(name = "{3} merge={0} {1} strings={2}")
  @CsvSource({
    "true, CREATE, false, local",
    "true, OVERWRITE, false, local",
    "true, APPEND, false, local",
    "false, CREATE, false, local",
    "false, OVERWRITE, false, local",
    "false, APPEND, false, local",
    "true, OVERWRITE, true, local",
    "false, CREATE, true, local",
    // a non-local file system: parts are copied to staging, Append rewrites the file
    "true, APPEND, false, remote",
    "false, OVERWRITE, false, remote"
  })
  void everyTaskFailingOnceAfterPartOfItsRowsStillWritesEachRowOnceInOrder(
      boolean merge, String mode, boolean strings, String where) throws Exception {
    Path out = target(merge, mode);
    String path =
        where.equals("local")
            ? out.toString()
            : FaultyFileSystem.SCHEME + "://" + out.toAbsolutePath();
    write(frame(1000, 4000, TaskFault.FIRST_ATTEMPT, strings), saveMode(mode), path, merge);

    assertRows(out, mode.equals("APPEND") ? "0:1000,1000:4000" : "1000:4000");
    assertThat(hiddenAnywhere(tmp)).isEmpty();
    assertThat(localWriterLeftoversAfterTasksEnd()).isEmpty();
    if (merge) {
      assertThat(snapshot(tmp).keySet()).containsExactly("", "out.npy");
    } else {
      // the first write's part (Append keeps it) and three new ones
      assertThat(snapshot(out).keySet())
          .filteredOn(n -> n.startsWith("part-"))
          .hasSize(mode.equals("APPEND") ? 4 : 3)
          .allMatch(n -> n.matches("part-\\d{5}-[0-9a-f-]{36}\\.npy"));
      assertThat(out.resolve("_SUCCESS")).exists();
    }
  }

  @ParameterizedTest(name = "merge={0} {1}")
  @CsvSource({
    "true, CREATE",
    "true, OVERWRITE",
    "true, APPEND",
    "false, CREATE",
    "false, OVERWRITE",
    "false, APPEND"
  })
  void aTaskFailingOnEveryAttemptAbortsTheJobAndChangesNothing(boolean merge, String mode)
      throws Exception {
    Path out = target(merge, mode);
    Map<String, String> before = snapshot(tmp);

    assertThatThrownBy(
            () ->
                write(
                    frame(1000, 4000, TaskFault.ALWAYS, false),
                    saveMode(mode),
                    out.toString(),
                    merge))
        .satisfies(
            e ->
                assertThat(rootCause(e))
                    .hasMessageContaining("injected failure in attempt 1 of partition 1"));

    assertThat(snapshot(tmp)).isEqualTo(before);
    assertThat(Files.exists(out)).isEqualTo(!mode.equals("CREATE"));
    assertThat(localWriterLeftoversAfterTasksEnd()).isEmpty();
  }
}
