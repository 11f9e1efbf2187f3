package io.github.sparknpy.spark.metrics;

import org.apache.spark.sql.connector.metric.CustomSumMetric;

/** Bytes of .npy part files staged by tasks (headers included), summed over tasks. */
public final class NpyBytesWrittenMetric extends CustomSumMetric {
  public static final String NAME = "npyBytesWritten";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "npy bytes written";
  }
}
