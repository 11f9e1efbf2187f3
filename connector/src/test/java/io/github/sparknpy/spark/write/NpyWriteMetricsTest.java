package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.spark.SparkTestBase;
import io.github.sparknpy.spark.compat.ScalaInterop;
import io.github.sparknpy.spark.metrics.NpyBytesWrittenMetric;
import io.github.sparknpy.spark.metrics.NpyRowsWrittenMetric;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.util.QueryExecutionListener;
import org.junit.jupiter.api.Test;

/** The write node shows the rows and bytes the tasks wrote, as the Spark UI's SQL tab does. */
class NpyWriteMetricsTest extends SparkTestBase {
  @Test
  void rowsAndBytesWrittenAreReportedOnTheWriteNode() throws Exception {
    CompletableFuture<Map<String, Long>> metrics = new CompletableFuture<>();
    QueryExecutionListener listener =
        new QueryExecutionListener() {
          @Override
          public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
            Map<String, Long> found = new HashMap<>();
            collect(qe.executedPlan(), found);
            if (found.containsKey(NpyRowsWrittenMetric.NAME)) {
              metrics.complete(found);
            }
          }

          @Override
          public void onFailure(String funcName, QueryExecution qe, Exception exception) {
            metrics.completeExceptionally(exception);
          }
        };
    spark().listenerManager().register(listener);
    Path out = tmp.resolve("m.npy");
    try {
      spark()
          .range(0, 1000, 1, 3)
          .selectExpr("id", "CAST(id AS DOUBLE) AS x")
          .write()
          .format("npy")
          .save(out.toString());

      Map<String, Long> m = metrics.get(60, TimeUnit.SECONDS);
      assertThat(m.get(NpyRowsWrittenMetric.NAME)).isEqualTo(1000);
      long dataBytes = 1000L * 16;
      assertThat(m.get(NpyBytesWrittenMetric.NAME)).isBetween(dataBytes, dataBytes + 3 * 4096L);
    } finally {
      spark().listenerManager().unregister(listener);
    }
  }

  private static void collect(SparkPlan plan, Map<String, Long> out) {
    for (Map.Entry<String, SQLMetric> e : ScalaInterop.toJavaMap(plan.metrics()).entrySet()) {
      out.merge(e.getKey(), e.getValue().value(), Long::sum);
    }
    for (SparkPlan child : ScalaInterop.toJavaList(plan.children())) {
      collect(child, out);
    }
  }
}
