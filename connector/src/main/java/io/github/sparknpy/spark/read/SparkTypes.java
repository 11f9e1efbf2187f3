package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.DatetimeUnit;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.error.NpyUnsupportedDtypeException;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The schema contract: the Spark type of each numpy dtype (docs/reading.md, Schema contract, lists
 * it).
 */
final class SparkTypes {
  static final DataType U8 = DataTypes.createDecimalType(20, 0);
  static final DataType INTERVAL = DataTypes.createDayTimeIntervalType();

  private SparkTypes() {}

  /**
   * The Spark type of one element of {@code dtype}; records become structs. A {@code datetime64} of
   * hours to nanoseconds is a {@code TIMESTAMP} (the numpy value taken as UTC, as pandas and Arrow
   * take naive datetimes), or a {@code TIMESTAMP_NTZ} if {@code timestampNtz}.
   */
  static DataType of(DType dtype, String location, boolean timestampNtz) {
    if (dtype instanceof RecordDType rec) {
      List<StructField> fields = new ArrayList<>();
      for (RecordDType.Field f : rec.fields()) {
        fields.add(
            DataTypes.createStructField(
                f.name(),
                arrays(f.shape(), 0, of(f.dtype(), location, timestampNtz), nullable(f.dtype())),
                nullable(f.dtype())));
      }
      return DataTypes.createStructType(fields);
    }
    ScalarDType s = (ScalarDType) dtype;
    int size = s.itemSize();
    switch (s.kind()) {
      case BOOL:
        return DataTypes.BooleanType;
      case INT:
        if (size == 1) {
          return DataTypes.ByteType;
        } else if (size == 2) {
          return DataTypes.ShortType;
        } else if (size == 4) {
          return DataTypes.IntegerType;
        } else if (size == 8) {
          return DataTypes.LongType;
        }
        break;
      case UINT:
        if (size == 1) {
          return DataTypes.ShortType;
        } else if (size == 2) {
          return DataTypes.IntegerType;
        } else if (size == 4) {
          return DataTypes.LongType;
        } else if (size == 8) {
          return U8;
        }
        break;
      case FLOAT:
        if (size == 2 || size == 4) {
          return DataTypes.FloatType;
        } else if (size == 8) {
          return DataTypes.DoubleType;
        }
        break;
      case COMPLEX:
        if (size == 8 || size == 16) {
          DataType part = size == 8 ? DataTypes.FloatType : DataTypes.DoubleType;
          return DataTypes.createStructType(
              new StructField[] {
                DataTypes.createStructField("real", part, false),
                DataTypes.createStructField("imag", part, false)
              });
        }
        break;
      case BYTES:
      case VOID:
        return DataTypes.BinaryType;
      case UNICODE:
        return DataTypes.StringType;
      case DATETIME:
        switch (s.datetimeUnit()) {
          case YEAR:
          case MONTH:
          case WEEK:
          case DAY:
            return DataTypes.DateType;
          case HOUR:
          case MINUTE:
          case SECOND:
          case MILLISECOND:
          case MICROSECOND:
          case NANOSECOND:
            return timestampNtz ? DataTypes.TimestampNTZType : DataTypes.TimestampType;
          default:
            break;
        }
        break;
      case TIMEDELTA:
        switch (s.datetimeUnit()) {
          case DAY:
          case HOUR:
          case MINUTE:
          case SECOND:
          case MILLISECOND:
          case MICROSECOND:
          case NANOSECOND:
            return INTERVAL;
          default:
            break;
        }
        break;
      default:
        break;
    }
    throw new NpyUnsupportedDtypeException(
        "Cannot read "
            + location
            + ": dtype "
            + s.typestr()
            + unsupportedReason(s)
            + " has no Spark type in the npy reader. Supported: b1, i1-i8, u1-u8, f2, f4, f8,"
            + " c8, c16, S, U, V, M8[Y|M|W|D|h|m|s|ms|us|ns], m8[D|h|m|s|ms|us|ns]; convert the"
            + " array with numpy (e.g. arr.astype('<f8')) first");
  }

  private static String unsupportedReason(ScalarDType s) {
    if (s.kind() == ScalarDType.Kind.FLOAT || s.kind() == ScalarDType.Kind.COMPLEX) {
      return " (long double)";
    }
    if (s.isDatetimeLike() && s.datetimeUnit() == DatetimeUnit.GENERIC) {
      return " (generic unit)";
    }
    return "";
  }

  /**
   * {@code element} nested in one {@code ArrayType} per axis of {@code shape} from {@code from};
   * elements are null only for NaT ({@code nullable}).
   */
  static DataType arrays(long[] shape, int from, DataType element, boolean nullable) {
    DataType t = element;
    for (int i = shape.length - 1; i >= from; i--) {
      t = DataTypes.createArrayType(t, nullable && i == shape.length - 1);
    }
    return t;
  }

  /** The column {@code layout=vector} reads into, named as Spark ML's default features column. */
  static final String VECTOR_COLUMN = "features";

  private static final String VECTOR_UDT = "org.apache.spark.ml.linalg.VectorUDT";

  /**
   * Spark ML's {@code VectorUDT} for {@code layout=vector} on a 2-D array of {@code dtype}: floats
   * of any width or integers of up to 32 bits, which all widen to double exactly. The type is
   * loaded by name: spark-mllib is on every Spark distribution's class path but is not a dependency
   * of the connector.
   *
   * @throws NpyOptionException for another shape or dtype, or without spark-mllib
   */
  static DataType vector(String location, DType dtype, long[] shape) {
    boolean exact =
        dtype instanceof ScalarDType s
            && (s.kind() == ScalarDType.Kind.FLOAT
                || ((s.kind() == ScalarDType.Kind.INT || s.kind() == ScalarDType.Kind.UINT)
                    && s.itemSize() <= 4));
    if (shape.length != 2 || !exact) {
      throw new NpyOptionException(
          "Cannot use layout=vector on "
              + location
              + ": it needs a 2-D array of floats or of integers of up to 32 bits (values widen"
              + " to double exactly), the file has shape "
              + Arrays.toString(shape)
              + " and dtype "
              + dtype.descr()
              + ". Use layout=matrix and Spark ML's VectorAssembler instead");
    }
    try {
      return (DataType)
          Class.forName(VECTOR_UDT, true, SparkTypes.class.getClassLoader())
              .getConstructor()
              .newInstance();
    } catch (ClassNotFoundException e) {
      throw new NpyOptionException(
          "Cannot use layout=vector on "
              + location
              + ": Spark ML's vector type ("
              + VECTOR_UDT
              + ") is not on the class path. Spark distributions ship it in spark-mllib; an"
              + " application that brings its own Spark must add org.apache.spark:spark-mllib");
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot create " + VECTOR_UDT, e);
    }
  }

  /** True if {@code type} is the vector type of {@link #vector}. */
  static boolean isVector(DataType type) {
    return type.getClass().getName().equals(VECTOR_UDT);
  }

  /** True if values of {@code dtype} can be null: datetimes and timedeltas (NaT). */
  static boolean nullable(DType dtype) {
    return dtype instanceof ScalarDType s && s.isDatetimeLike();
  }

  static StructType struct(List<StructField> fields) {
    return DataTypes.createStructType(fields);
  }
}
