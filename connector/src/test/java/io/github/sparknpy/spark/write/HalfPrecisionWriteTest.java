package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * {@code dtype=<f2} (half precision, for embeddings) and float dtypes of ML vector columns: the
 * values numpy finds are bit for bit what {@code astype} of the same doubles gives, and the file is
 * what {@code np.save} writes.
 */
class HalfPrecisionWriteTest extends WriterTestBase {

  /** Doubles numpy computes identically (same IEEE operations): ties, overflow and subnormals. */
  private static final String DOUBLES =
      "SELECT CAST(id AS DOUBLE) / 7 + 1e-4 * id AS x FROM range(0, 3000, 1, 3)"
          + " UNION ALL SELECT * FROM VALUES (65520.0D), (65519.99D), (-1e-8D), (2.9802322387695312e-08D)";

  private static final String NUMPY_DOUBLES =
      "i = np.arange(3000, dtype=np.float64)\n"
          + "x = np.concatenate([i / 7 + 1e-4 * i, [65520.0, 65519.99, -1e-8, 2.9802322387695312e-08]])\n";

  @Test
  void aDoubleColumnWithDtypeF2IsRoundedAsNumpyRoundsIt() {
    Path out = tmp.resolve("h.npy");
    sql(DOUBLES).coalesce(1).write().format("npy").option("dtype", "<f2").save(out.toString());
    String check =
        Numpy.run(
                NUMPY_DOUBLES
                    + "with np.errstate(over='ignore'):\n"
                    + "    ref = x.astype(np.float16)\n"
                    + "a = np.load(sys.argv[1], mmap_mode='r')\n"
                    + "print(a.dtype.str, a.shape,"
                    + " bool((a.view(np.uint16) == ref.view(np.uint16)).all()), a[-4], float(a[-3]), float(a[-1]))",
                out)
            .trim();
    assertThat(check).isEqualTo("<f2 (3004,) True inf 65504.0 0.0");
    assertNpSaveIdentical(out);
  }

  @Test
  void floatArraysAndMatricesTakeDtypeF2() {
    Path arrays = tmp.resolve("a.npy");
    sql("SELECT array(CAST(id AS FLOAT) / 3, CAST(id AS FLOAT)) AS v FROM range(0, 50, 1, 2)")
        .write()
        .format("npy")
        .option("dtype", "float16")
        .save(arrays.toString());
    Path matrix = tmp.resolve("m.npy");
    sql("SELECT CAST(id AS FLOAT) / 3 AS a, id AS b FROM range(0, 50, 1, 2)")
        .write()
        .format("npy")
        .option("layout", "matrix")
        .option("dtype", "<f2")
        .save(matrix.toString());
    String script =
        "i = np.arange(50)\n"
            + "ref = np.stack([(i.astype(np.float32) / np.float32(3)), i.astype(np.float32)],"
            + " axis=1).astype(np.float16)\n"
            + "for p in sys.argv[1:]:\n"
            + "    a = np.load(p)\n"
            + "    print(a.dtype.str, a.shape, bool((a.view(np.uint16) == ref.view(np.uint16)).all()))";
    assertThat(Numpy.run(script, arrays, matrix).trim())
        .isEqualTo("<f2 (50, 2) True\n<f2 (50, 2) True");
    assertNpSaveIdentical(arrays);
    assertNpSaveIdentical(matrix);
  }

  @Test
  void mlVectorsAsF2OrF4DenseAndSparse() {
    StructType schema = new StructType().add("features", new VectorUDT());
    List<Row> rows =
        List.of(
            RowFactory.create(new VectorUDT.Vec(3, null, new double[] {0.1, 1.0 / 3, 70000})),
            RowFactory.create(new VectorUDT.Vec(3, new int[] {1}, new double[] {-2.5})));
    Dataset<Row> df = spark().createDataFrame(rows, schema).coalesce(1);
    for (String dtype : List.of("<f2", "<f4")) {
      Path out = tmp.resolve("v" + dtype.substring(1) + ".npy");
      df.write().format("npy").option("dtype", dtype).save(out.toString());
      String check =
          Numpy.run(
                  "with np.errstate(over='ignore'):\n"
                      + "    ref = np.array([[0.1, 1/3, 70000], [0, -2.5, 0]]).astype(sys.argv[2])\n"
                      + "a = np.load(sys.argv[1])\n"
                      + "print(a.dtype.str, a.shape, bool((a == ref).all()))",
                  out,
                  dtype)
              .trim();
      assertThat(check).as(dtype).isEqualTo(dtype + " (2, 3) True");
      assertNpSaveIdentical(out);
    }
  }

  @Test
  void aVectorColumnRefusesANonFloatDtype() {
    StructType schema = new StructType().add("features", new VectorUDT());
    Dataset<Row> df =
        spark()
            .createDataFrame(
                List.of(RowFactory.create(new VectorUDT.Vec(2, null, new double[] {1, 2}))),
                schema);
    Path out = tmp.resolve("x.npy");
    assertThatThrownBy(() -> df.write().format("npy").option("dtype", "<i4").save(out.toString()))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("Cannot apply option dtype=<i4 to vector column 'features'")
        .hasMessageContaining("use dtype <f2 (half precision, e.g. for embeddings), <f4 or <f8");
    assertThat(out).doesNotExist();
  }
}
