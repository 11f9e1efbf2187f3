package io.github.sparknpy.spark.write;

import static io.github.sparknpy.spark.write.NpyWriterRoundTripTest.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Types and options checked on the driver (before any task), and ML vectors. */
class NpyWriterValidationTest extends WriterTestBase {

  private void save(Dataset<Row> df, String... options) {
    var w = df.write().format("npy");
    for (int i = 0; i < options.length; i += 2) {
      w = w.option(options[i], options[i + 1]);
    }
    w.save(tmp.resolve("out.npy").toString());
  }

  private void assertNothingWritten() throws Exception {
    assertThat(Files.exists(tmp.resolve("out.npy"))).isFalse();
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void unsupportedTypesFailNamingColumnAndType() throws Exception {
    assertThatThrownBy(() -> save(sql("SELECT 1 AS a, map('k', 1) AS m")))
        .isInstanceOf(NpyUnsupportedTypeException.class)
        .hasMessageStartingWith("Cannot write column 'm' of type map<string,int>")
        .hasMessageContaining("Supported: boolean, byte");
    assertThatThrownBy(() -> save(sql("SELECT named_struct('x', map(1, 2)) AS s")))
        .isInstanceOf(NpyUnsupportedTypeException.class)
        .hasMessageStartingWith("Cannot write column 's.x' of type map<int,int>");
    // Spark's own analysis rejects duplicate names for saves; the layout checks them regardless
    StructType dup =
        new StructType()
            .add(
                "s", new StructType().add("a", DataTypes.IntegerType).add("a", DataTypes.LongType));
    assertThatThrownBy(
            () ->
                WriteLayoutPlanner.plan(
                    dup,
                    new NpyWriteOptions(
                        new org.apache.spark.sql.util.CaseInsensitiveStringMap(java.util.Map.of())),
                    "UTC",
                    false))
        .isInstanceOf(NpyUnsupportedTypeException.class)
        .hasMessageStartingWith("Cannot write column 's': field name 'a' is empty or used twice");
    assertNothingWritten();
  }

  @Test
  void decimalsNeedScaleZeroOrAllowPrecisionLoss() throws Exception {
    assertThatThrownBy(() -> save(sql("SELECT CAST(1.5 AS DECIMAL(10,2)) AS d")))
        .isInstanceOf(NpyUnsupportedTypeException.class)
        .hasMessage(
            "Cannot write column 'd' of type decimal(10,2) exactly: numpy has no decimal type;"
                + " decimal(p<=18,0) becomes <i8 and decimal(20,0) <u8. Set option"
                + " allowPrecisionLoss=true to write it as <f8 (float64), or cast the column"
                + " yourself");
    assertThatThrownBy(() -> save(sql("SELECT CAST(-1 AS DECIMAL(20,0)) AS u")))
        .satisfies(
            e ->
                assertThat(rootCause(e))
                    .isInstanceOf(NpyWriteException.class)
                    .hasMessageStartingWith(
                        "Cannot write -1 in column 'u' (decimal(20,0)) at row 0 of partition 0:"
                            + " it is outside the range of <u8"));
    assertNothingWritten();
  }

  @Test
  void invalidOptionsFailBeforeAnyTask() throws Exception {
    Dataset<Row> two = sql("SELECT 1.0D AS a, 'x' AS s");
    assertThatThrownBy(() -> save(two, "layout", "matrix"))
        .isInstanceOf(NpyUnsupportedTypeException.class)
        .hasMessageStartingWith(
            "Cannot write column 's' of type string with layout=matrix: every column must be"
                + " numeric");
    assertThatThrownBy(() -> save(two, "dtype", "<f4"))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageStartingWith("Cannot apply option dtype=<f4 to 2 columns");
    assertThatThrownBy(() -> save(sql("SELECT 1.0D AS a"), "dtype", "<c8"))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage(
            "Invalid value '<c8' for option 'dtype': use one of |b1, |i1, <i2, <i4, <i8, <f2, <f4, <f8"
                + " (the element types Spark can cast to; little-endian)");
    assertThatThrownBy(() -> save(two, "stringLength.nope", "3"))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage(
            "Invalid option stringLength.nope: there is no string or binary column 'nope'; string"
                + " and binary columns: s");
    assertThatThrownBy(() -> save(two, "nulls", "maybe"))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage("Invalid value 'maybe' for option 'nulls': use one of error, fill");
    assertThatThrownBy(() -> save(two, "stringLength", "0"))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageStartingWith("Invalid value '0' for option 'stringLength'");
    assertThatThrownBy(() -> save(two, "layout", "rows"))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage("Invalid value 'rows' for option 'layout': use one of auto, matrix, columns");
    assertNothingWritten();
  }

  @Test
  void vectorSizeComesFromMlAttributeMetadataWhenPresent() {
    org.apache.spark.sql.types.Metadata attrs =
        new org.apache.spark.sql.types.MetadataBuilder()
            .putMetadata(
                "ml_attr",
                new org.apache.spark.sql.types.MetadataBuilder().putLong("num_attrs", 3).build())
            .build();
    StructType schema = new StructType().add("features", new VectorUDT(), true, attrs);
    List<Row> rows =
        java.util.Arrays.asList(
            RowFactory.create((Object) null),
            RowFactory.create(new VectorUDT.Vec(3, null, new double[] {1, 2, 3})));
    Path out = tmp.resolve("meta.npy");
    spark()
        .createDataFrame(rows, schema)
        .coalesce(1)
        .write()
        .format("npy")
        .option("nulls", "fill")
        .save(out.toString());
    JsonNode n = numpy(out);
    assertThat(shape(n)).isEqualTo("[2,3]");
    assertThat(values(n)).isEqualTo("[[\"nan\",\"nan\",\"nan\"],[1.0,2.0,3.0]]");
  }

  @Test
  void timestampsAreUtcMicrosecondsWhateverTheSessionTimeZone() {
    Path out = tmp.resolve("tz.npy");
    withSQLConf(
        java.util.Map.of("spark.sql.session.timeZone", "America/New_York"),
        () ->
            sql("SELECT TIMESTAMP'2024-01-02 03:04:05' AS t, TIMESTAMP_NTZ'2024-01-02 03:04:05' AS n")
                .write()
                .format("npy")
                .save(out.toString()));
    assertThat(values(numpy(out))).isEqualTo("[[\"2024-01-02 08:04:05\",\"2024-01-02 03:04:05\"]]");
  }

  @Test
  void mlVectorsDenseAndSparseBecomeFloat64SubArrays() {
    StructType schema =
        new StructType().add("features", new VectorUDT()).add("label", DataTypes.DoubleType);
    List<Row> rows =
        List.of(
            RowFactory.create(new VectorUDT.Vec(3, null, new double[] {1, 2, 3}), 0.0),
            RowFactory.create(new VectorUDT.Vec(3, new int[] {1}, new double[] {5}), 1.0));
    Dataset<Row> df = spark().createDataFrame(rows, schema).coalesce(1);
    Path out = tmp.resolve("v.npy");
    df.write().format("npy").save(out.toString());
    JsonNode n = numpy(out);
    assertThat(descr(n)).isEqualTo("[[\"features\",\"<f8\",[3]],[\"label\",\"<f8\"]]");
    assertThat(values(n)).isEqualTo("[[[1.0,2.0,3.0],0.0],[[0.0,5.0,0.0],1.0]]");
    Path x = tmp.resolve("X.npy");
    df.select("features").write().format("npy").save(x.toString());
    assertThat(shape(numpy(x))).isEqualTo("[2,3]");
    List<Row> bad =
        List.of(
            RowFactory.create(new VectorUDT.Vec(3, null, new double[] {1, 2, 3}), 0.0),
            RowFactory.create(new VectorUDT.Vec(4, new int[] {1}, new double[] {5}), 1.0));
    assertThatThrownBy(
            () ->
                spark()
                    .createDataFrame(bad, schema)
                    .coalesce(1)
                    .write()
                    .format("npy")
                    .save(tmp.resolve("bad.npy").toString()))
        .satisfies(
            e ->
                assertThat(rootCause(e))
                    .isInstanceOf(NpyWriteException.class)
                    .hasMessageStartingWith(
                        "Cannot write vector column 'features': the vector at row 1 of partition 0"
                            + " has size 4, but the first row's has size 3"));
  }
}
