package io.github.sparknpy.spark.metrics;

import org.apache.spark.sql.connector.metric.CustomSumMetric;

/** Spark UI metric: npy rows produced (summed over tasks). */
public final class NpyRowsProducedMetric extends CustomSumMetric {
  public static final String NAME = "rowsProduced";

  public NpyRowsProducedMetric() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "npy rows produced";
  }
}
