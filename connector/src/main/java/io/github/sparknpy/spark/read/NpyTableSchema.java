package io.github.sparknpy.spark.read;

import io.github.sparknpy.spark.config.NpyPaths;
import io.github.sparknpy.spark.hadoop.HadoopConfs;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The schema of a table from the headers of its files (the contract is in docs/reading.md, Schema
 * contract).
 */
public final class NpyTableSchema {
  private NpyTableSchema() {}

  /**
   * The schema of the files named by {@code options}, from their headers only.
   *
   * @return empty when no path exists yet, or the paths hold no file (a write target: a read of it
   *     then fails at scan building with {@link NpyPathException})
   * @throws io.github.sparknpy.npy.error.NpyException when a file is unreadable (unless {@code
   *     ignoreCorruptFiles}), has an unsupported dtype, or the files disagree
   */
  public static Optional<StructType> infer(SparkSession spark, CaseInsensitiveStringMap options) {
    NpyFileIndex index =
        NpyFileIndex.build(
            NpyPaths.of(options),
            NpyReadOptions.parse(spark, options),
            HadoopConfs.forOptions(spark, options),
            false);
    if (index == null || index.files.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(index.schema);
  }
}
