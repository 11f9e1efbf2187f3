package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.testing.Numpy;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Columns read in place from the batch's bytes ({@link StridedColumnVector}) give the values numpy
 * gives: both byte orders, C and Fortran order, booleans and ints, arrays of rows, and a scan whose
 * later file does not suit the first file's in-place columns (it is decoded instead).
 */
class InPlaceColumnsTest extends NpyReadTestBase {

  private static String rows(List<Row> rows) {
    return rows.stream().map(Row::toString).collect(Collectors.joining(" "));
  }

  private static org.apache.spark.sql.Dataset<Row> matrix(Path file) {
    return spark().read().format("npy").option("layout", "matrix").load(file.toString());
  }

  @Test
  void matrixColumnsOfEitherByteOrderAndMemoryOrderAreNumpysValues() throws Exception {
    Path dir = newDir("in-place-matrix");
    Numpy.run(
        "a = np.arange(12, dtype='<f8').reshape(6, 2) * 1.5\n"
            + "np.save(sys.argv[1] + '/le.npy', a)\n"
            + "np.save(sys.argv[1] + '/be.npy', a.astype('>f8'))\n"
            + "np.save(sys.argv[1] + '/f.npy', np.asfortranarray(a))\n"
            + "np.save(sys.argv[1] + '/b.npy', np.array([[True, False], [False, True]]))\n"
            + "np.save(sys.argv[1] + '/i.npy', np.array([[-3, 4], [5, -6]], dtype='>i2'))\n",
        dir);
    String want = "[0.0,1.5] [3.0,4.5] [6.0,7.5] [9.0,10.5] [12.0,13.5] [15.0,16.5]";
    for (String name : List.of("le", "be", "f")) {
      Path file = dir.resolve(name + ".npy");
      assertThat(rows(matrix(file).collectAsList())).as(name).isEqualTo(want);
      assertThat(matrix(file).selectExpr("sum(_0)", "sum(_1)").first().toString())
          .as(name)
          .isEqualTo("[45.0,54.0]");
    }
    assertThat(rows(matrix(dir.resolve("b.npy")).collectAsList()))
        .isEqualTo("[true,false] [false,true]");
    assertThat(rows(matrix(dir.resolve("i.npy")).collectAsList())).isEqualTo("[-3,4] [5,-6]");
  }

  @Test
  void arraysOfRowsAreNumpysRowsInBothByteOrders() throws Exception {
    Path dir = newDir("in-place-arrays");
    Numpy.run(
        "a = np.arange(9, dtype='<i8').reshape(3, 3) - 4\n"
            + "np.save(sys.argv[1] + '/le.npy', a)\n"
            + "np.save(sys.argv[1] + '/be.npy', a.astype('>i8'))\n",
        dir);
    for (String name : List.of("le", "be")) {
      var df = spark().read().format("npy").load(dir.resolve(name + ".npy").toString());
      assertThat(rows(df.collectAsList()))
          .as(name)
          .isEqualTo(
              "[WrappedArray(-4, -3, -2)] [WrappedArray(-1, 0, 1)] [WrappedArray(2, 3, 4)]"
                  .replace("WrappedArray", arrayName()));
      assertThat(df.selectExpr("sum(value[0])", "sum(value[2])").first().toString())
          .isEqualTo("[-3,3]");
    }
  }

  @Test
  void aLaterFileThatDoesNotSuitTheInPlaceColumnsIsDecoded() throws Exception {
    Path dir = newDir("in-place-mixed");
    // One scan, one task: the first file's float64 columns are read in place; the second file,
    // Fortran order with another row layout, is decoded into the copying batch.
    Numpy.run(
        "np.save(sys.argv[1] + '/a.npy', np.array([[1.0, 2.0], [3.0, 4.0]]))\n"
            + "np.save(sys.argv[1] + '/b.npy', np.asfortranarray(np.array([[5.0, 6.0], [7.0,"
            + " 8.0]])))\n"
            + "np.save(sys.argv[1] + '/c.npy', np.array([[9.0, 10.0]]))\n",
        dir);
    // One partition, so one reader meets all three files (Spark packs small files by size).
    spark().conf().set("spark.sql.files.minPartitionNum", "1");
    try {
      var df = matrix(dir);
      assertThat(df.rdd().getNumPartitions()).isEqualTo(1);
      assertThat(rows(df.collectAsList()))
          .isEqualTo("[1.0,2.0] [3.0,4.0] [5.0,6.0] [7.0,8.0] [9.0,10.0]");
    } finally {
      spark().conf().unset("spark.sql.files.minPartitionNum");
    }
  }

  /** How Row.toString shows a Scala sequence on this Scala line. */
  private static String arrayName() {
    return scala.util.Properties.versionNumberString().startsWith("2.12")
        ? "WrappedArray"
        : "ArraySeq";
  }
}
