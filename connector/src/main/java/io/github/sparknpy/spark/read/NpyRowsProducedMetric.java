package io.github.sparknpy.spark.read;

import org.apache.spark.sql.connector.metric.CustomSumMetric;

/** Spark UI metric: npy rows produced (summed over tasks). */
public final class NpyRowsProducedMetric extends CustomSumMetric {
  static final String NAME = "rowsProduced";

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
