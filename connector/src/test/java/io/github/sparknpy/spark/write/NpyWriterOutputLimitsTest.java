package io.github.sparknpy.spark.write;

import static io.github.sparknpy.spark.write.NpyWriterRoundTripTest.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.spark.LogCapture;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.Test;

/**
 * Outputs numpy cannot open by default (a header over np.load's max_header_size) are refused unless
 * allowLargeHeader=true, which warns; very wide string columns warn with the size they make.
 */
class NpyWriterOutputLimitsTest extends WriterTestBase {

  /** 500 double columns named column_000…: a 11,574-character header in numpy 2 (limit 10,000). */
  private static Dataset<Row> wideRecords() {
    return sql(
        "SELECT "
            + IntStream.range(0, 500)
                .mapToObj(
                    i -> String.format(Locale.ROOT, "CAST(id + %d AS DOUBLE) AS column_%03d", i, i))
                .collect(Collectors.joining(", "))
            + " FROM range(0, 3, 1, 2)");
  }

  /** The header length numpy's np.save writes and np.load compares, for the same dtype. */
  private static int numpyHeaderLength(String dtype) {
    return Integer.parseInt(
        Numpy.run(
                "import io, struct\n"
                    + "b = io.BytesIO()\n"
                    + "np.save(b, np.zeros(3, dtype="
                    + dtype
                    + "))\n"
                    + "v = b.getvalue()\n"
                    + "print(struct.unpack('<H', v[8:10])[0] if v[6] == 1"
                    + " else struct.unpack('<I', v[8:12])[0])\n")
            .trim());
  }

  private void save(Dataset<Row> df, Path out, String... options) {
    var w = df.write().format("npy");
    for (int i = 0; i < options.length; i += 2) {
      w = w.option(options[i], options[i + 1]);
    }
    w.save(out.toString());
  }

  @Test
  void headerOverNumpysDefaultLimitIsRefusedOnTheDriverWithTheFixes() throws Exception {
    int length = numpyHeaderLength("[('column_%03d' % i, '<f8') for i in range(500)]");
    assertThat(length).isEqualTo(11574);
    Path out = tmp.resolve("wide.npy");
    assertThatThrownBy(() -> save(wideRecords(), out))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage(
            "Cannot write 500 columns as .npy: their header would be 11574 characters, more"
                + " than the 10000 that numpy's np.load reads by default (its max_header_size),"
                + " so np.load would refuse the file. Write with layout=matrix (numeric columns, one dtype, a short"
                + " header), select fewer columns, or set option allowLargeHeader=true and open"
                + " it with np.load(path, max_header_size=12000). Nothing was written");
    assertThat(Files.exists(out)).isFalse();
    assertThat(hiddenLeftovers(tmp)).isEmpty();
    // the first fix: the same columns as a matrix have a short header numpy opens as is
    save(wideRecords(), out, "layout", "matrix");
    assertThat(shape(numpy(out))).isEqualTo("[3,500]");
  }

  @Test
  void allowLargeHeaderWritesWithAWarningAndNumpyNeedsMaxHeaderSize() {
    Path out = tmp.resolve("wide.npy");
    try (LogCapture log = LogCapture.of(OutputLimits.class)) {
      save(wideRecords(), out, "allowLargeHeader", "true");
      assertThat(log.warnings())
          .containsExactly(
              "Writing 500 columns as .npy: their header would be 11574 characters, more than"
                  + " the 10000 that numpy's np.load reads by default (its max_header_size)"
                  + " (allowLargeHeader=true): open the"
                  + " file with np.load(path, max_header_size=12000), or write layout=matrix or"
                  + " fewer columns so that np.load opens it without options");
    }
    String loaded =
        Numpy.run(
            "try:\n"
                + "    np.load(sys.argv[1])\n"
                + "    print('loaded by default')\n"
                + "except ValueError as e:\n"
                + "    print(str(e).splitlines()[0])\n"
                + "a = np.load(sys.argv[1], max_header_size=12000)\n"
                + "print(a.shape, len(a.dtype.names), a['column_499'].tolist())\n",
            out.toString());
    assertThat(loaded.trim())
        .isEqualTo(
            "Header info length (11574) is large and may not be safe to load securely.\n"
                + "(3,) 500 [499.0, 500.0, 501.0]");
  }

  @Test
  void automaticStringWidthsThatOutgrowTheLimitAreRefusedAtCommitBeforePublishing()
      throws Exception {
    // 320 string columns: 9,718 characters with <U1 (the driver's lower bound), 10,038 with <U10
    String select =
        IntStream.range(0, 320)
            .mapToObj(i -> String.format(Locale.ROOT, "'abcdefghij' AS string_column_%03d", i))
            .collect(Collectors.joining(", "));
    int length = numpyHeaderLength("[('string_column_%03d' % i, '<U10') for i in range(320)]");
    assertThat(length).isEqualTo(10038);
    Path out = tmp.resolve("strings.npy");
    assertThatThrownBy(() -> save(sql("SELECT " + select), out))
        .satisfies(
            e ->
                assertThat(rootCause(e))
                    .isInstanceOf(NpyOptionException.class)
                    .hasMessageStartingWith(
                        "Cannot write 320 columns as .npy: their header would be 10038"
                            + " characters")
                    .hasMessageContaining("np.load(path, max_header_size=11000)"));
    assertThat(Files.exists(out)).isFalse();
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void aVeryWideStringColumnWarnsWithTheSizeItMakes() {
    // the case: one 10,000,000-character value makes every one of 20 rows 40 MB wide
    StructType schema =
        new StructType().add("id", DataTypes.LongType).add("text", DataTypes.StringType);
    WriteLayout layout =
        WriteLayoutPlanner.plan(
            schema, new NpyWriteOptions(new CaseInsensitiveStringMap(Map.of())), "UTC", false);
    StringNode text = (StringNode) ((ColumnNode.StructNode) layout.root).fields[1];
    try (LogCapture log = LogCapture.of(OutputLimits.class)) {
      WriteState st = layout.newState(-1, false, false);
      st.widths[text.id] = 10_000_000;
      assertThat(layout.prepare(st, 20).dtype().descr()).contains("('text', '<U10000000')");
      assertThat(log.warnings())
          .containsExactly(
              "Column 'text' is <U10000000 (fixed width: every value is padded to 10000000"
                  + " characters, 40000000 bytes), so its 20 rows take 762.9 MiB (800,000,000"
                  + " bytes) of the output. numpy strings have one width, set by the longest"
                  + " value: cap it with option stringLength.text=N and stringOverflow=truncate,"
                  + " or shorten or drop the long values");
    }
    try (LogCapture log = LogCapture.of(OutputLimits.class)) {
      // wide but small, and large but narrow: no warning
      WriteState st = layout.newState(-1, false, false);
      st.widths[text.id] = 100_000;
      layout.prepare(st, 20);
      st = layout.newState(-1, false, false);
      st.widths[text.id] = 1023;
      layout.prepare(st, 1_000_000);
      assertThat(log.warnings()).isEmpty();
    }
  }
}
