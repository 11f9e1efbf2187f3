package io.github.sparknpy.spark.metrics;

import org.apache.spark.sql.connector.metric.CustomSumMetric;

/** Rows written to .npy part files, summed over tasks (Spark UI: SQL tab, write node). */
public final class NpyRowsWrittenMetric extends CustomSumMetric {
  public static final String NAME = "npyRowsWritten";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "npy rows written";
  }
}
