package io.github.sparknpy.spark.read;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** PLACEHOLDER: replaced by the reader work. */
public final class NpyScanBuilder implements ScanBuilder {
  public NpyScanBuilder(SparkSession spark, CaseInsensitiveStringMap options, StructType schema) {}

  @Override
  public Scan build() {
    throw new UnsupportedOperationException("reader not built yet");
  }
}
