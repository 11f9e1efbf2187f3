package io.github.sparknpy.spark.compat;

import org.apache.spark.sql.types.StructType;

/**
 * Spark 4's V1 save route asks the source which types it takes ({@code
 * CreatableRelationProvider.supportsDataType}); Spark 3.5's refuses interval columns itself.
 */
public final class V1Saves {
  private V1Saves() {}

  /** Whether Spark's V1 save route refuses a frame of this schema: never on Spark 4. */
  public static boolean refuse(StructType schema) {
    return false;
  }
}
