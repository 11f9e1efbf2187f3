package io.github.sparknpy.npy.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.io.ByteArrayInputFile;
import io.github.sparknpy.npy.testing.Numpy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzzers start from {@link NpyFiles}' valid files, so check that they are valid: this library
 * reads each back as the header it was made from, and numpy loads a sample of them with the same
 * dtype and shape.
 */
class GeneratedFilesTest {
  @TempDir Path dir;

  @Test
  void generatedFilesReadBackAsGenerated() throws Exception {
    for (int i = 0; i < 1_000; i++) {
      NpyFiles.Generated g = NpyFiles.valid(new SplittableRandom(i));
      String location = "generated-" + i + " " + g.descr();
      assertThat(EncodedHeader.read(new ByteArrayInputFile(g.bytes(), location)).header())
          .as(location)
          .isEqualTo(g.header());
      try (NpyFile file = NpyFile.open(new ByteArrayInputFile(g.bytes(), location))) {
        assertThat(file.needsRecovery()).as(location).isFalse();
      }
    }
  }

  @Test
  void numpyLoadsThemAsGenerated() throws Exception {
    List<String> args = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      NpyFiles.Generated g = NpyFiles.valid(new SplittableRandom(1_000_000 + i));
      Path path = dir.resolve("g" + i + ".npy");
      Files.write(path, g.bytes());
      args.add(path.toString());
      expected.add(
          g.header().dtype().itemSize()
              + " "
              + java.util.Arrays.toString(g.header().shape())
              + " "
              + g.header().dtype().descr());
    }
    String out =
        Numpy.run(
            "for p in sys.argv[1:]:\n"
                + "    a = np.load(p, allow_pickle=False)\n"
                + "    d = a.dtype.descr if a.dtype.names else a.dtype.str\n"
                + "    print(a.dtype.itemsize, list(a.shape), repr(d))\n",
            args.toArray());
    assertThat(out.lines().toList()).isEqualTo(expected);
  }
}
