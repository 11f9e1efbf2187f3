package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.Float16;
import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.DatetimeUnit;
import io.github.sparknpy.npy.dtype.ScalarDType;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.types.Decimal;

/** A fixed-size scalar column: numbers, booleans, datetimes, integral decimals. */
final class ScalarNode extends ColumnNode {
  private static final long serialVersionUID = 1L;
  private static final long NAT = Long.MIN_VALUE;
  private static final BigInteger U64_LIMIT = BigInteger.ONE.shiftLeft(64);

  /** What a Spark value becomes. */
  enum Kind {
    BOOL(ScalarDType.BOOL),
    I1(ScalarDType.INT8),
    I2(ScalarDType.INT16),
    I4(ScalarDType.INT32),
    I8(ScalarDType.INT64),
    /** Doubles rounded to {@code <f2} (option {@code dtype=<f2}), as numpy's astype rounds. */
    F2(ScalarDType.FLOAT16),
    F4(ScalarDType.FLOAT32),
    F8(ScalarDType.FLOAT64),
    /** DateType (days since the epoch, an int) as {@code <M8[D]}. */
    DATE(ScalarDType.datetime(DatetimeUnit.DAY)),
    /** TimestampType (UTC) and TimestampNTZType (µs since the epoch) as {@code <M8[us]}. */
    TIMESTAMP(ScalarDType.datetime(DatetimeUnit.MICROSECOND)),
    /** DayTimeIntervalType (µs) as {@code <m8[us]}. */
    INTERVAL(ScalarDType.timedelta(DatetimeUnit.MICROSECOND)),
    /** Decimal(p ≤ 18, 0) as {@code <i8}. */
    DECIMAL_I8(ScalarDType.INT64),
    /** Decimal(20, 0) as {@code <u8}. */
    DECIMAL_U8(ScalarDType.UINT64),
    /** Other decimals as {@code <f8}, with {@code allowPrecisionLoss}. */
    DECIMAL_F8(ScalarDType.FLOAT64);

    final ScalarDType dtype;

    Kind(ScalarDType dtype) {
      this.dtype = dtype;
    }
  }

  final Kind kind;
  final int precision;
  final int scale;

  ScalarNode(int id, String column, String sparkType, Kind kind, int precision, int scale) {
    super(id, column, sparkType);
    this.kind = kind;
    this.precision = precision;
    this.scale = scale;
  }

  @Override
  DType leafDType(WriteState st) {
    return kind.dtype;
  }

  @Override
  void writeValue(SpecializedGetters src, int ord, ByteBuffer out, int pos, WriteState st) {
    switch (kind) {
      case BOOL -> out.put(pos, (byte) (src.getBoolean(ord) ? 1 : 0));
      case I1 -> out.put(pos, src.getByte(ord));
      case I2 -> out.putShort(pos, src.getShort(ord));
      case I4 -> out.putInt(pos, src.getInt(ord));
      case I8, TIMESTAMP, INTERVAL -> out.putLong(pos, src.getLong(ord));
      case F2 -> out.putShort(pos, Float16.fromDouble(src.getDouble(ord)));
      case F4 -> out.putFloat(pos, src.getFloat(ord));
      case F8 -> out.putDouble(pos, src.getDouble(ord));
      case DATE -> out.putLong(pos, src.getInt(ord));
      case DECIMAL_I8 -> out.putLong(pos, src.getDecimal(ord, precision, scale).toUnscaledLong());
      case DECIMAL_U8 -> out.putLong(pos, unsigned(src.getDecimal(ord, precision, scale), st));
      case DECIMAL_F8 -> out.putDouble(pos, src.getDecimal(ord, precision, scale).toDouble());
    }
  }

  private long unsigned(Decimal d, WriteState st) {
    BigInteger v = d.toJavaBigDecimal().toBigIntegerExact();
    if (v.signum() < 0 || v.compareTo(U64_LIMIT) >= 0) {
      throw new NpyWriteException(
          "Cannot write "
              + v
              + " in column '"
              + column
              + "' ("
              + sparkType
              + ") at "
              + st.where()
              + ": it is outside the range of <u8 (0 to 18446744073709551615)."
              + " Cast the column to decimal(18,0) or double, or filter the row");
    }
    return v.longValue();
  }

  @Override
  void writeNull(ByteBuffer out, int pos, WriteState st) {
    if (kind == Kind.DATE || kind == Kind.TIMESTAMP || kind == Kind.INTERVAL) {
      out.putLong(pos, NAT);
    } else {
      super.writeNull(out, pos, st);
    }
  }

  @Override
  void fill(ByteBuffer out, int pos, WriteState st) {
    switch (kind) {
      case BOOL, I1 -> out.put(pos, (byte) 0);
      case I2 -> out.putShort(pos, (short) 0);
      case I4 -> out.putInt(pos, 0);
      case I8, DECIMAL_I8, DECIMAL_U8 -> out.putLong(pos, 0L);
      case F2 -> out.putShort(pos, Float16.fromDouble(Double.NaN));
      case F4 -> out.putFloat(pos, Float.NaN);
      case F8, DECIMAL_F8 -> out.putDouble(pos, Double.NaN);
      case DATE, TIMESTAMP, INTERVAL -> out.putLong(pos, NAT);
    }
  }
}
