package io.github.sparknpy.spark.read;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * A schema given to {@code spark.read.schema(…).format("npy")}, checked against the one the files'
 * headers give: each requested column must be one of the files' (by name, case-insensitively unless
 * {@code spark.sql.caseSensitive}), in any order and any subset, with the type the reader produces
 * for it. The one choice the contract leaves open is the flavour of a {@code datetime64} column:
 * {@code TIMESTAMP} or {@code TIMESTAMP_NTZ} (the same microseconds; {@code
 * spark.sql.timestampType} picks it when no schema is given). Nullability is the requested one,
 * widened to nullable where the files can hold nulls.
 */
public final class RequestedSchema {
  private RequestedSchema() {}

  /**
   * @param requested the schema given to {@code spark.read.schema(…)}
   * @param files the files' schema: data columns, then partition columns
   * @param partitionColumns the names of the partition columns among {@code files}
   * @param table the paths, for messages
   * @return the table's schema: the requested columns, named as in the files
   * @throws NpyUserSchemaException naming the first requested column the files do not give
   */
  public static StructType check(
      StructType requested,
      StructType files,
      Set<String> partitionColumns,
      String table,
      boolean caseSensitive) {
    List<StructField> out = new ArrayList<>();
    for (StructField want : requested.fields()) {
      StructField have = find(files, want.name(), caseSensitive);
      if (have == null) {
        throw new NpyUserSchemaException(
            String.format(
                "Cannot read %s with the schema given to spark.read.schema(…): column '%s' is not"
                    + " in the files, whose columns are %s. Give columns of the files (see"
                    + " spark.read.format(\"npy\").load(path).printSchema()), in any order or a"
                    + " subset of them, or load without .schema(…)",
                table, want.name(), String.join(", ", Arrays.asList(files.fieldNames()))));
      }
      boolean partition = partitionColumns.contains(have.name());
      if (!sameType(want.dataType(), have.dataType(), !partition)) {
        throw new NpyUserSchemaException(
            String.format(
                "Cannot read %s with the schema given to spark.read.schema(…): column '%s' is %s"
                    + " in the %s, not %s. npy reads it as %s%s; give that type, or load it"
                    + " without .schema(…) and cast: .selectExpr(\"CAST(`%s` AS %s)\")",
                table,
                want.name(),
                have.dataType().sql(),
                partition ? "partition directories" : "files' headers",
                want.dataType().sql(),
                have.dataType().sql(),
                !partition && hasTimestamp(have.dataType())
                    ? " (or with TIMESTAMP and TIMESTAMP_NTZ exchanged)"
                    : "",
                have.name(),
                want.dataType().sql()));
      }
      out.add(
          new StructField(
              have.name(), want.dataType(), want.nullable() || have.nullable(), want.metadata()));
    }
    return new StructType(out.toArray(new StructField[0]));
  }

  /**
   * Whether a column read as {@code a} is stored as {@code b}: equal ignoring nullability and field
   * metadata, with {@code TIMESTAMP} and {@code TIMESTAMP_NTZ} alike if {@code timestampFlavours}
   * (the reader fills both from the same microseconds).
   */
  public static boolean sameType(DataType a, DataType b, boolean timestampFlavours) {
    return normalize(a, timestampFlavours).equals(normalize(b, timestampFlavours));
  }

  private static DataType normalize(DataType t, boolean timestampFlavours) {
    if (timestampFlavours && t instanceof TimestampNTZType) {
      return DataTypes.TimestampType;
    }
    if (t instanceof ArrayType a) {
      return DataTypes.createArrayType(normalize(a.elementType(), timestampFlavours), true);
    }
    if (t instanceof StructType s) {
      StructField[] fields = new StructField[s.fields().length];
      for (int i = 0; i < fields.length; i++) {
        StructField f = s.fields()[i];
        fields[i] =
            new StructField(
                f.name(), normalize(f.dataType(), timestampFlavours), true, Metadata.empty());
      }
      return new StructType(fields);
    }
    return t;
  }

  private static boolean hasTimestamp(DataType t) {
    if (t instanceof TimestampType || t instanceof TimestampNTZType) {
      return true;
    }
    if (t instanceof ArrayType a) {
      return hasTimestamp(a.elementType());
    }
    if (t instanceof StructType s) {
      for (StructField f : s.fields()) {
        if (hasTimestamp(f.dataType())) {
          return true;
        }
      }
    }
    return false;
  }

  private static StructField find(StructType files, String name, boolean caseSensitive) {
    for (StructField f : files.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    if (!caseSensitive) {
      for (StructField f : files.fields()) {
        if (f.name().equalsIgnoreCase(name)) {
          return f;
        }
      }
    }
    return null;
  }
}
