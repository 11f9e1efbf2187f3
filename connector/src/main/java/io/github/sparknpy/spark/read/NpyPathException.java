package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.error.NpyException;
import io.github.sparknpy.spark.compat.ErrorConditionThrowable;
import java.util.Map;

/**
 * Paths of a read that hold no file to read: Spark's {@code UNABLE_TO_INFER_SCHEMA} (what Parquet
 * reports for an empty directory), with a message naming the paths and what the reader looks for. A
 * path that does not exist at all fails with Spark's own {@code AnalysisException} ({@code
 * PATH_NOT_FOUND}), as for Spark's file sources.
 */
public class NpyPathException extends NpyException implements ErrorConditionThrowable {
  private static final long serialVersionUID = 1L;

  /** Spark's error class for a read with no file to infer the schema from. */
  public static final String UNABLE_TO_INFER_SCHEMA = "UNABLE_TO_INFER_SCHEMA";

  public NpyPathException(String message) {
    super("[" + UNABLE_TO_INFER_SCHEMA + "] " + message);
  }

  @Override
  public String errorCondition() {
    return UNABLE_TO_INFER_SCHEMA;
  }

  @Override
  public String getSqlState() {
    return "42KD9";
  }

  @Override
  public Map<String, String> getMessageParameters() {
    return Map.of("format", "npy");
  }
}
