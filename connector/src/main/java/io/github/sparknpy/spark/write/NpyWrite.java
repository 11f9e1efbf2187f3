package io.github.sparknpy.spark.write;

import io.github.sparknpy.spark.metrics.NpyBytesWrittenMetric;
import io.github.sparknpy.spark.metrics.NpyRowsWrittenMetric;
import java.util.function.Supplier;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.streaming.StreamingWrite;

/**
 * A write whose schema, options and layout are checked: its batch protocol (target resolved when
 * Spark asks for it), its streaming protocol, and the task metrics it reports.
 */
final class NpyWrite implements Write {
  private final String description;
  private final Supplier<BatchWrite> batch;
  private final NpyWriteBuilder.FilePlanner streamingPlanner;
  private final String streamingRefusal;

  /**
   * @param batch the batch protocol, its target resolved when Spark asks for it
   * @param streamingPlanner plans each micro-batch
   * @param streamingRefusal null, or the message saying why this write cannot be a stream's sink
   */
  NpyWrite(
      String description,
      Supplier<BatchWrite> batch,
      NpyWriteBuilder.FilePlanner streamingPlanner,
      String streamingRefusal) {
    this.description = description;
    this.batch = batch;
    this.streamingPlanner = streamingPlanner;
    this.streamingRefusal = streamingRefusal;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public BatchWrite toBatch() {
    return batch.get();
  }

  @Override
  public StreamingWrite toStreaming() {
    if (streamingRefusal != null || streamingPlanner == null) {
      throw new NpyStreamingSinkException(streamingRefusal);
    }
    return new NpyStreamingWrite(streamingPlanner);
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return new CustomMetric[] {new NpyRowsWrittenMetric(), new NpyBytesWrittenMetric()};
  }
}
