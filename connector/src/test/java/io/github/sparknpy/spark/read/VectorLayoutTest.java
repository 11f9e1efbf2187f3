package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.github.sparknpy.spark.config.NpyOptionException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/**
 * {@code layout=vector}: a 2-D array read as one Spark ML dense vector column {@code features},
 * checked value by value against numpy's {@code astype(np.float64)} and fed to ML estimators.
 */
class VectorLayoutTest extends NpyReadTestBase {

  private Dataset<Row> vectors(Path file) {
    return spark().read().format("npy").option("layout", "vector").load(file.toString());
  }

  /** The vectors' values, row by row, as the bits of each double. */
  private static List<String> bits(Dataset<Row> df) {
    List<String> out = new ArrayList<>();
    for (Row r : df.collectAsList()) {
      Vector v = r.getAs(0);
      assertThat(v).isInstanceOf(org.apache.spark.ml.linalg.DenseVector.class);
      List<String> row = new ArrayList<>();
      for (double d : v.toArray()) {
        row.add(Long.toString(Double.doubleToRawLongBits(d)));
      }
      out.add(String.join(",", row));
    }
    return out;
  }

  /** Numpy's rows of {@code a.astype(np.float64)} in the form of {@link #bits}. */
  private static final String ROWS =
      "def rows(a):\n"
          + "    a = a.astype(np.float64)\n"
          + "    return [','.join(str(int(x)) for x in r.view(np.int64)) for r in a]\n";

  @Test
  void everyFloatAndNarrowIntegerDtypeWidensToDoubleAsNumpyDoes() throws Exception {
    String expected =
        numpy(
            ROWS
                + "rng = np.random.default_rng(7)\n"
                + "out = {}\n"
                + "for d in ['<f8', '>f8', '<f4', '>f4', '<f2', 'i1', '<i2', '>i4', 'u1', '<u2',"
                + " '<u4']:\n"
                + "    dt = np.dtype(d)\n"
                + "    if dt.kind == 'f':\n"
                + "        a = (rng.standard_normal((1000, 7)) * 1000).astype(dt)\n"
                + "        a[0, 0] = np.nan; a[0, 1] = np.inf; a[0, 2] = -0.0\n"
                + "    else:\n"
                + "        info = np.iinfo(dt)\n"
                + "        a = rng.integers(info.min, info.max, (1000, 7), endpoint=True).astype(dt)\n"
                + "        a[0, 0] = info.min; a[0, 1] = info.max\n"
                + "    for order in 'CF':\n"
                + "        name = d.replace('<', 'l').replace('>', 'b') + order + '.npy'\n"
                + "        np.save(sys.argv[1] + '/' + name, np.asarray(a, order=order))\n"
                + "        out[name] = rows(a)\n"
                + "print(json.dumps(out))\n",
            tmp);
    Map<String, List<String>> files =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readValue(
                expected,
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, List<String>>>() {});
    assertThat(files).hasSize(22);
    for (Map.Entry<String, List<String>> e : files.entrySet()) {
      Dataset<Row> df = vectors(tmp.resolve(e.getKey()));
      assertThat(df.schema().fields()).hasSize(1);
      assertThat(df.schema().fields()[0].name()).isEqualTo("features");
      assertThat(df.schema().fields()[0].dataType()).isInstanceOf(VectorUDT.class);
      assertThat(df.schema().fields()[0].nullable()).isFalse();
      assertThat(bits(df)).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void rowsKeepTheirOrderAcrossSplitsAndBesideMetadataColumns() {
    Path file = tmp.resolve("big.npy");
    numpy("np.save(sys.argv[1], np.arange(200000 * 3, dtype='<f4').reshape(200000, 3))", file);
    withSQLConf(
        Map.of("spark.sql.files.maxPartitionBytes", "262144"),
        () -> {
          Dataset<Row> df = vectors(file).select("_row_index", "features");
          assertThat(df.rdd().getNumPartitions()).isGreaterThan(3);
          List<Row> rows = df.collectAsList();
          assertThat(rows).hasSize(200000);
          for (Row r : rows) {
            long i = r.getLong(0);
            assertThat(((Vector) r.getAs(1)).toArray())
                .containsExactly(3 * i, 3 * i + 1, 3 * i + 2);
          }
        });
  }

  @Test
  void sparkMlEstimatorsTakeTheColumnAsIs() {
    Path file = tmp.resolve("clusters.npy");
    String means =
        numpy(
            "rng = np.random.default_rng(3)\n"
                + "a = np.concatenate([rng.normal(-50, 1, (500, 4)), rng.normal(50, 1, (500, 4))])\n"
                + "np.save(sys.argv[1], a.astype('<f4'))\n"
                + "b = a.astype('<f4').astype(np.float64)\n"
                + "print(json.dumps([b.mean(axis=0).tolist(), b[:500].mean(axis=0).tolist(),"
                + " b[500:].mean(axis=0).tolist()]))\n",
            file);
    double[][] expected = parse(means);
    Dataset<Row> df = vectors(file);

    Vector mean = df.select(Summarizer.mean(functions.col("features"))).first().getAs(0);
    assertThat(mean.toArray()).containsExactly(expected[0], offset(1e-9));

    // Solver "block": the "row" solver computes the scan twice in one task (RDD.zip), which
    // Spark 4.0.4 breaks for every DataSource V2 scan, Parquet's included (docs/reading.md).
    KMeansModel model = new KMeans().setK(2).setSeed(1).setMaxIter(10).setSolver("block").fit(df);
    List<double[]> centers = new ArrayList<>();
    for (Vector c : model.clusterCenters()) {
      centers.add(c.toArray());
    }
    centers.sort((x, y) -> Double.compare(x[0], y[0]));
    assertThat(centers.get(0)).containsExactly(expected[1], offset(1e-9));
    assertThat(centers.get(1)).containsExactly(expected[2], offset(1e-9));
  }

  private static double[][] parse(String json) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, double[][].class);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void vectorsWrittenByTheWriterReadBackAsVectors() {
    Path out = tmp.resolve("written.npy");
    List<Row> rows =
        List.of(
            RowFactory.create(new org.apache.spark.ml.linalg.DenseVector(new double[] {1, 2, 3})),
            RowFactory.create(
                new org.apache.spark.ml.linalg.SparseVector(3, new int[] {1}, new double[] {-4})));
    Dataset<Row> in =
        spark()
            .createDataFrame(
                rows, new org.apache.spark.sql.types.StructType().add("v", new VectorUDT(), false));
    in.coalesce(1).write().format("npy").save(out.toString());
    assertThat(
            numpy("a = np.load(sys.argv[1]); print(a.dtype.str, a.shape, a.tolist())", out).strip())
        .isEqualTo("<f8 (2, 3) [[1.0, 2.0, 3.0], [0.0, -4.0, 0.0]]");
    List<Row> back = vectors(out).collectAsList();
    assertThat(((Vector) back.get(0).getAs(0)).toArray()).containsExactly(1, 2, 3);
    assertThat(((Vector) back.get(1).getAs(0)).toArray()).containsExactly(0, -4, 0);
  }

  @Test
  void otherShapesAndDtypesAreRefusedByName() {
    Path cube = tmp.resolve("cube.npy");
    Path wide = tmp.resolve("wide.npy");
    Path npz = tmp.resolve("d.npz");
    numpy(
        "np.save(sys.argv[1], np.zeros((2, 3, 4)))\n"
            + "np.save(sys.argv[2], np.zeros((2, 3), '<i8'))\n"
            + "np.savez(sys.argv[3], X=np.ones((2, 3), '<f4'))\n",
        cube,
        wide,
        npz);
    assertThatThrownBy(() -> vectors(cube))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("Cannot use layout=vector on ")
        .hasMessageContaining(cube.toString())
        .hasMessageContaining("shape [2, 3, 4]")
        .hasMessageContaining("layout=matrix and Spark ML's VectorAssembler");
    assertThatThrownBy(() -> vectors(wide))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining(wide.toString())
        .hasMessageContaining("dtype '<i8'")
        .hasMessageContaining("integers of up to 32 bits");
    assertThatThrownBy(() -> vectors(npz))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("it is a .npz archive or a column set; add option member");
    Dataset<Row> member =
        spark()
            .read()
            .format("npy")
            .option("layout", "vector")
            .option("member", "X")
            .load(npz.toString());
    assertThat(((Vector) member.first().getAs(0)).toArray()).containsExactly(1, 1, 1);
  }
}
