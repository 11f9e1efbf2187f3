package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;

/**
 * {@code .npz} output: one archive whose members are the frame's columns (or {@code members}
 * groups), row-aligned, stored or deflated, checked with numpy's {@code np.load} and Python's
 * zipfile, and read back by the connector.
 */
class NpzWriteTest extends WriterTestBase {

  private static Dataset<Row> frame() {
    return sql("SELECT id, CAST(id AS FLOAT) * 0.5F AS f1, CAST(id * 2 AS FLOAT) AS f2,"
            + " array(CAST(id AS DOUBLE), -1.0D) AS emb, CAST(id %% 3 AS INT) AS label,"
            + " concat('r', id) AS name FROM range(0, 1000, 1, 4)")
        .repartition(5);
  }

  /** numpy's view: members, dtypes, shapes, zip methods, and the row alignment. */
  private static final String CHECK =
      "import zipfile\n"
          + "z = zipfile.ZipFile(sys.argv[1])\n"
          + "print(sorted({i.compress_type for i in z.infolist()}), [i.filename for i in"
          + " z.infolist()], z.testzip())\n"
          + "d = np.load(sys.argv[1])\n"
          + "print([(k, d[k].dtype.str, d[k].shape) for k in d.files])\n";

  @Test
  void aNpzPathWritesOneStoredMemberPerColumnThatNumpyLoads() throws Exception {
    Path out = tmp.resolve("d.npz");
    Dataset<Row> df = frame();
    df.write().format("npy").save(out.toString());
    String check =
        Numpy.run(
            CHECK
                + "i = d['id']\n"
                + "print(bool((d['f1'] == i.astype(np.float32) * np.float32(0.5)).all()),"
                + " bool((d['emb'][:, 0] == i).all()), bool((d['label'] == i % 3).all()),"
                + " all(n == 'r%d' % k for n, k in zip(d['name'].tolist(), i.tolist())))\n",
            out);
    assertThat(check.trim().split("\n"))
        .containsExactly(
            "[0] ['id.npy', 'f1.npy', 'f2.npy', 'emb.npy', 'label.npy', 'name.npy'] None",
            "[('id', '<i8', (1000,)), ('f1', '<f4', (1000,)), ('f2', '<f4', (1000,)), ('emb',"
                + " '<f8', (1000, 2)), ('label', '<i4', (1000,)), ('name', '<U4', (1000,))]",
            "True True True True");
    Dataset<Row> back = spark().read().format("npy").load(out.toString());
    assertThat(back.orderBy("id").collectAsList()).isEqualTo(df.orderBy("id").collectAsList());
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void deflatedMembersGroupsAndTheirDtypes() {
    Path out = tmp.resolve("train");
    frame()
        .drop("emb", "name")
        .write()
        .format("npy")
        .option("container", "npz")
        .option("compression", "deflate")
        .option("members", "X:f1,f2;y:label;ids:id")
        .option("dtype.X", "<f4")
        .save(out.toString());
    String check =
        Numpy.run(
            CHECK
                + "X, y, i = d['X'], d['y'], d['ids']\n"
                + "print(bool((X[:, 0] == i * 0.5).all()), bool((X[:, 1] == i * 2).all()),"
                + " bool((y == i % 3).all()))\n",
            out);
    assertThat(check.trim().split("\n"))
        .containsExactly(
            "[8] ['X.npy', 'y.npy', 'ids.npy'] None",
            "[('X', '<f4', (1000, 2)), ('y', '<i4', (1000,)), ('ids', '<i8', (1000,))]",
            "True True True");
    Row sums =
        spark()
            .read()
            .format("npy")
            .load(out.toString())
            .selectExpr("sum(X[0])", "sum(ids)", "count(*)")
            .first();
    assertThat(sums.getDouble(0)).isEqualTo(0.5 * 999 * 1000 / 2);
    assertThat(sums.getLong(1)).isEqualTo(999L * 1000 / 2);
    assertThat(sums.getLong(2)).isEqualTo(1000);
  }

  @Test
  void saveModesAndRefusals() throws Exception {
    Path out = tmp.resolve("m.npz");
    sql("SELECT id FROM range(3)").write().format("npy").save(out.toString());
    assertThatThrownBy(() -> frame().write().format("npy").save(out.toString()))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("[PATH_ALREADY_EXISTS]");
    assertThatThrownBy(
            () -> frame().write().format("npy").mode(SaveMode.Append).save(out.toString()))
        .isInstanceOf(NpyWriteException.class)
        .hasMessageContaining("Cannot append to file:" + out + " with an .npz archive");
    sql("SELECT id, -id AS neg FROM range(4)")
        .write()
        .format("npy")
        .mode(SaveMode.Overwrite)
        .save(out.toString());
    assertThat(
            Numpy.run("d = np.load(sys.argv[1]); print(d.files, d['neg'].tolist())", out.toString())
                .trim())
        .isEqualTo("['id', 'neg'] [0, -1, -2, -3]");
    String other = tmp.resolve("x.npy").toString();
    assertThatThrownBy(
            () -> frame().write().format("npy").option("compression", "deflate").save(other))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("option 'compression' does not apply: .npy files are uncompressed")
        .hasMessageContaining("or write an .npz archive (container=npz, or a path ending in .npz)");
    assertThatThrownBy(
            () ->
                frame()
                    .write()
                    .format("npy")
                    .option("layout", "matrix")
                    .save(tmp.resolve("n.npz").toString()))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("Cannot write an .npz with layout=matrix");
    assertThatThrownBy(
            () ->
                frame()
                    .write()
                    .format("npy")
                    .option("dtype", "<f4")
                    .save(tmp.resolve("d.npz").toString()))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage(
            "Cannot apply option dtype=<f4 to layout=columns or an .npz: give each member its"
                + " own, dtype.<member> (e.g. option(\"dtype.X\", \"<f2\")), as the members'"
                + " columns differ");
    assertThatThrownBy(
            () ->
                frame()
                    .write()
                    .format("npy")
                    .option("container", "zip")
                    .save(tmp.resolve("z").toString()))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage("Invalid value 'zip' for option 'container': use one of npy, npz");
    assertThat(Files.exists(Path.of(other))).isFalse();
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }
}
