package io.github.sparknpy.npy.fuzz;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Valid files with random data, half of them mutated: opening them in memory and as local
 * (memory-mapped) files, reading every row and decoding elements all over the array either work or
 * fail with a typed format error.
 */
class ReaderFuzzTest {
  @TempDir Path dir;

  @Test
  void readInMemory() {
    long tries = FuzzSettings.tries(FuzzSettings.READER_IN_MEMORY);
    long succeeded =
        FuzzRun.run("reader-in-memory", tries, ReaderFuzzTest::file, ReadEverything::inMemory);
    FuzzRun.assertSomeSucceeded(succeeded, tries);
  }

  @Test
  void readLocalFile() {
    long tries = FuzzSettings.tries(FuzzSettings.READER_LOCAL_FILE);
    long succeeded =
        FuzzRun.run(
            "reader-local-file", tries, ReaderFuzzTest::file, ReadEverything.localFile(dir));
    FuzzRun.assertSomeSucceeded(succeeded, tries);
  }

  private static byte[] file(SplittableRandom r) {
    NpyFiles.Generated valid = NpyFiles.valid(r);
    return r.nextBoolean() ? valid.bytes() : Mutator.mutate(r, valid, NpyFiles.valid(r, false));
  }
}
