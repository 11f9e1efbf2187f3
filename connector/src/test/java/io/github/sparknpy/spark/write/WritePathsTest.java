package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;

/**
 * Where a write lands: through symbolic links as {@code np.save} writes (one rule for every save
 * mode), and never under a name that Hadoop cannot list.
 */
class WritePathsTest extends WriterTestBase {

  private static void write(long from, long to, SaveMode mode, Path out) {
    sql("SELECT id FROM range(%d, %d, 1, 2)", from, to)
        .write()
        .format("npy")
        .mode(mode)
        .save(out.toString());
  }

  private static String rows(Path file) {
    return Numpy.run("print(np.load(sys.argv[1]).tolist())", file).trim();
  }

  @Test
  void everySaveModeWritesThroughALinkAndKeepsIt() throws Exception {
    Path real = tmp.resolve("real.npy");
    Path link = Files.createSymbolicLink(tmp.resolve("link.npy"), real.getFileName());
    write(0, 2, SaveMode.Append, link); // the dangling link's target is created
    assertThat(rows(real)).isEqualTo("[0, 1]");
    write(2, 4, SaveMode.Append, link);
    assertThat(rows(real)).isEqualTo("[0, 1, 2, 3]");
    write(7, 9, SaveMode.Overwrite, link);
    assertThat(rows(real)).isEqualTo("[7, 8]");
    assertThat(Files.isSymbolicLink(link)).as("Overwrite kept the link").isTrue();
    assertThat(rows(link)).isEqualTo("[7, 8]");
    assertThatThrownBy(() -> write(0, 1, SaveMode.ErrorIfExists, link))
        .hasMessageContaining("already exists");
    write(0, 1, SaveMode.Ignore, link);
    assertThat(rows(real)).isEqualTo("[7, 8]");
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void aDanglingLinkIsCreatedThroughLikeNpSave() throws Exception {
    Path link = Files.createSymbolicLink(tmp.resolve("new.npy"), tmp.resolve("sub/target.npy"));
    Files.createDirectories(tmp.resolve("sub"));
    write(0, 3, SaveMode.ErrorIfExists, link);
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(rows(tmp.resolve("sub/target.npy"))).isEqualTo("[0, 1, 2]");
  }

  @Test
  void aLoopOfLinksIsRefused() throws Exception {
    Path a = tmp.resolve("a.npy");
    Path b = tmp.resolve("b.npy");
    Files.createSymbolicLink(a, b.getFileName());
    Files.createSymbolicLink(b, a.getFileName());
    assertThatThrownBy(() -> write(0, 1, SaveMode.Overwrite, a))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("Cannot write to file:" + a)
        .hasMessageContaining("it is a loop of symbolic links (more than 40 in a row)");
    assertThat(Files.isSymbolicLink(a) && Files.isSymbolicLink(b)).isTrue();
  }

  @Test
  void aColonInTheFileNameIsRefusedBeforeAnyTask() throws Exception {
    Path out = tmp.resolve("x:y.npy");
    for (SaveMode mode : SaveMode.values()) {
      assertThatThrownBy(() -> write(0, 2, mode, out))
          .as("%s", mode)
          .isInstanceOf(NpyOptionException.class)
          .hasMessageContaining("Cannot write to file:" + out)
          .hasMessageContaining("the name 'x:y.npy' contains ':', which Hadoop cannot list")
          .hasMessageContaining("Choose a name without ':'");
    }
    try (var s = Files.list(tmp)) {
      assertThat(s).isEmpty();
    }
  }
}
