package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.error.NpyException;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DayTimeIntervalType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * Plans a write's {@link WriteLayout} on the driver, before any task runs: maps the DataFrame's
 * schema to a numpy dtype and row shape (unsupported types, decimal rules, options that do not fit
 * the schema all fail here), resolves the matrix type and the casts, checks the header numpy will
 * have to read, and for Append pins the layout to the existing file's header.
 */
final class WriteLayoutPlanner {
  /** Type names for messages. */
  static final String SUPPORTED =
      "boolean, byte, short, int, long, float, double, date, timestamp, timestamp_ntz, interval"
          + " day to second, string, binary, decimal(p<=18,0), decimal(20,0), ML vectors, and"
          + " fixed-length arrays and structs of these";

  private WriteLayoutPlanner() {}

  /** Maps {@code schema} under {@code options}; fails naming the column for anything unmapped. */
  static WriteLayout plan(StructType schema, NpyWriteOptions options, String tz, boolean ansi) {
    StructField[] fields = schema.fields();
    if (fields.length == 0) {
      throw new NpyUnsupportedTypeException(
          "Cannot write a DataFrame without columns as .npy: select at least one column");
    }
    DataType[] castTo = new DataType[fields.length];
    DataType target = options.dtype == null ? null : sparkTypeOf(options.dtype);
    ScalarDType vectorElement = ScalarDType.FLOAT64;
    if (options.matrix) {
      DataType common = target != null ? target : commonMatrixType(fields, options);
      for (int i = 0; i < fields.length; i++) {
        checkMatrixColumn(fields[i], options, target != null);
        if (!fields[i].dataType().equals(common)) {
          castTo[i] = common;
        }
      }
    } else if (target != null) {
      if (fields.length != 1) {
        throw new NpyOptionException(
            "Cannot apply option dtype="
                + options.dtype
                + " to "
                + fields.length
                + " columns: dtype sets the element type of a single-column or layout=matrix"
                + " output. Select one column, add layout=matrix, or cast the columns yourself");
      }
      if (fields[0].dataType() instanceof UserDefinedType<?> udt && isVector(udt)) {
        vectorElement = vectorElement(options.dtype, fields[0].name());
      } else {
        DataType cast = replaceLeaf(fields[0].dataType(), target, fields[0].name(), options);
        if (!cast.equals(fields[0].dataType())) {
          castTo[0] = cast;
        }
      }
    }
    Builder b = new Builder(options, target != null && isHalf(options.dtype), vectorElement);
    ColumnNode root;
    boolean record = false;
    if (options.matrix) {
      int id = b.next(-1, -1);
      ScalarNode[] columns = new ScalarNode[fields.length];
      for (int i = 0; i < fields.length; i++) {
        DataType t = castTo[i] != null ? castTo[i] : fields[i].dataType();
        columns[i] = (ScalarNode) b.node(fields[i].name(), t, fields[i].metadata());
      }
      root = new ColumnNode.MatrixNode(id, columns);
    } else if (fields.length == 1) {
      DataType t = castTo[0] != null ? castTo[0] : fields[0].dataType();
      root = b.node(fields[0].name(), t, fields[0].metadata());
    } else {
      root = b.struct(null, castSchema(schema, castTo), "row");
      record = true;
    }
    for (String column : options.columnStringLengths.keySet()) {
      if (!b.stringColumns.contains(column)) {
        throw new NpyOptionException(
            "Invalid option stringLength."
                + column
                + ": there is no string or binary column '"
                + column
                + "'; string and binary columns: "
                + (b.stringColumns.isEmpty() ? "none" : String.join(", ", b.stringColumns)));
      }
    }
    long[] dims = new long[b.dims.size()];
    int[] widths = new int[b.widths.size()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = b.dims.get(i);
      widths[i] = b.widths.get(i);
    }
    WriteLayout layout =
        new WriteLayout(
            schema, castTo, tz, ansi, root, record, options.allowLargeHeader, dims, widths);
    if (!options.allowLargeHeader) {
      // automatic widths and lengths count as 1 and 0 here: the commit checks the final header
      NpyHeader smallest = layout.partHeader(layout.newState(-1, false, false), 0);
      OutputLimits.checkHeader(smallest, fields.length, false);
    }
    return layout;
  }

  /** Append: fixes lengths and widths to the file's, and fails unless the dtype matches exactly. */
  static WriteLayout pinTo(
      WriteLayout layout, NpyWriteOptions opts, NpyHeader existing, Path file) {
    WriteState st = layout.newState(-1, opts.fillNulls, opts.truncateStrings);
    if (!existing.fortranOrder()) {
      layout.pin(existing, st);
    }
    WriteState probe = layout.newState(-1, opts.fillNulls, opts.truncateStrings);
    System.arraycopy(st.dims, 0, probe.dims, 0, st.dims.length);
    System.arraycopy(st.widths, 0, probe.widths, 0, st.widths.length);
    NpyHeader mine = layout.prepare(probe, existing.rowCount());
    boolean same =
        !existing.fortranOrder()
            && mine.dtype().descr().equals(existing.dtype().descr())
            && Arrays.equals(mine.rowShape(), existing.rowShape());
    if (!same) {
      throw new NpySchemaMismatchException(
          String.format(
              Locale.ROOT,
              "Cannot append to %s: it holds %s rows of shape %s%s, but the DataFrame (%s) makes"
                  + " %s rows of shape %s%s. Append needs exactly the same dtype and row shape:"
                  + " select and cast the columns to match (or use options dtype/stringLength),"
                  + " or write to a new path or with mode overwrite. The file was not changed",
              file,
              existing.dtype().descr(),
              shapeText(existing.rowShape()),
              existing.fortranOrder() ? " in Fortran order" : "",
              layout.describeColumns(),
              mine.dtype().descr(),
              shapeText(mine.rowShape()),
              firstDifference(existing.dtype(), mine.dtype())));
    }
    return layout.withInitial(st);
  }

  /**
   * Where two record dtypes first differ, named by column, e.g. {@code " (column 'b' is '<f8' in
   * the file, '<f4' from the DataFrame)"}; empty when the dtypes are not both records.
   */
  private static String firstDifference(DType file, DType produced) {
    if (!(file instanceof RecordDType f) || !(produced instanceof RecordDType p)) {
      return "";
    }
    List<RecordDType.Field> a = f.fields();
    List<RecordDType.Field> b = p.fields();
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      if (i >= a.size()) {
        return " (the DataFrame's column '%s' is not in the file)".formatted(b.get(i).name());
      }
      if (i >= b.size()) {
        return " (the file's column '%s' is not in the DataFrame)".formatted(a.get(i).name());
      }
      RecordDType.Field x = a.get(i);
      RecordDType.Field y = b.get(i);
      if (!x.name().equals(y.name())) {
        return String.format(
            Locale.ROOT,
            " (column %d is '%s' in the file, '%s' in the DataFrame)",
            i + 1,
            x.name(),
            y.name());
      }
      if (!x.dtype().equals(y.dtype()) || !Arrays.equals(x.shape(), y.shape())) {
        return " (column '%s' is %s in the file, %s from the DataFrame)"
            .formatted(x.name(), fieldText(x), fieldText(y));
      }
    }
    return "";
  }

  private static String fieldText(RecordDType.Field f) {
    String descr = f.dtype().descr(); // quoted as numpy prints it: '<f8'
    return f.shape().length == 0 ? descr : descr + " of shape " + Arrays.toString(f.shape());
  }

  private static String shapeText(long[] rowShape) {
    StringBuilder sb = new StringBuilder("(N");
    for (long d : rowShape) {
      sb.append(", ").append(d);
    }
    return sb.append(')').toString();
  }

  private static final class Builder {
    final NpyWriteOptions options;
    final List<Long> dims = new ArrayList<>();
    final List<Integer> widths = new ArrayList<>();
    final Set<String> stringColumns = new java.util.TreeSet<>();

    /** {@code dtype=<f2}: the columns are cast to double, then rounded to half precision. */
    final boolean halfFloats;

    /** The element dtype of ML vector columns. */
    final ScalarDType vectorElement;

    Builder(NpyWriteOptions options, boolean halfFloats, ScalarDType vectorElement) {
      this.options = options;
      this.halfFloats = halfFloats;
      this.vectorElement = vectorElement;
    }

    int next(long dim, int width) {
      dims.add(dim);
      widths.add(width);
      return dims.size() - 1;
    }

    ColumnNode node(String column, DataType t, Metadata metadata) {
      String name = t.simpleString();
      if (t instanceof BooleanType) {
        return scalar(column, name, ScalarNode.Kind.BOOL);
      } else if (t instanceof ByteType) {
        return scalar(column, name, ScalarNode.Kind.I1);
      } else if (t instanceof ShortType) {
        return scalar(column, name, ScalarNode.Kind.I2);
      } else if (t instanceof IntegerType) {
        return scalar(column, name, ScalarNode.Kind.I4);
      } else if (t instanceof LongType) {
        return scalar(column, name, ScalarNode.Kind.I8);
      } else if (t instanceof FloatType) {
        return scalar(column, name, ScalarNode.Kind.F4);
      } else if (t instanceof DoubleType) {
        return scalar(column, name, halfFloats ? ScalarNode.Kind.F2 : ScalarNode.Kind.F8);
      } else if (t instanceof DateType) {
        return scalar(column, name, ScalarNode.Kind.DATE);
      } else if (t instanceof TimestampType || t instanceof TimestampNTZType) {
        return scalar(column, name, ScalarNode.Kind.TIMESTAMP);
      } else if (t instanceof DayTimeIntervalType) {
        return scalar(column, name, ScalarNode.Kind.INTERVAL);
      } else if (t instanceof DecimalType d) {
        ScalarNode.Kind kind = decimalKind(column, d, options);
        return new ScalarNode(next(-1, -1), column, name, kind, d.precision(), d.scale());
      } else if (t instanceof StringType || t instanceof BinaryType) {
        String key = column.toLowerCase(Locale.ROOT);
        stringColumns.add(key);
        int fixed = options.stringLengthFor(key);
        return new StringNode(next(-1, fixed), column, name, t instanceof StringType);
      } else if (t instanceof ArrayType a) {
        int id = next(-1, -1);
        return new ColumnNode.ArrayNode(id, column, name, node(column, a.elementType(), null));
      } else if (t instanceof StructType s) {
        return struct(column, s, name);
      } else if (t instanceof UserDefinedType<?> udt && isVector(udt)) {
        return new ColumnNode.VectorNode(
            next(vectorSize(metadata), -1), column, name, vectorElement);
      }
      throw new NpyUnsupportedTypeException(
          "Cannot write column '"
              + column
              + "' of type "
              + name
              + ": numpy .npy has no equivalent (arrays must be of fixed length; maps, variants"
              + " and other types have none). Supported: "
              + SUPPORTED
              + ". Convert or drop the column");
    }

    ColumnNode.StructNode struct(String column, StructType s, String typeName) {
      int id = next(-1, -1);
      StructField[] fs = s.fields();
      if (fs.length == 0) {
        throw new NpyUnsupportedTypeException(
            "Cannot write column '" + column + "': a struct without fields has no numpy dtype");
      }
      String[] names = new String[fs.length];
      ColumnNode[] children = new ColumnNode[fs.length];
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < fs.length; i++) {
        names[i] = fs[i].name();
        if (names[i].isEmpty() || !seen.add(names[i])) {
          throw new NpyUnsupportedTypeException(
              "Cannot write "
                  + (column == null ? "the DataFrame" : "column '" + column + "'")
                  + ": field name '"
                  + names[i]
                  + "' is empty or used twice, and numpy record fields need unique names."
                  + " Rename the columns");
        }
        String path = column == null ? names[i] : column + "." + names[i];
        children[i] = node(path, fs[i].dataType(), fs[i].metadata());
      }
      return new ColumnNode.StructNode(
          id, column == null ? "*" : column, typeName, names, children);
    }

    ScalarNode scalar(String column, String name, ScalarNode.Kind kind) {
      return new ScalarNode(next(-1, -1), column, name, kind, 0, 0);
    }
  }

  static ScalarNode.Kind decimalKind(String column, DecimalType d, NpyWriteOptions options) {
    if (d.scale() == 0 && d.precision() <= 18) {
      return ScalarNode.Kind.DECIMAL_I8;
    }
    if (d.scale() == 0 && d.precision() == 20) {
      return ScalarNode.Kind.DECIMAL_U8;
    }
    if (options.allowPrecisionLoss) {
      return ScalarNode.Kind.DECIMAL_F8;
    }
    throw new NpyUnsupportedTypeException(
        "Cannot write column '"
            + column
            + "' of type "
            + d.simpleString()
            + " exactly: numpy has no decimal type; decimal(p<=18,0) becomes <i8 and"
            + " decimal(20,0) <u8. Set option allowPrecisionLoss=true to write it as <f8"
            + " (float64), or cast the column yourself");
  }

  /** Spark ML's VectorUDT (dense and sparse), recognised without spark-mllib on the classpath. */
  static boolean isVector(UserDefinedType<?> udt) {
    if (!udt.getClass().getSimpleName().equals("VectorUDT")) {
      return false;
    }
    DataType sql = udt.sqlType();
    if (!(sql instanceof StructType s) || s.fields().length != 4) {
      return false;
    }
    StructField[] f = s.fields();
    return f[0].dataType() instanceof ByteType
        && f[1].dataType() instanceof IntegerType
        && f[2].dataType().equals(DataTypes.createArrayType(DataTypes.IntegerType, false))
        && f[3].dataType().equals(DataTypes.createArrayType(DataTypes.DoubleType, false));
  }

  /** The vector size from Spark ML attribute metadata ({@code ml_attr.num_attrs}), or -1. */
  static long vectorSize(Metadata metadata) {
    if (metadata != null && metadata.contains("ml_attr")) {
      Metadata attr = metadata.getMetadata("ml_attr");
      if (attr.contains("num_attrs")) {
        return attr.getLong("num_attrs");
      }
    }
    return -1;
  }

  /** The element dtype of a vector column under option {@code dtype}: a float type. */
  private static ScalarDType vectorElement(String dtype, String column) {
    DType parsed = DType.of(dtype);
    ScalarDType le =
        parsed instanceof ScalarDType sd
            ? sd.withByteOrder(java.nio.ByteOrder.LITTLE_ENDIAN)
            : null;
    if (ScalarDType.FLOAT16.equals(le)
        || ScalarDType.FLOAT32.equals(le)
        || ScalarDType.FLOAT64.equals(le)) {
      return le;
    }
    throw new NpyOptionException(
        "Cannot apply option dtype="
            + dtype
            + " to vector column '"
            + column
            + "': vectors are written as floats; use dtype <f2 (half precision, e.g. for"
            + " embeddings), <f4 or <f8 (the default)");
  }

  /** Whether an element dtype option is {@code <f2} (any spelling numpy accepts). */
  private static boolean isHalf(String dtype) {
    try {
      DType parsed = DType.of(dtype);
      return parsed instanceof ScalarDType sd
          && sd.withByteOrder(java.nio.ByteOrder.LITTLE_ENDIAN).equals(ScalarDType.FLOAT16);
    } catch (NpyException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The Spark type an element dtype option such as {@code <f4} stands for; {@code <f2}, which Spark
   * has no type for, is cast to double and rounded to half precision when written.
   */
  static DataType sparkTypeOf(String dtype) {
    ScalarDType s = null;
    try {
      DType parsed = DType.of(dtype);
      s = parsed instanceof ScalarDType sd ? sd : null;
    } catch (NpyException | IllegalArgumentException e) {
      // reported below
    }
    Map<ScalarDType, DataType> map =
        Map.of(
            ScalarDType.BOOL, DataTypes.BooleanType,
            ScalarDType.INT8, DataTypes.ByteType,
            ScalarDType.INT16, DataTypes.ShortType,
            ScalarDType.INT32, DataTypes.IntegerType,
            ScalarDType.INT64, DataTypes.LongType,
            ScalarDType.FLOAT16, DataTypes.DoubleType,
            ScalarDType.FLOAT32, DataTypes.FloatType,
            ScalarDType.FLOAT64, DataTypes.DoubleType);
    DataType t = s == null ? null : map.get(s.withByteOrder(java.nio.ByteOrder.LITTLE_ENDIAN));
    if (t == null || (s.itemSize() > 1 && s.byteOrderChar() == '>')) {
      throw new NpyOptionException(
          "Invalid value '"
              + dtype
              + "' for option 'dtype': use one of |b1, |i1, <i2, <i4, <i8, <f2, <f4, <f8"
              + " (the element types Spark can cast to; little-endian)");
    }
    return t;
  }

  private static DataType replaceLeaf(
      DataType t, DataType target, String column, NpyWriteOptions o) {
    if (t instanceof ArrayType a) {
      return DataTypes.createArrayType(
          replaceLeaf(a.elementType(), target, column, o), a.containsNull());
    }
    if (!Cast.canCast(t, target)) {
      throw new NpyOptionException(
          "Cannot apply option dtype="
              + o.dtype
              + " to column '"
              + column
              + "': Spark cannot cast "
              + t.simpleString()
              + " to "
              + target.simpleString());
    }
    return target;
  }

  private static int numericRank(DataType t, String column, NpyWriteOptions o) {
    if (t instanceof ByteType) {
      return 1;
    } else if (t instanceof ShortType) {
      return 2;
    } else if (t instanceof IntegerType) {
      return 3;
    } else if (t instanceof LongType) {
      return 4;
    } else if (t instanceof FloatType) {
      return 5;
    } else if (t instanceof DoubleType) {
      return 6;
    } else if (t instanceof DecimalType d) {
      return decimalKind(column, d, o) == ScalarNode.Kind.DECIMAL_F8 ? 6 : 4;
    }
    return -1;
  }

  private static void checkMatrixColumn(StructField f, NpyWriteOptions o, boolean dtypeGiven) {
    DataType t = f.dataType();
    boolean ok = numericRank(t, f.name(), o) > 0 || (dtypeGiven && t instanceof BooleanType);
    if (!ok) {
      throw new NpyUnsupportedTypeException(
          "Cannot write column '"
              + f.name()
              + "' of type "
              + t.simpleString()
              + " with layout=matrix: every column must be numeric (byte, short, int, long,"
              + " float, double, integral decimal). Drop or cast the column, or write records"
              + " without layout=matrix");
    }
    if (t instanceof DecimalType d && d.scale() == 0 && d.precision() == 20) {
      throw new NpyUnsupportedTypeException(
          "Cannot write column '"
              + f.name()
              + "' of type decimal(20,0) with layout=matrix: its <u8 values have no common type"
              + " with other columns. Cast it to long or double");
    }
  }

  /** The type of a matrix without {@code dtype}: the narrowest numpy result type of all columns. */
  private static DataType commonMatrixType(StructField[] fields, NpyWriteOptions o) {
    int maxInt = 0;
    int maxFloat = 0;
    for (StructField f : fields) {
      checkMatrixColumn(f, o, false);
      int r = numericRank(f.dataType(), f.name(), o);
      if (r >= 5) {
        maxFloat = Math.max(maxFloat, r);
      } else {
        maxInt = Math.max(maxInt, r);
      }
    }
    if (maxFloat == 0) {
      return new DataType[] {
            null, DataTypes.ByteType, DataTypes.ShortType, DataTypes.IntegerType, DataTypes.LongType
          }
          [maxInt];
    }
    // numpy: float32 holds int8/int16 exactly; int32/int64 with float32 give float64
    return maxFloat == 5 && maxInt <= 2 ? DataTypes.FloatType : DataTypes.DoubleType;
  }

  private static StructType castSchema(StructType schema, DataType[] castTo) {
    StructField[] fs = schema.fields().clone();
    for (int i = 0; i < fs.length; i++) {
      if (castTo[i] != null) {
        fs[i] = new StructField(fs[i].name(), castTo[i], fs[i].nullable(), fs[i].metadata());
      }
    }
    return new StructType(fs);
  }
}
