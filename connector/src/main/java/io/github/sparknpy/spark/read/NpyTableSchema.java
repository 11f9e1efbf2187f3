package io.github.sparknpy.spark.read;

import io.github.sparknpy.spark.config.NpyPaths;
import io.github.sparknpy.spark.hadoop.HadoopConfs;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The schema of a table from the headers of its files (the contract is in docs/reading.md, Schema
 * contract) and the partition columns of its {@code column=value} directories.
 */
public final class NpyTableSchema {
  private final NpyFileIndex index;

  private NpyTableSchema(NpyFileIndex index) {
    this.index = index;
  }

  /** The data columns, then the partition columns. */
  public StructType schema() {
    return index.schema;
  }

  /** The partition columns, in directory order (outermost first); empty when there are none. */
  public String[] partitionColumns() {
    StructField[] fields = index.partitionSchema.fields();
    String[] out = new String[fields.length];
    for (int i = 0; i < fields.length; i++) {
      out[i] = fields[i].name();
    }
    return out;
  }

  /** The listing and headers, for the table's scans to reuse (package-private to the reader). */
  NpyFileIndex index() {
    return index;
  }

  /**
   * The schema of the files named by {@code options}, from their headers only.
   *
   * @return empty when no path exists yet, or the paths hold no file (a write target: a read of it
   *     then fails at scan building with {@link NpyPathException})
   * @throws io.github.sparknpy.npy.error.NpyException when a file is unreadable (unless {@code
   *     ignoreCorruptFiles}), has an unsupported dtype, or the files disagree
   */
  public static Optional<NpyTableSchema> infer(
      SparkSession spark, CaseInsensitiveStringMap options) {
    NpyFileIndex index =
        NpyFileIndex.build(
            NpyPaths.of(options),
            NpyReadOptions.parse(spark, options),
            HadoopConfs.forOptions(spark, options),
            false,
            null);
    if (index == null || index.files.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new NpyTableSchema(index));
  }

  /**
   * The schema of the files named by {@code options} for {@code spark.read.format("npy").load}: as
   * Spark's file sources, a path that does not exist fails, and so do paths that hold no file.
   *
   * @throws org.apache.spark.sql.AnalysisException {@code PATH_NOT_FOUND} (thrown unchecked)
   * @throws NpyPathException {@code UNABLE_TO_INFER_SCHEMA}, when the paths hold no file to read
   */
  public static NpyTableSchema inferForRead(SparkSession spark, CaseInsensitiveStringMap options) {
    NpyReadOptions readOptions = NpyReadOptions.parse(spark, options);
    NpyFileIndex index =
        NpyFileIndex.build(
            NpyPaths.of(options), readOptions, HadoopConfs.forOptions(spark, options), true, null);
    if (index.files.isEmpty()) {
      throw PathErrors.noFiles(NpyPaths.of(options), readOptions);
    }
    return new NpyTableSchema(index);
  }
}
