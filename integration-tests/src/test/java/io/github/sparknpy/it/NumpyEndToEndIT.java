package io.github.sparknpy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.testing.Numpy;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Spark → numpy → Spark: features and labels written by a cluster job, opened by numpy with {@code
 * mmap_mode="r"}, and numpy's own {@code .npy} and {@code .npz} read back by Spark.
 */
@ExtendWith(SparkCluster.class)
class NumpyEndToEndIT {
  private static final int N = 100_000;

  private final SparkSession spark = SparkCluster.spark();

  @Test
  void featuresAndLabelsToNumpyAndBack() throws Exception {
    Path dir = ItConfig.workDir("e2e");
    Dataset<Row> data =
        spark
            .range(0, N, 1, 4)
            .selectExpr(
                "id",
                "id * 0.5D as f0",
                "cast(id % 10 as int) as f1",
                "sqrt(cast(id as double)) as f2",
                "id % 3 as label")
            .orderBy("id");
    data.select("f0", "f1", "f2")
        .write()
        .format("npy")
        .option("layout", "matrix")
        .option("dtype", "<f4")
        .save(dir.resolve("X.npy").toString());
    data.select("label").write().format("npy").save(dir.resolve("y.npy").toString());

    String out =
        Numpy.run(
            "d = sys.argv[1]\n"
                + "X = np.load(d + '/X.npy', mmap_mode='r')\n"
                + "y = np.load(d + '/y.npy', mmap_mode='r')\n"
                + "n = int(sys.argv[2])\n"
                + "assert isinstance(X, np.memmap) and isinstance(y, np.memmap)\n"
                + "assert X.shape == (n, 3) and X.dtype == np.dtype('<f4'), (X.shape, X.dtype)\n"
                + "assert y.shape == (n,) and y.dtype == np.dtype('<i8'), (y.shape, y.dtype)\n"
                + "i = np.arange(n)\n"
                + "assert (X[:, 0] == (i * 0.5).astype('<f4')).all()\n"
                + "assert (X[:, 1] == (i % 10).astype('<f4')).all()\n"
                + "assert (X[:, 2] == np.sqrt(i.astype('<f8')).astype('<f4')).all()\n"
                + "assert (y == i % 3).all()\n"
                // numpy's turn: a prediction per row, and an archive with a matrix and labels
                + "w = np.array([0.25, -1.0, 2.0], dtype='<f8')\n"
                + "pred = X.astype('<f8') @ w\n"
                + "np.save(d + '/pred.npy', pred)\n"
                + "np.savez(d + '/train.npz', X2=np.ascontiguousarray(X[:, :2]) * 2, y=y)\n"
                + "np.savez_compressed(d + '/small.npz', y=np.asarray(y[:1000]))\n"
                + "print(json.dumps({'pred': float(pred.sum()), 'X2': float((X[:, :2] * 2)"
                + ".astype('<f8').sum()), 'y': int(y.sum()), 'p7': float(pred[7])}))",
            dir, N);
    String[] fields = out.trim().replaceAll("[{}\"]", "").split(",\\s*");
    double predSum = Double.parseDouble(fields[0].split(":\\s*")[1]);
    double x2Sum = Double.parseDouble(fields[1].split(":\\s*")[1]);
    long ySum = Long.parseLong(fields[2].split(":\\s*")[1]);
    double p7 = Double.parseDouble(fields[3].split(":\\s*")[1]);

    Dataset<Row> pred = spark.read().format("npy").load(dir.resolve("pred.npy").toString());
    assertThat(pred.schema().fieldNames()).containsExactly("value");
    assertThat(pred.count()).isEqualTo(N);
    assertThat(pred.where("_row_index = 7").first().getDouble(0)).isEqualTo(p7);
    assertThat(pred.selectExpr("sum(value)").first().getDouble(0))
        .isCloseTo(predSum, org.assertj.core.data.Percentage.withPercentage(1e-9));

    Dataset<Row> train = spark.read().format("npy").load(dir.resolve("train.npz").toString());
    assertThat(train.schema().fieldNames()).containsExactly("X2", "y");
    assertThat(train.count()).isEqualTo(N);
    Row r = train.where("_row_index = 9").first();
    assertThat(r.getList(0)).containsExactly(9.0f, 18.0f);
    assertThat(r.getLong(1)).isEqualTo(0L);
    Row sums = train.selectExpr("sum(X2[0] + X2[1])", "sum(y)").first();
    assertThat(sums.getDouble(0))
        .isCloseTo(x2Sum, org.assertj.core.data.Percentage.withPercentage(1e-9));
    assertThat(sums.getLong(1)).isEqualTo(ySum);

    Dataset<Row> x2 =
        spark
            .read()
            .format("npy")
            .option("member", "X2")
            .option("layout", "matrix")
            .load(dir.resolve("train.npz").toString());
    assertThat(x2.schema().fieldNames()).containsExactly("_0", "_1");
    assertThat(x2.where("_1 != 2 * (_row_index % 10)").count()).isZero();

    List<Row> small =
        spark.read().format("npy").load(dir.resolve("small.npz").toString()).collectAsList();
    assertThat(small).hasSize(1000);
    for (int i = 0; i < small.size(); i++) {
      assertThat(small.get(i).getLong(0)).isEqualTo(i % 3);
    }
  }
}
