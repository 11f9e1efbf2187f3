package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.testing.Numpy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * An embedding dump past 2 GiB (twice the 1 GiB test heap, byte offsets beyond any int): written
 * from four tasks as one {@code (N, 256)} float32 file that numpy maps with np.save's own header
 * and exact values on both sides of the 2 GiB mark, then read back as Spark ML vectors; and as an
 * {@code .npz} whose first member passes 2 GiB.
 */
class LargeEmbeddingWriteTest extends WriterTestBase {
  private static final long ROWS = 2_200_000;
  private static final int DIM = 256;

  @Test
  void aFileLargerThan2GibIsNumpyExactAndReadsBackAsVectors() throws Exception {
    Path out = tmp.resolve("embeddings.npy");
    // Row i holds DIM copies of i, in four partitions: a row out of place shows in any column.
    sql("SELECT array_repeat(CAST(id AS FLOAT), "
            + DIM
            + ") AS embedding FROM range(0, "
            + ROWS
            + ", 1, 4)")
        .write()
        .format("npy")
        .save(out.toString());
    assertThat(Files.size(out)).isGreaterThan(1L << 31);

    String check =
        Numpy.run(
            "rows, dim = int(sys.argv[2]), int(sys.argv[3])\n"
                + "a = np.load(sys.argv[1], mmap_mode='r')\n"
                + "ref = np.lib.format.open_memmap(sys.argv[4], mode='w+', dtype='<f4',"
                + " shape=(rows, dim))\n"
                + "n = a.offset\n"
                + "del ref\n"
                + "same_header = open(sys.argv[1], 'rb').read(n) == open(sys.argv[4], 'rb').read(n)\n"
                + "i = np.arange(rows, dtype=np.float32)\n"
                + "first = bool((a[:, 0] == i).all()); last = bool((a[:, -1] == i).all())\n"
                + "edge = (2**31 - n) // (4 * dim)\n"
                + "rows_ok = all(bool((a[r] == np.float32(r)).all()) for r in"
                + " [0, edge - 1, edge, edge + 1, rows - 1])\n"
                + "print(a.dtype.str, a.shape, same_header, first, last, rows_ok)",
            out,
            ROWS,
            DIM,
            tmp.resolve("reference.npy"));
    assertThat(check.trim()).isEqualTo("<f4 (" + ROWS + ", " + DIM + ") True True True True");
    Files.delete(tmp.resolve("reference.npy"));

    long edge = ((1L << 31) - 128) / (4L * DIM);
    List<Row> back =
        spark()
            .read()
            .format("npy")
            .option("layout", "vector")
            .load(out.toString())
            .where("_row_index IN (" + (edge - 1) + ", " + edge + ", " + (ROWS - 1) + ")")
            .select("_row_index", "features")
            .collectAsList();
    assertThat(back).hasSize(3);
    for (Row r : back) {
      Vector v = r.getAs(1);
      assertThat(v.size()).isEqualTo(DIM);
      assertThat(v.toArray()).containsOnly((double) r.getLong(0));
    }
  }

  /**
   * The same embeddings and their ids as one stored {@code .npz}: the embedding member passes 2 GiB
   * and the ids member starts beyond it. {@code -Dnpy.test.npzRows=4400000} makes the member pass 4
   * GiB (zip64 sizes and offsets; about 13 GiB of disk at the peak), a run kept out of the build.
   */
  @Test
  void anNpzWithAMemberLargerThan2GibLoadsInNumpyAndReadsBack() throws Exception {
    long rows = Long.getLong("npy.test.npzRows", ROWS);
    Path out = tmp.resolve("embeddings.npz");
    sql("SELECT array_repeat(CAST(id AS FLOAT), "
            + DIM
            + ") AS embedding, id FROM range(0, "
            + rows
            + ", 1, 4)")
        .write()
        .format("npy")
        .save(out.toString());
    assertThat(Files.size(out)).isGreaterThan(1L << 31);
    String check =
        Numpy.run(
            "import zipfile\n"
                + "rows, dim = int(sys.argv[2]), int(sys.argv[3])\n"
                + "z = zipfile.ZipFile(sys.argv[1])\n"
                + "info = {i.filename: i for i in z.infolist()}\n"
                + "e = info['embedding.npy']\n"
                + "print(sorted(info), e.compress_type, e.file_size > 2**31,"
                + " info['id.npy'].header_offset > 2**31)\n"
                + "f = z.open('embedding.npy')\n"
                + "v = np.lib.format.read_magic(f)\n"
                + "read = {(1, 0): np.lib.format.read_array_header_1_0,"
                + " (2, 0): np.lib.format.read_array_header_2_0}[v]\n"
                + "shape, fortran, dt = read(f)\n"
                + "start = f.tell()\n"
                + "r = rows - 1\n"
                + "f.seek(start + r * dim * 4)\n"
                + "last = np.frombuffer(f.read(dim * 4), dt)\n"
                + "ids = np.load(sys.argv[1])['id']\n"
                + "print(shape, dt.str, bool((last == r).all()),"
                + " bool((ids == np.arange(rows)).all()))\n",
            out,
            rows,
            DIM);
    assertThat(check.trim().split("\n"))
        .containsExactly(
            "['embedding.npy', 'id.npy'] 0 True True", "(" + rows + ", " + DIM + ") <f4 True True");
    List<Row> back =
        spark()
            .read()
            .format("npy")
            .load(out.toString())
            .where("id IN (0, " + (rows / 2) + ", " + (rows - 1) + ")")
            .collectAsList();
    assertThat(back).hasSize(3);
    for (Row r : back) {
      List<Float> v = r.getList(0);
      assertThat(v).hasSize(DIM).containsOnly((float) r.getLong(1));
    }
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }
}
