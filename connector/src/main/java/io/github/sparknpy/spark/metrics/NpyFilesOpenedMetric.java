package io.github.sparknpy.spark.metrics;

import org.apache.spark.sql.connector.metric.CustomSumMetric;

/** Spark UI metric: npy files opened (summed over tasks). */
public final class NpyFilesOpenedMetric extends CustomSumMetric {
  public static final String NAME = "filesOpened";

  public NpyFilesOpenedMetric() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "npy files opened";
  }
}
