package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.spark.SparkTestBase;
import io.github.sparknpy.spark.compat.ScalaInterop;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.apache.spark.sql.execution.metric.SQLMetric;

/** Helpers of the reader tests: numpy with the canonical-value helper, row canon, scan metrics. */
abstract class NpyReadTestBase extends SparkTestBase {
  private static final String CANON = resource("/read/canon.py");

  private static String resource(String name) {
    try (InputStream in = NpyReadTestBase.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs numpy with {@code canon(x)} and {@code rows(arr, last, matrix)} defined. */
  static String numpy(String script, Object... args) {
    return Numpy.run(CANON + "\n" + script, args);
  }

  /** Canonical text of a Spark value, matching canon.py. */
  static String canon(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Row r) {
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < r.size(); i++) {
        parts.add(canon(r.get(i)));
      }
      return "{" + String.join(",", parts) + "}";
    }
    if (v instanceof scala.collection.Seq<?> s) {
      List<String> parts = new ArrayList<>();
      for (Object o : ScalaInterop.toJavaList(s)) {
        parts.add(canon(o));
      }
      return "[" + String.join(",", parts) + "]";
    }
    if (v instanceof Float f) {
      return Integer.toString(Float.floatToRawIntBits(f));
    }
    if (v instanceof Double d) {
      return Long.toString(Double.doubleToRawLongBits(d));
    }
    if (v instanceof BigDecimal b) {
      return b.toPlainString();
    }
    if (v instanceof byte[] b) {
      return HexFormat.of().formatHex(b);
    }
    if (v instanceof String s) {
      return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }
    if (v instanceof LocalDate d) {
      return Long.toString(d.toEpochDay());
    }
    if (v instanceof LocalDateTime t) {
      long s = t.toEpochSecond(ZoneOffset.UTC);
      return Long.toString(s * 1_000_000L + t.getNano() / 1000);
    }
    if (v instanceof java.time.Instant t) {
      return Long.toString(t.getEpochSecond() * 1_000_000L + t.getNano() / 1000);
    }
    if (v instanceof Duration d) {
      return Long.toString(d.getSeconds() * 1_000_000L + d.getNano() / 1000);
    }
    return v.toString();
  }

  /** Canonical rows: the first column alone if {@code single}, else the whole row as a struct. */
  static List<String> canonRows(Dataset<Row> df, boolean single) {
    List<String> out = new ArrayList<>();
    for (Row r : df.collectAsList()) {
      out.add(single ? canon(r.get(0)) : canon(r));
    }
    return out;
  }

  /** Parses the JSON list of strings numpy printed. */
  static List<String> jsonStrings(String json) {
    try {
      return List.of(
          new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, String[].class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Collects {@code df} and returns the npy scan's custom metrics (AQE off: plan as run). */
  static Map<String, Long> scanMetrics(Dataset<Row> df) {
    Map<String, Long> out = new HashMap<>();
    withSQLConf(
        Map.of("spark.sql.adaptive.enabled", "false"),
        () -> {
          df.collect();
          BatchScanExec scan = findScan(df.queryExecution().executedPlan());
          for (Map.Entry<String, SQLMetric> e : ScalaInterop.toJavaMap(scan.metrics()).entrySet()) {
            out.put(e.getKey(), e.getValue().value());
          }
        });
    return out;
  }

  static BatchScanExec findScan(SparkPlan plan) {
    if (plan instanceof AdaptiveSparkPlanExec a) {
      return findScan(a.executedPlan());
    }
    if (plan instanceof BatchScanExec b) {
      return b;
    }
    for (SparkPlan child : ScalaInterop.toJavaList(plan.children())) {
      BatchScanExec found = findScan(child);
      if (found != null) {
        return found;
      }
    }
    return null;
  }
}
