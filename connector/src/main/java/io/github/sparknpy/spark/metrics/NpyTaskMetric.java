package io.github.sparknpy.spark.metrics;

import org.apache.spark.sql.connector.metric.CustomTaskMetric;

/** One task's value of a custom metric, reported by readers and writers to the Spark UI. */
public record NpyTaskMetric(String name, long value) implements CustomTaskMetric {}
