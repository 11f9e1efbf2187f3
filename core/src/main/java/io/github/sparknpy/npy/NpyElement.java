package io.github.sparknpy.npy;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.DatetimeUnit;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.error.NpyException;
import io.github.sparknpy.npy.header.NpyHeader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One element of an array (or a sub-array field of a record) with typed getters for every dtype:
 * numbers, complex, bytes and text (trailing NULs removed as numpy does), datetimes ({@code NaT} is
 * null), record fields and sub-array items. A view: no bytes are copied until a getter runs.
 */
public final class NpyElement {
  /** numpy's NaT: the smallest int64. */
  public static final long NAT = Long.MIN_VALUE;

  private final DType dtype;
  private final ByteBuffer bytes;
  private final long[] shape;

  NpyElement(DType dtype, ByteBuffer bytes, long[] shape) {
    this.dtype = dtype;
    this.bytes = bytes;
    this.shape = shape;
  }

  /** The element's dtype (for a sub-array, the dtype of each item). */
  public DType dtype() {
    return dtype;
  }

  /** The sub-array shape; empty for a single element. */
  public long[] shape() {
    return shape.clone();
  }

  private ScalarDType scalar() {
    if (shape.length > 0) {
      throw new IllegalStateException(
          "Cannot read a sub-array of shape "
              + NpyHeader.shapeRepr(shape)
              + " as one value: use at(...)");
    }
    if (!(dtype instanceof ScalarDType s)) {
      throw new IllegalStateException(
          "Cannot read a record " + dtype + " as one value: use field(name)");
    }
    return s;
  }

  public boolean getBoolean() {
    return getLong() != 0;
  }

  /** bool, ints, uints (u8 as its raw 64 bits, see {@link #getBigInteger()}), datetime counts. */
  public long getLong() {
    return Scalars.getLong(bytes, 0, scalar());
  }

  /** An integer element exactly, including uint64 values above {@link Long#MAX_VALUE}. */
  public BigInteger getBigInteger() {
    ScalarDType t = scalar();
    long v = getLong();
    return t.kind() == ScalarDType.Kind.UINT && t.itemSize() == 8
        ? new BigInteger(Long.toUnsignedString(v))
        : BigInteger.valueOf(v);
  }

  /** Any real number (bool, int, uint, float including f2 and f16) as a double. */
  public double getDouble() {
    return Scalars.getDouble(bytes, 0, scalar());
  }

  public float getFloat() {
    return (float) getDouble();
  }

  /**
   * A long double ({@code f16}) exactly; null for infinities and NaN. Other floats convert exactly.
   */
  public BigDecimal getBigDecimal() {
    ScalarDType t = scalar();
    if (t.kind() == ScalarDType.Kind.FLOAT && t.itemSize() == 16) {
      return Floats.extendedToBigDecimal(Scalars.extendedBytes(bytes, 0, t.byteOrderChar() == '>'));
    }
    double d = getDouble();
    return Double.isFinite(d) ? new BigDecimal(d) : null;
  }

  /** A complex element as {@code {real, imag}}. */
  public double[] getComplex() {
    ScalarDType t = scalar();
    if (t.kind() != ScalarDType.Kind.COMPLEX) {
      return new double[] {getDouble(), 0};
    }
    return new double[] {Scalars.getDouble(bytes, 0, t), Scalars.getImaginary(bytes, 0, t)};
  }

  /**
   * The raw bytes of the element; for {@code S} dtypes without trailing NULs, as numpy returns
   * them.
   */
  public byte[] getBytes() {
    byte[] raw = new byte[bytes.limit()];
    bytes.duplicate().position(0).get(raw);
    if (dtype instanceof ScalarDType s && s.kind() == ScalarDType.Kind.BYTES && shape.length == 0) {
      int n = raw.length;
      while (n > 0 && raw[n - 1] == 0) {
        n--;
      }
      return n == raw.length ? raw : java.util.Arrays.copyOf(raw, n);
    }
    return raw;
  }

  /** A {@code U} element without trailing NULs; an {@code S} element decoded as latin-1. */
  public String getString() {
    ScalarDType t = scalar();
    if (t.kind() == ScalarDType.Kind.BYTES) {
      return new String(getBytes(), StandardCharsets.ISO_8859_1);
    }
    if (t.kind() != ScalarDType.Kind.UNICODE) {
      throw new IllegalStateException("Cannot read dtype " + t + " as a string");
    }
    int chars = t.width();
    int[] cps = new int[chars];
    int n = 0;
    ByteBuffer b = bytes.duplicate().order(t.byteOrder());
    for (int i = 0; i < chars; i++) {
      cps[i] = b.getInt(i * 4);
      if (cps[i] != 0) {
        n = i + 1;
      }
    }
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      if (!Character.isValidCodePoint(cps[i])) {
        sb.append('\ufffd');
      } else {
        sb.appendCodePoint(cps[i]);
      }
    }
    return sb.toString();
  }

  /** True if a datetime or timedelta element is NaT. */
  public boolean isNaT() {
    return scalar().isDatetimeLike() && getLong() == NAT;
  }

  /**
   * A {@code M8} element as a date-time (numpy datetimes have no time zone); null for NaT. Units
   * finer than nanoseconds are floored to nanoseconds.
   *
   * @throws NpyException if the value is beyond {@link LocalDateTime}'s range (numpy's is wider)
   */
  public LocalDateTime getDateTime() {
    ScalarDType t = scalar();
    if (t.kind() != ScalarDType.Kind.DATETIME) {
      throw new IllegalStateException("Cannot read dtype " + t + " as a datetime");
    }
    long v = getLong();
    if (v == NAT) {
      return null;
    }
    if (t.datetimeUnit() == DatetimeUnit.GENERIC) {
      throw new IllegalStateException("Cannot read a generic datetime64 without a unit as a date");
    }
    try {
      long count = Math.multiplyExact(v, Math.max(1, t.datetimeUnitCount()));
      LocalDateTime epoch = LocalDateTime.of(1970, 1, 1, 0, 0);
      switch (t.datetimeUnit()) {
        case YEAR:
          return epoch.plusYears(count);
        case MONTH:
          return epoch.plusMonths(count);
        default:
          long[] secondsAndNanos = toSecondsAndNanos(count, t.datetimeUnit());
          return LocalDateTime.ofEpochSecond(
              secondsAndNanos[0], (int) secondsAndNanos[1], ZoneOffset.UTC);
      }
    } catch (ArithmeticException | DateTimeException e) {
      throw outOfRange(t, v, "a LocalDateTime (years -999999999 to 999999999)", e);
    }
  }

  /** numpy holds datetimes and timedeltas far beyond java.time's range; say so, not overflow. */
  private static NpyException outOfRange(ScalarDType t, long v, String target, Exception e) {
    return new NpyException(
        "Cannot convert "
            + t.typestr()
            + " value "
            + v
            + " to "
            + target
            + ": it is out of range. Read the raw count with getLong() instead.",
        e);
  }

  /** A {@code M8} element with a unit of a day or coarser as a date; null for NaT. */
  public LocalDate getDate() {
    LocalDateTime dt = getDateTime();
    return dt == null ? null : dt.toLocalDate();
  }

  /**
   * A {@code m8} element as a duration; null for NaT. Year and month units have no fixed length.
   *
   * @throws NpyException if the value is beyond {@link Duration}'s range (numpy's is wider)
   */
  public Duration getDuration() {
    ScalarDType t = scalar();
    if (t.kind() != ScalarDType.Kind.TIMEDELTA) {
      throw new IllegalStateException("Cannot read dtype " + t + " as a timedelta");
    }
    long v = getLong();
    if (v == NAT) {
      return null;
    }
    if (t.datetimeUnit() == DatetimeUnit.YEAR
        || t.datetimeUnit() == DatetimeUnit.MONTH
        || t.datetimeUnit() == DatetimeUnit.GENERIC) {
      throw new IllegalStateException(
          "Cannot read timedelta " + t + " as a duration: its unit has no fixed length");
    }
    try {
      long[] sn = toSecondsAndNanos(Math.multiplyExact(v, t.datetimeUnitCount()), t.datetimeUnit());
      return Duration.ofSeconds(sn[0], sn[1]);
    } catch (ArithmeticException e) {
      throw outOfRange(t, v, "a Duration", e);
    }
  }

  /** Seconds and nanoseconds (floored) of {@code count} units. */
  static long[] toSecondsAndNanos(long count, DatetimeUnit unit) {
    if (unit.seconds() > 0) {
      return new long[] {Math.multiplyExact(count, unit.seconds()), 0};
    }
    long perSecond;
    switch (unit) {
      case MILLISECOND:
        perSecond = 1_000L;
        break;
      case MICROSECOND:
        perSecond = 1_000_000L;
        break;
      case NANOSECOND:
        perSecond = 1_000_000_000L;
        break;
      case PICOSECOND:
        return new long[] {
          Math.floorDiv(count, 1_000_000_000_000L), Math.floorMod(count, 1_000_000_000_000L) / 1_000
        };
      case FEMTOSECOND:
        return new long[] {
          Math.floorDiv(count, 1_000_000_000_000_000L),
          Math.floorMod(count, 1_000_000_000_000_000L) / 1_000_000
        };
      case ATTOSECOND:
        // 1e18 attoseconds per second exceeds no long, but count / 1e18 is at most ~9 seconds.
        return new long[] {
          Math.floorDiv(count, 1_000_000_000_000_000_000L),
          Math.floorMod(count, 1_000_000_000_000_000_000L) / 1_000_000_000
        };
      default:
        throw new IllegalStateException("Unit " + unit + " has no fixed length");
    }
    return new long[] {
      Math.floorDiv(count, perSecond),
      Math.floorMod(count, perSecond) * (1_000_000_000L / perSecond)
    };
  }

  /** The named field of a record element (a sub-array element if the field has a shape). */
  public NpyElement field(String name) {
    if (shape.length > 0 || !(dtype instanceof RecordDType r)) {
      throw new IllegalStateException(
          "Cannot read field '" + name + "' of " + dtype + ": not a record");
    }
    RecordDType.Field f = r.field(name);
    if (f == null) {
      List<String> names = new ArrayList<>();
      r.fields().forEach(x -> names.add(x.name()));
      throw new IllegalArgumentException(
          "Cannot read field '" + name + "': the record has fields " + names);
    }
    return new NpyElement(f.dtype(), bytes.slice(f.offset(), (int) f.size()), f.shape());
  }

  /** One item of a sub-array element, in C order as numpy stores sub-arrays. */
  public NpyElement at(long... index) {
    if (index.length != shape.length) {
      throw new IllegalArgumentException(
          "Cannot index a sub-array of shape "
              + NpyHeader.shapeRepr(shape)
              + " with "
              + index.length
              + " indices");
    }
    long flat = 0;
    for (int i = 0; i < index.length; i++) {
      if (index[i] < 0 || index[i] >= shape[i]) {
        throw new IndexOutOfBoundsException(
            "Index "
                + index[i]
                + " is out of bounds for sub-array axis "
                + i
                + " with size "
                + shape[i]);
      }
      flat = flat * shape[i] + index[i];
    }
    int size = dtype.itemSize();
    return new NpyElement(dtype, bytes.slice((int) (flat * size), size), new long[0]);
  }

  /**
   * The element as a plain Java value: Boolean, Byte/Short/Integer/Long, BigInteger (u8), Float
   * (f2, f4), Double (f8, f16 rounded), double[] {re, im} for complex, byte[] (S, V), String (U),
   * LocalDateTime (M8), Duration (m8, or Long for Y/M units), null for NaT, an ordered Map for a
   * record and a nested List for a sub-array.
   */
  public Object toObject() {
    if (shape.length > 0) {
      return subArrayObject(0, new long[0]);
    }
    if (dtype instanceof RecordDType r) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (RecordDType.Field f : r.fields()) {
        out.put(f.name(), field(f.name()).toObject());
      }
      return out;
    }
    ScalarDType t = (ScalarDType) dtype;
    switch (t.kind()) {
      case BOOL:
        return getBoolean();
      case INT:
        switch (t.itemSize()) {
          case 1:
            return (byte) getLong();
          case 2:
            return (short) getLong();
          case 4:
            return (int) getLong();
          default:
            return getLong();
        }
      case UINT:
        return t.itemSize() == 8 ? getBigInteger() : (Object) getLong();
      case FLOAT:
        return t.itemSize() <= 4 ? (Object) getFloat() : (Object) getDouble();
      case COMPLEX:
        return getComplex();
      case BYTES:
      case VOID:
        return getBytes();
      case UNICODE:
        return getString();
      case DATETIME:
        return t.datetimeUnit() == DatetimeUnit.GENERIC
            ? (isNaT() ? null : getLong())
            : getDateTime();
      default:
        if (isNaT()) {
          return null;
        }
        boolean calendar =
            t.datetimeUnit() == DatetimeUnit.YEAR
                || t.datetimeUnit() == DatetimeUnit.MONTH
                || t.datetimeUnit() == DatetimeUnit.GENERIC;
        return calendar ? (Object) getLong() : getDuration();
    }
  }

  private Object subArrayObject(int axis, long[] prefix) {
    List<Object> out = new ArrayList<>();
    for (long i = 0; i < shape[axis]; i++) {
      long[] idx = java.util.Arrays.copyOf(prefix, prefix.length + 1);
      idx[prefix.length] = i;
      out.add(axis == shape.length - 1 ? at(idx).toObject() : subArrayObject(axis + 1, idx));
    }
    return out;
  }

  /**
   * The value as numpy shows it inside a structured value: Python reprs, datetimes at their unit.
   */
  @Override
  public String toString() {
    return ValueFormat.format(this);
  }
}
