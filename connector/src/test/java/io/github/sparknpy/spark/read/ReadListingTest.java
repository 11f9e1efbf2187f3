package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.junit.jupiter.api.Test;

/**
 * Directory listings that Hadoop trips over: symbolic links that loop or alias a file (each file is
 * read once), and names with {@code :} that are no valid Hadoop path (skipped with a warning).
 */
class ReadListingTest extends NpyReadTestBase {

  @Test
  void aSymlinkLoopUnderRecursiveLookupReadsEachFileOnce() throws Exception {
    Path dir = newDir("looped");
    Files.createDirectories(dir.resolve("sub"));
    numpy(
        "np.save(sys.argv[1] + '/a.npy', np.arange(3.0))\n"
            + "np.save(sys.argv[1] + '/sub/b.npy', np.arange(10.0, 14.0))",
        dir);
    Files.createSymbolicLink(dir.resolve("sub/back"), dir); // sub/back/sub/back/... forever
    Files.createSymbolicLink(dir.resolve("alias.npy"), dir.resolve("a.npy"));

    List<Double> rows =
        spark()
            .read()
            .format("npy")
            .option("recursiveFileLookup", "true")
            .load(dir.toString())
            .sort("_file", "_row_index")
            .as(Encoders.DOUBLE())
            .collectAsList();
    // numpy's view of the two real files, each once
    String expected =
        numpy(
            "print(np.concatenate([np.load(sys.argv[1] + '/a.npy'),"
                + " np.load(sys.argv[1] + '/sub/b.npy')]).tolist())",
            dir);
    assertThat(rows.toString()).isEqualTo(expected.trim());
    assertThat(
            spark()
                .read()
                .format("npy")
                .option("recursiveFileLookup", "true")
                .load(dir.toString())
                .select("_file")
                .distinct()
                .count())
        .isEqualTo(2);
  }

  @Test
  void aNameWithAColonIsSkippedAndTheRestOfItsDirectoryIsRead() throws Exception {
    Path dir = newDir("colons");
    numpy(
        "np.save(sys.argv[1] + '/good.npy', np.arange(4.0))\n"
            + "np.save(sys.argv[1] + '/bad:name.npy', np.arange(100.0))",
        dir);
    Files.write(dir.resolve(".bad:name.npy.crc"), new byte[] {1, 2, 3});
    assertThat(Files.exists(dir.resolve("bad:name.npy"))).isTrue();

    assertThat(
            spark().read().format("npy").load(dir.toString()).as(Encoders.DOUBLE()).collectAsList())
        .containsExactly(0.0, 1.0, 2.0, 3.0);
    assertThat(spark().read().format("npy").load(dir.toString()).count()).isEqualTo(4);
  }
}
