package io.github.sparknpy.spark.compat;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.CalendarIntervalType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DayTimeIntervalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.YearMonthIntervalType;

/**
 * Spark 3.5's V1 save route ({@code DataSource.planForWriting}) refuses every interval column
 * before the source is asked ("Cannot save interval data type into external storage"); Spark 4 asks
 * the source ({@code CreatableRelationProvider.supportsDataType}).
 */
public final class V1Saves {
  private V1Saves() {}

  /** Whether Spark's V1 save route refuses a frame of this schema. */
  public static boolean refuse(StructType schema) {
    return schema != null && hasInterval(schema);
  }

  private static boolean hasInterval(DataType t) {
    if (t instanceof DayTimeIntervalType
        || t instanceof YearMonthIntervalType
        || t instanceof CalendarIntervalType) {
      return true;
    }
    if (t instanceof ArrayType a) {
      return hasInterval(a.elementType());
    }
    if (t instanceof MapType m) {
      return hasInterval(m.keyType()) || hasInterval(m.valueType());
    }
    if (t instanceof StructType s) {
      for (StructField f : s.fields()) {
        if (hasInterval(f.dataType())) {
          return true;
        }
      }
    }
    return false;
  }
}
