package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every line of the schema contract: files made by numpy, read by Spark, schema and every value
 * compared with numpy's own values (through canon.py), in both byte orders, C and Fortran order.
 */
class SchemaContractTest extends NpyReadTestBase {
  @TempDir static Path files;
  private static JsonNode expected;

  /** name, numpy expression, option ("" / "last" / "matrix"), expected Spark schema. */
  private static final List<String[]> CASES = new ArrayList<>();

  private static void add(String name, String expr, String mode, String schema) {
    CASES.add(new String[] {name, expr, mode, schema});
  }

  static {
    add("b1", "np.array([True, False, True])", "", "struct<value:boolean>");
    add("i1", "np.array([-128, 0, 127], 'i1')", "", "struct<value:tinyint>");
    for (String o : new String[] {"<", ">"}) {
      String n = o.equals("<") ? "le" : "be";
      add("i2" + n, "np.array([-32768, -1, 32767], '" + o + "i2')", "", "struct<value:smallint>");
      add("i4" + n, "np.array([-2**31, -1, 2**31-1], '" + o + "i4')", "", "struct<value:int>");
      add("i8" + n, "np.array([-2**63, -1, 2**63-1], '" + o + "i8')", "", "struct<value:bigint>");
      add("u2" + n, "np.array([0, 1, 65535], '" + o + "u2')", "", "struct<value:int>");
      add("u4" + n, "np.array([0, 1, 2**32-1], '" + o + "u4')", "", "struct<value:bigint>");
      add(
          "u8" + n,
          "np.array([0, 2**63, 2**64-1], '" + o + "u8')",
          "",
          "struct<value:decimal(20,0)>");
      add(
          "f2" + n,
          "np.array([1.5, -0.0, np.inf, 65504, 6e-8, np.nan], '" + o + "f2')",
          "",
          "struct<value:float>");
      add(
          "f4" + n,
          "np.array([1.25, -0.0, -np.inf, 3.4e38, 1e-45], '" + o + "f4')",
          "",
          "struct<value:float>");
      add(
          "f8" + n,
          "np.array([0.1, -0.0, np.inf, np.nan, 5e-324], '" + o + "f8')",
          "",
          "struct<value:double>");
      add(
          "c8" + n,
          "np.array([1+2j, -0.5-3j], '" + o + "c8')",
          "",
          "struct<value:struct<real:float,imag:float>>");
      add(
          "c16" + n,
          "np.array([1+2j, -0.5-3e300j], '" + o + "c16')",
          "",
          "struct<value:struct<real:double,imag:double>>");
      add(
          "U" + n,
          "np.array(['a\\u00f1\\u20ac\\U0001F600', '', 'xy\\x00z'], '" + o + "U4')",
          "",
          "struct<value:string>");
      add(
          "Mdays" + n,
          "np.array(['2020-02-29', 'NaT', '1969-12-31', '1500-01-01'], '" + o + "M8[D]')",
          "",
          "struct<value:date>");
      add(
          "Mns" + n,
          "np.array([-1, -1000, 1999, np.datetime64('NaT').view('i8'), 1600000000123456789],"
              + " 'i8').astype('"
              + o
              + "i8').view('"
              + o
              + "M8[ns]')",
          "",
          "struct<value:timestamp>");
      add(
          "md" + n,
          "np.array([1, -2, 'NaT'], '" + o + "m8[D]')",
          "",
          "struct<value:interval day to second>");
      add(
          "c2d" + n,
          "np.arange(12, dtype='" + o + "f8').reshape(3, 4)",
          "",
          "struct<value:array<double>>");
      add(
          "f2d" + n,
          "np.asfortranarray(np.arange(12, dtype='" + o + "i4').reshape(3, 4))",
          "",
          "struct<value:array<int>>");
      add(
          "m" + n,
          "np.arange(12, dtype='" + o + "f8').reshape(3, 4)",
          "matrix",
          "struct<_0:double,_1:double,_2:double,_3:double>");
      add(
          "mf" + n,
          "np.asfortranarray(np.arange(6, dtype='" + o + "i8').reshape(3, 2))",
          "matrix",
          "struct<_0:bigint,_1:bigint>");
    }
    add("u1", "np.array([0, 1, 255], 'u1')", "", "struct<value:smallint>");
    add(
        "S",
        "np.array([b'ab\\x00c', b'', b'abcde', b'a\\x00\\x00'], 'S5')",
        "",
        "struct<value:binary>");
    add("V", "np.array([b'\\x00\\x01\\x00', b'abc'], 'V3')", "", "struct<value:binary>");
    for (String u : new String[] {"Y", "M", "W"}) {
      add("M" + u, "np.array([0, 1, -1, 600, 'NaT'], 'M8[" + u + "]')", "", "struct<value:date>");
    }
    add("M25s", "np.array([0, 1, -3, 'NaT'], 'M8[25s]')", "", "struct<value:timestamp>");
    for (String u : new String[] {"h", "m", "s", "ms", "us"}) {
      add(
          "M" + u,
          "np.array([0, 1, -1, 123456789, 'NaT'], 'M8[" + u + "]')",
          "",
          "struct<value:timestamp>");
    }
    for (String u : new String[] {"h", "m", "s", "ms", "us", "ns"}) {
      add(
          "m" + u,
          "np.array([0, 1, -1, 123456789, 'NaT'], 'm8[" + u + "]')",
          "",
          "struct<value:interval day to second>");
    }
    add("zero_d", "np.array(2.5)", "", "struct<value:double>");
    add("empty", "np.zeros((0, 3))", "", "struct<value:array<double>>");
    add("empty1d", "np.zeros(0, 'i4')", "", "struct<value:int>");
    add("one_row", "np.array([7], 'i8')", "", "struct<value:bigint>");
    add(
        "c3d",
        "np.arange(24, dtype='i2').reshape(2, 3, 4)",
        "",
        "struct<value:array<array<smallint>>>");
    add(
        "f3d",
        "np.asfortranarray(np.arange(24, dtype='>i2').reshape(2, 3, 4))",
        "",
        "struct<value:array<array<smallint>>>");
    add(
        "last_f",
        "np.asfortranarray(np.arange(15, dtype='f4').reshape(3, 5))",
        "last",
        "struct<value:array<float>>");
    add("last_c", "np.arange(15, dtype='f4').reshape(3, 5)", "last", "struct<value:array<float>>");
    add(
        "last_f3d",
        "np.asfortranarray(np.arange(24, dtype='i4').reshape(2, 3, 4))",
        "last",
        "struct<value:array<array<int>>>");
    add(
        "last_c3d",
        "np.arange(24, dtype='i4').reshape(2, 3, 4)",
        "last",
        "struct<value:array<array<int>>>");
    add(
        "last_matrix",
        "np.asfortranarray(np.arange(15, dtype='f8').reshape(3, 5))",
        "last,matrix",
        "struct<_0:double,_1:double,_2:double>");
    add(
        "rec",
        "np.array([(1, 2.5, b'ab'), (-3, np.nan, b'')],"
            + " [('a', '<i4'), ('b', '>f8'), ('c', 'S3')])",
        "",
        "struct<a:int,b:double,c:binary>");
    add(
        "rec_aligned",
        "np.array([(1, 2, 3), (4, 5, 6)], np.dtype([('x', 'i1'), ('y', '<i8'), ('z', 'u2')],"
            + " align=True))",
        "",
        "struct<x:tinyint,y:bigint,z:int>");
    add(
        "rec_nested",
        "np.array([((1, 2.0), [[1, 2, 3], [4, 5, 6]], 'q'), ((3, -1.0), [[0] * 3] * 2, '')],"
            + " [('p', [('i', '>i2'), ('f', 'f4')]), ('arr', '<f8', (2, 3)), ('u', 'U2')])",
        "",
        "struct<p:struct<i:smallint,f:float>,arr:array<array<double>>,u:string>");
    add(
        "rec_2d",
        "x = np.zeros((2, 2), [('a', 'i4'), ('b', 'c8')])\nx['a'] = [[1, 2], [3, 4]]\n"
            + "x['b'] = [[1j, 2], [3, 4+4j]]",
        "",
        "struct<a:array<int>,b:array<struct<real:float,imag:float>>>");
    add(
        "rec_fortran",
        "np.asfortranarray(np.array([[(1, 2.0), (3, 4.0)], [(5, 6.0), (7, 8.0)]],"
            + " [('a', '>i8'), ('b', 'f4')]))",
        "",
        "struct<a:array<bigint>,b:array<float>>");
  }

  @BeforeAll
  static void makeFiles() throws Exception {
    StringBuilder py = new StringBuilder("d = sys.argv[1]\nout = {}\n");
    for (String[] c : CASES) {
      // A case is an expression, or statements that assign x.
      py.append(c[1].startsWith("x = ") ? c[1] : "x = " + c[1]).append('\n');
      py.append("np.save(d + '/").append(c[0]).append(".npy', x)\n");
      py.append("out['")
          .append(c[0])
          .append("'] = rows(x, last=")
          .append(c[2].contains("last") ? "True" : "False")
          .append(", matrix=")
          .append(c[2].contains("matrix") ? "True" : "False")
          .append(")\n");
    }
    py.append("print(json.dumps(out))\n");
    expected = new ObjectMapper().readTree(numpy(py.toString(), files));
    spark().conf().set("spark.sql.datetime.java8API.enabled", "true");
  }

  @AfterAll
  static void resetConf() {
    spark().conf().unset("spark.sql.datetime.java8API.enabled");
  }

  @TestFactory
  Stream<DynamicTest> everyDtypeAndShape() {
    return CASES.stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c[0] + ": " + c[1],
                    () -> {
                      DataFrameReader r = spark().read().format("npy");
                      if (c[2].contains("last")) {
                        r = r.option("rowAxis", "last");
                      }
                      if (c[2].contains("matrix")) {
                        r = r.option("layout", "matrix");
                      }
                      Dataset<Row> df = r.load(files.resolve(c[0] + ".npy").toString());
                      assertThat(df.schema().simpleString()).isEqualTo(c[3]);
                      List<String> want = new ArrayList<>();
                      expected.get(c[0]).forEach(n -> want.add(n.asText()));
                      boolean single = df.schema().fields().length == 1 && !c[0].startsWith("rec");
                      assertThat(canonRows(df, single)).containsExactlyElementsOf(want);
                      // Small batches (batch boundaries, vector reuse) over positioned reads.
                      Dataset<Row> small =
                          spark()
                              .read()
                              .format("npy")
                              .options(
                                  Map.of(
                                      "batchSize",
                                      "2",
                                      "memoryMap",
                                      "false",
                                      "rowAxis",
                                      c[2].contains("last") ? "last" : "first",
                                      "layout",
                                      c[2].contains("matrix") ? "matrix" : "auto"))
                              .load(files.resolve(c[0] + ".npy").toString());
                      assertThat(canonRows(small, single)).containsExactlyElementsOf(want);
                    }));
  }
}
