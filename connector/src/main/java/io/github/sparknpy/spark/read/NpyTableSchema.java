package io.github.sparknpy.spark.read;

import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** PLACEHOLDER: replaced by the reader work. */
public final class NpyTableSchema {
  private NpyTableSchema() {}

  /** The schema of the files named by {@code options}, or empty when no path exists yet. */
  public static Optional<StructType> infer(SparkSession spark, CaseInsensitiveStringMap options) {
    throw new UnsupportedOperationException("reader not built yet");
  }
}
