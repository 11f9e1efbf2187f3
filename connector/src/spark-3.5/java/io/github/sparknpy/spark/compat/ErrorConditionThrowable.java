package io.github.sparknpy.spark.compat;

import org.apache.spark.SparkThrowable;

/**
 * A connector exception that carries one of Spark's error classes, Spark 3.5 line: there {@link
 * SparkThrowable#getErrorClass()} is the abstract method (Spark 4 renamed it {@code getCondition}).
 * The Spark 4 line's copy of this interface has the same name and methods.
 */
public interface ErrorConditionThrowable extends SparkThrowable {
  /** Spark's error class (condition), e.g. {@code UNABLE_TO_INFER_SCHEMA}. */
  String errorCondition();

  @Override
  default String getErrorClass() {
    return errorCondition();
  }
}
