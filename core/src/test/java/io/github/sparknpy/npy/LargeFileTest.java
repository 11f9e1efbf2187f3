package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.testing.Numpy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files past 2 GiB: sizes and offsets are longs everywhere, and mapped reads span several windows.
 */
class LargeFileTest {
  @TempDir Path dir;

  @Test
  void appendsPastTwoGibAndReadsBackAcrossMappings() throws Exception {
    Path file = dir.resolve("big.npy");
    int rowsPerBlock = 1 << 22; // 4 Mi rows of 8 float64 = 256 MiB per block
    int blocks = 9; // 2.25 GiB in all
    ByteBuffer block = ByteBuffer.allocateDirect(rowsPerBlock * 64).order(ByteOrder.LITTLE_ENDIAN);
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      for (int b = 0; b < blocks; b++) {
        // Mark the first and last row of every block with the block number.
        block.putDouble(0, b).putDouble(block.capacity() - 8, -b);
        out.append(
            NpyArray.of(ScalarDType.FLOAT64, block.duplicate().clear(), false, rowsPerBlock, 8));
      }
    }
    long rows = (long) rowsPerBlock * blocks;
    assertThat(Files.size(file)).isGreaterThan(1L << 31);
    try (NpyFile f = NpyFile.open(file)) {
      assertThat(f.rowCount()).isEqualTo(rows);
      for (int b = 0; b < blocks; b++) {
        long first = (long) b * rowsPerBlock;
        assertThat(f.get(first, 0).getDouble()).isEqualTo(b);
        assertThat(f.get(first + rowsPerBlock - 1, 7).getDouble()).isEqualTo(-b);
        // A range that straddles a block boundary (and, for some blocks, a mapping window).
        if (b > 0) {
          ByteBuffer around = f.rows(first - 1, 2);
          assertThat(around.getDouble(56)).isEqualTo(-(b - 1));
          assertThat(around.getDouble(64)).isEqualTo(b);
        }
      }
    }
    String check =
        "a = np.load(sys.argv[1], mmap_mode='r')\n"
            + "n = int(sys.argv[2]); k = int(sys.argv[3])\n"
            + "assert a.shape == (n * k, 8) and a.dtype == np.float64\n"
            + "assert all(a[b * n, 0] == b and a[(b + 1) * n - 1, 7] == -b for b in range(k))\n"
            + "print('ok')";
    assertThat(Numpy.run(check, file, rowsPerBlock, blocks).trim()).isEqualTo("ok");
    Files.delete(file);
  }
}
