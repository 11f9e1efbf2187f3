package io.github.sparknpy.spark.write;

import io.github.sparknpy.spark.metrics.NpyBytesWrittenMetric;
import io.github.sparknpy.spark.metrics.NpyRowsWrittenMetric;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.Write;

/** A planned npy write: its batch protocol and the task metrics it reports. */
final class NpyWrite implements Write {
  private final WriteJob job;
  private final WriteTarget target;

  NpyWrite(WriteJob job, WriteTarget target) {
    this.job = job;
    this.target = target;
  }

  @Override
  public String description() {
    return "npy " + target.mode() + " " + target.path() + (target.merge() ? "" : " (parts)");
  }

  @Override
  public BatchWrite toBatch() {
    return new NpyBatchWrite(job, target);
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return new CustomMetric[] {new NpyRowsWrittenMetric(), new NpyBytesWrittenMetric()};
  }
}
