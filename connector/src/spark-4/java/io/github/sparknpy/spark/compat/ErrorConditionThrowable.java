package io.github.sparknpy.spark.compat;

import org.apache.spark.SparkThrowable;

/**
 * A connector exception that carries one of Spark's error classes, Spark 4 line: there {@link
 * SparkThrowable#getCondition()} is the abstract method ({@code getErrorClass}, deprecated, returns
 * it). The Spark 3.5 line's copy of this interface has the same name and methods.
 */
public interface ErrorConditionThrowable extends SparkThrowable {
  /** Spark's error class (condition), e.g. {@code UNABLE_TO_INFER_SCHEMA}. */
  String errorCondition();

  @Override
  default String getCondition() {
    return errorCondition();
  }
}
