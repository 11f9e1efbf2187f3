package io.github.sparknpy.spark.read;

import io.github.sparknpy.spark.config.NpyOptionException;

/**
 * A schema given to {@code spark.read.schema(…)} names a column the files do not have, or gives it
 * a type the reader does not produce for it ({@link RequestedSchema}). Raised at {@code load}.
 */
public class NpyUserSchemaException extends NpyOptionException {
  private static final long serialVersionUID = 1L;

  public NpyUserSchemaException(String message) {
    super(message);
  }
}
