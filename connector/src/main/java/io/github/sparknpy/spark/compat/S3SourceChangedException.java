package io.github.sparknpy.spark.compat;

import java.io.IOException;

/** An object a multipart upload copied from changed meanwhile (its ETag no longer matched). */
public final class S3SourceChangedException extends IOException {
  private static final long serialVersionUID = 1L;

  public S3SourceChangedException(String message, Throwable cause) {
    super(message, cause);
  }
}
