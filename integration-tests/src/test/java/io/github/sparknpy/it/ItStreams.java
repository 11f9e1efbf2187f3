package io.github.sparknpy.it;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/** Streaming queries of the integration tests. */
final class ItStreams {
  private ItStreams() {}

  /**
   * Streams the rows {@code source} holds now into the npy sink at {@code sink} in micro-batches of
   * 256 KiB ({@code Trigger.AvailableNow}), then stops; fails if the query failed. Returns the
   * micro-batches that had rows.
   */
  static long availableNow(SparkSession spark, String source, String sink, Path checkpoint)
      throws Exception {
    StreamingQuery q =
        spark
            .readStream()
            .format("npy")
            .option("maxBytesPerTrigger", "256k")
            .load(source)
            .writeStream()
            .format("npy")
            .option("checkpointLocation", checkpoint.toUri().toString())
            .trigger(Trigger.AvailableNow())
            .start(sink);
    q.awaitTermination();
    return java.util.Arrays.stream(q.recentProgress()).filter(p -> p.numInputRows() > 0).count();
  }
}
