package io.github.sparknpy.npy.fuzz;

import org.junit.jupiter.api.Test;

/**
 * Valid headers of every dtype family, version, memory order and many shapes, mutated (see {@link
 * Mutator}): reading the header fails only with a typed format error, quickly and without large
 * allocations, and some mutants still read.
 */
class MutatedHeaderFuzzTest {
  @Test
  void mutatedHeaders() {
    long tries = FuzzSettings.tries(FuzzSettings.MUTATED_HEADERS);
    long succeeded =
        FuzzRun.run(
            "mutated-header",
            tries,
            r -> Mutator.mutate(r, NpyFiles.valid(r, false), NpyFiles.valid(r, false)),
            ReadEverything::header);
    FuzzRun.assertSomeSucceeded(succeeded, tries);
  }
}
