package io.github.sparknpy.spark.write;

import io.github.sparknpy.spark.config.NpyOptionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.connector.expressions.IdentityTransform;
import org.apache.spark.sql.connector.expressions.NamedReference;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.CalendarIntervalType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * Checks a write's partitioning ({@code partitionBy}, {@code PARTITIONED BY}) on the driver: plain
 * columns of the written schema, of types whose values can name a directory, leaving at least one
 * column for the files.
 */
public final class PartitionColumns {
  private PartitionColumns() {}

  /**
   * Refuses what npy cannot write as {@code column=value} directories: transforms other than a
   * plain column ({@code years(ts)}, {@code bucket(…)}: bucketing has its own message, see {@code
   * NpyTable.checkNotBucketed}).
   */
  public static void checkTransforms(Transform[] partitioning) {
    if (partitioning == null) {
      return;
    }
    for (Transform t : partitioning) {
      if (!(t instanceof IdentityTransform) && !"identity".equals(t.name())) {
        throw new NpyOptionException(
            ("Cannot partition npy output by %s: only plain columns (partitionBy(\"k\"),"
                    + " PARTITIONED BY (k)) map to k=value directories. Add a column with the"
                    + " value to partition by (e.g. year(ts) AS year) and partition by it")
                .formatted(t.describe()));
      }
    }
  }

  /** The columns of identity transforms, outermost first. */
  public static List<String> names(Transform[] partitioning) {
    List<String> names = new ArrayList<>();
    if (partitioning == null) {
      return names;
    }
    for (Transform t : partitioning) {
      NamedReference ref = t.references()[0];
      names.add(String.join(".", ref.fieldNames()));
    }
    return names;
  }

  /** The split of {@code schema} into partition and data columns; null when unpartitioned. */
  static PartitionSpec plan(StructType schema, Transform[] partitioning, String path, String tz) {
    if (partitioning == null || partitioning.length == 0) {
      return null;
    }
    checkTransforms(partitioning);
    List<String> names = names(partitioning);
    StructField[] fields = schema.fields();
    int[] partitionOrdinals = new int[names.size()];
    boolean[] isPartition = new boolean[fields.length];
    for (int p = 0; p < names.size(); p++) {
      int found = find(fields, names.get(p));
      if (found < 0) {
        throw new NpyOptionException(
            ("Cannot partition the npy write to %s by column '%s': the data has no such column;"
                    + " its columns are %s")
                .formatted(path, names.get(p), String.join(", ", schema.fieldNames())));
      }
      if (isPartition[found]) {
        throw new NpyOptionException(
            "Cannot partition the npy write to %s by column '%s' twice: name each column once"
                .formatted(path, fields[found].name()));
      }
      checkType(fields[found], path);
      isPartition[found] = true;
      partitionOrdinals[p] = found;
    }
    int[] dataOrdinals = new int[fields.length - names.size()];
    if (dataOrdinals.length == 0) {
      throw new NpyOptionException(
          ("Cannot partition the npy write to %s by all its columns (%s): the .npy files in the"
                  + " partition directories need at least one column that is not a partition"
                  + " column")
              .formatted(path, String.join(", ", names)));
    }
    for (int i = 0, d = 0; i < fields.length; i++) {
      if (!isPartition[i]) {
        dataOrdinals[d++] = i;
      }
    }
    return new PartitionSpec(schema, partitionOrdinals, dataOrdinals, tz);
  }

  /** The column named {@code name}: exactly, else ignoring case (as Spark resolves by default). */
  private static int find(StructField[] fields, String name) {
    for (int i = 0; i < fields.length; i++) {
      if (fields[i].name().equals(name)) {
        return i;
      }
    }
    for (int i = 0; i < fields.length; i++) {
      if (fields[i].name().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        return i;
      }
    }
    return -1;
  }

  /** Spark's file sources partition by atomic types only; so does npy. */
  private static void checkType(StructField f, String path) {
    DataType t = f.dataType();
    if (t instanceof StructType
        || t instanceof ArrayType
        || t instanceof MapType
        || t instanceof UserDefinedType
        || t instanceof CalendarIntervalType
        || t instanceof NullType
        || "variant".equals(t.typeName())) {
      throw new NpyOptionException(
          ("Cannot partition the npy write to %s by column '%s' of type %s: a partition value"
                  + " names a directory, so it must be a simple value (string, number, boolean,"
                  + " date, timestamp, …). Partition by another column, or write '%s' into the"
                  + " files")
              .formatted(path, f.name(), t.simpleString(), f.name()));
    }
  }
}
