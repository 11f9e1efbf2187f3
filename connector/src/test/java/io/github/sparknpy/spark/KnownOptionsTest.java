package io.github.sparknpy.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.spark.config.KnownOptions;
import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.read.NpyReadOptions;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Options of other formats' writers are refused with what npy offers instead; any other key that is
 * no npy option gets one WARN naming the nearest option, on reads and writes.
 */
class KnownOptionsTest extends SparkTestBase {

  private static List<String> stringConstants(Class<?> c) throws Exception {
    List<String> out = new ArrayList<>();
    for (Field f : c.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())
          && Modifier.isFinal(f.getModifiers())
          && f.getType() == String.class) {
        f.setAccessible(true);
        out.add((String) f.get(null));
      }
    }
    return out;
  }

  @Test
  void theRegistryListsEveryReadAndWriteOption() throws Exception {
    assertThat(KnownOptions.READ)
        .containsExactlyInAnyOrderElementsOf(stringConstants(NpyReadOptions.class));
    assertThat(KnownOptions.WRITE)
        .containsExactlyInAnyOrderElementsOf(
            stringConstants(Class.forName("io.github.sparknpy.spark.write.NpyWriteOptions")));
  }

  private DataFrameWriter<Row> writer() {
    return sql("SELECT CAST(id AS DOUBLE) AS x FROM range(3)").write().format("npy");
  }

  @Test
  void compressionAndOtherFormatsWriteOptionsAreRefusedSayingWhatNpyOffers() {
    Path out = tmp.resolve("c.npy");
    for (String codec : List.of("snappy", "none", "uncompressed")) {
      assertThatThrownBy(() -> writer().option("compression", codec).save(out.toString()))
          .isInstanceOf(NpyOptionException.class)
          .hasMessage(
              "Cannot write npy to "
                  + out
                  + ": option 'compression' does not apply: .npy files are uncompressed, so that"
                  + " numpy can memory-map them (np.load(path, mmap_mode='r')). Remove the option,"
                  + " or write an .npz archive (container=npz, or a path ending in .npz), which"
                  + " takes compression=deflate as np.savez_compressed");
    }
    assertThatThrownBy(() -> writer().option("Codec", "gzip").save(out.toString()))
        .hasMessageContaining("option 'Codec' does not apply: .npy files are uncompressed");
    assertThatThrownBy(() -> writer().option("header", "true").save(out.toString()))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage(
            "Cannot write npy to "
                + out
                + ": option 'header' is an option of text formats (CSV, JSON); .npy is binary: a"
                + " header with the dtype and shape, then fixed-width values, with no header line,"
                + " separator, quoting or text encoding. Remove the option");
    assertThatThrownBy(() -> writer().option("sep", ";").save(out.toString()))
        .hasMessageContaining("option 'sep' is an option of text formats");
    assertThatThrownBy(() -> writer().option("nullValue", "NA").save(out.toString()))
        .hasMessageEndingWith("Remove the option (nulls: option nulls=error or nulls=fill)");
    assertThatThrownBy(() -> writer().option("parquet.block.size", "1").save(out.toString()))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage(
            "Cannot write npy to "
                + out
                + ": option 'parquet.block.size' is a setting of the parquet format and has no"
                + " effect on .npy files. Remove the option");
    assertThatThrownBy(() -> writer().option("maxRecordsPerFile", "10").save(out.toString()))
        .hasMessageContaining(
            "option 'maxRecordsPerFile' does not apply: merge=true writes one .npy file,"
                + " merge=false one part per task. Remove the option; repartition the DataFrame"
                + " to choose the number of parts");
    assertThat(out).doesNotExist();
    // in SQL, as a table's OPTIONS
    String table = "compressed_" + System.nanoTime();
    sql(
        "CREATE TABLE %s (x DOUBLE) USING npy OPTIONS (compression 'zstd') LOCATION '%s'",
        table, out.toUri());
    try {
      assertThatThrownBy(() -> sql("INSERT INTO %s VALUES (1.0D)", table))
          .isInstanceOf(NpyOptionException.class)
          .hasMessageContaining("option 'compression' does not apply");
    } finally {
      sql("DROP TABLE IF EXISTS %s", table);
    }
    assertThat(out).doesNotExist();
  }

  private static List<String> about(LogCapture log, String key) {
    return log.warnings().stream().filter(w -> w.contains("'" + key + "'")).toList();
  }

  @Test
  void anUnknownWriteOptionGetsOneWarningNamingTheNearestOption() {
    Path out = tmp.resolve("w.npy");
    try (LogCapture log = LogCapture.of(KnownOptions.class)) {
      sql("SELECT concat('s', id) AS s FROM range(3)")
          .write()
          .format("npy")
          .option("layuot", "matrix")
          .option("fs.file.impl.disable.cache", "false")
          .option("stringLength.s", "4")
          .option("rowAxis", "first")
          .save(out.toString());
      assertThat(log.warnings())
          .containsExactly(
              "Ignoring option 'layuot' of the npy write to "
                  + out
                  + ": it is not an npy option (did you mean 'layout'?). The npy write options"
                  + " are merge, layout, members, container, compression, dtype, stringLength,"
                  + " stringOverflow, nulls,"
                  + " allowPrecisionLoss, allowLargeHeader, batchBytes, partitionOverwriteMode,"
                  + " commitCopy; keys with a '.' go to the"
                  + " Hadoop configuration");
    }
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", out.toString()).trim())
        .isEqualTo("['s0', 's1', 's2']");
    assertThat(Numpy.run("print(np.load(sys.argv[1]).dtype.str)", out.toString()).trim())
        .isEqualTo("<U4");
  }

  @Test
  void anUnknownReadOptionGetsOneWarningNamingTheNearestOption() {
    Path out = tmp.resolve("r.npy");
    writer().save(out.toString());
    try (LogCapture log = LogCapture.of(KnownOptions.class)) {
      assertThat(
              spark()
                  .read()
                  .format("npy")
                  .option("maxPartitionByte", "1k")
                  .option("memoryMap", "false")
                  .option("frobnicate", "yes")
                  .load(out.toString())
                  .collectAsList())
          .hasSize(3);
      assertThat(about(log, "maxPartitionByte"))
          .containsExactly(
              "Ignoring option 'maxPartitionByte' of the npy read of "
                  + out
                  + ": it is not an npy option (did you mean 'maxPartitionBytes'?). The npy read"
                  + " options are layout, rowAxis, member, pathGlobFilter, recursiveFileLookup,"
                  + " basePath, ignoreCorruptFiles, ignoreMissingFiles, modifiedBefore, modifiedAfter,"
                  + " timeZone, maxPartitionBytes, batchSize, maxHeaderBytes, memoryMap,"
                  + " vectoredReads, maxFilesPerTrigger, maxBytesPerTrigger; keys with a '.' go to"
                  + " the Hadoop"
                  + " configuration");
      assertThat(about(log, "frobnicate"))
          .singleElement()
          .asString()
          .contains("it is not an npy option. The npy read options are");
      assertThat(log.warnings()).hasSize(2);
    }
  }

  @Test
  void aCatalogTablesOptionsAreCheckedButNotItsProperties() {
    Path out = tmp.resolve("t.npy");
    String table = "warned_" + System.nanoTime();
    sql(
        "CREATE TABLE %s (x DOUBLE) USING npy OPTIONS (nuls 'fill') TBLPROPERTIES ('team'='ml')"
            + " LOCATION '%s'",
        table, out.toUri());
    try (LogCapture log = LogCapture.of(KnownOptions.class)) {
      sql("INSERT INTO %s VALUES (1.0D)", table);
      assertThat(log.warnings())
          .singleElement()
          .asString()
          .startsWith("Ignoring option 'nuls' of the npy write to ")
          .contains("(did you mean 'nulls'?)");
    } finally {
      sql("DROP TABLE IF EXISTS %s", table);
    }
  }
}
