package io.github.sparknpy.spark.write;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Which input columns of a partitioned write ({@code partitionBy}, {@code PARTITIONED BY}) name the
 * directory of a row ({@code partitionOrdinals}, outermost first) and which go into its file
 * ({@code dataOrdinals}, in input order), and the session time zone that renders date and timestamp
 * values as Spark renders them in directory names.
 */
record PartitionSpec(
    StructType inputSchema, int[] partitionOrdinals, int[] dataOrdinals, String timeZone)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The columns written into the files: the input's without the partition columns. */
  StructType dataSchema() {
    StructField[] fields = new StructField[dataOrdinals.length];
    for (int i = 0; i < fields.length; i++) {
      fields[i] = inputSchema.fields()[dataOrdinals[i]];
    }
    return new StructType(fields);
  }

  /** The partition columns' names, outermost first. */
  List<String> columns() {
    String[] names = new String[partitionOrdinals.length];
    for (int i = 0; i < names.length; i++) {
      names[i] = inputSchema.fields()[partitionOrdinals[i]].name();
    }
    return List.of(names);
  }
}
