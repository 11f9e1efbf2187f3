package io.github.sparknpy.spark.metrics;

import org.apache.spark.sql.connector.metric.CustomSumMetric;

/** Spark UI metric: npy bytes read (summed over tasks). */
public final class NpyBytesReadMetric extends CustomSumMetric {
  public static final String NAME = "bytesRead";

  public NpyBytesReadMetric() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "npy bytes read";
  }
}
