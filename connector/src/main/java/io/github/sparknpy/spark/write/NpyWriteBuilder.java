package io.github.sparknpy.spark.write;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** PLACEHOLDER: replaced by the writer work. */
public final class NpyWriteBuilder implements WriteBuilder {
  public NpyWriteBuilder(
      SparkSession spark, CaseInsensitiveStringMap options, LogicalWriteInfo info) {}
}
