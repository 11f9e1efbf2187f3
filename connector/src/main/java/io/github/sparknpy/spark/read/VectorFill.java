package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.Float16;
import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.DatetimeUnit;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.error.NpyFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Decodes numpy values at given byte positions of a batch buffer into Spark column vectors: bulk
 * little-endian copies for contiguous numerics, primitive loops otherwise (byte swaps, strides,
 * widening of unsigned ints, halves, datetimes), never boxed values. One instance per reader; it
 * keeps a scratch array for copies out of mapped memory.
 */
final class VectorFill {
  private static final long NAT = Long.MIN_VALUE;
  private static final boolean NATIVE_LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  private ByteBuffer le;
  private ByteBuffer be;
  private String location;
  private byte[] scratch = new byte[64];
  private byte[] heap = new byte[0];

  /** Sets the buffer (index 0 = position 0) the next fills read from. */
  void use(ByteBuffer buffer, String location) {
    if (!buffer.hasArray()) {
      // Mapped memory: one bulk copy to the heap is cheaper than checked accesses per value.
      int len = buffer.remaining();
      if (heap.length < len) {
        heap = new byte[len];
      }
      buffer.get(0, heap, 0, len);
      buffer = ByteBuffer.wrap(heap, 0, len);
    }
    this.le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    this.be = buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
    this.location = location;
  }

  /**
   * Nests {@code vec} in one array level per axis of {@code shape} for {@code n} rows and returns
   * the innermost vector, which receives {@code n * product(shape)} elements.
   */
  static WritableColumnVector levels(WritableColumnVector vec, DataType type, long[] shape, int n) {
    WritableColumnVector v = vec;
    DataType t = type;
    int count = n;
    for (long dim : shape) {
      int d = (int) dim;
      for (int i = 0; i < count; i++) {
        v.putArray(i, i * d, d);
      }
      count = Math.multiplyExact(count, d);
      v = v.arrayData();
      t = ((ArrayType) t).elementType();
      reserve(v, t, Math.max(count, 1));
    }
    return v;
  }

  /** Capacity for {@code count} values, in struct children too (Spark grows only the parent). */
  private static void reserve(WritableColumnVector v, DataType type, int count) {
    v.reserve(count);
    if (type instanceof StructType st) {
      for (int k = 0; k < st.fields().length; k++) {
        reserve(v.getChild(k), st.fields()[k].dataType(), count);
      }
    }
  }

  static DataType innerType(DataType type, int levels) {
    DataType t = type;
    for (int i = 0; i < levels; i++) {
      t = ((ArrayType) t).elementType();
    }
    return t;
  }

  /** Fills {@code vec} with values of {@code dtype} (sub-array {@code shape}) at {@code p}. */
  void fill(WritableColumnVector vec, DataType type, DType dtype, long[] shape, Positions p) {
    if (shape.length > 0) {
      WritableColumnVector inner = levels(vec, type, shape, p.count);
      Positions q = p;
      for (int i = 0; i < shape.length; i++) {
        long rest = 1;
        for (int j = i + 1; j < shape.length; j++) {
          rest *= shape[j];
        }
        q = q.expand((int) shape[i], (int) (rest * dtype.itemSize()));
      }
      fill(inner, innerType(type, shape.length), dtype, new long[0], q);
      return;
    }
    if (dtype instanceof RecordDType rec) {
      StructType st = (StructType) type;
      StructField[] fields = st.fields();
      for (int k = 0; k < fields.length; k++) {
        RecordDType.Field f = rec.field(fields[k].name());
        fill(vec.getChild(k), fields[k].dataType(), f.dtype(), f.shape(), p.plus(f.offset()));
      }
      return;
    }
    leaf(vec, type, (ScalarDType) dtype, p);
  }

  /**
   * Fills {@code vec}, of Spark ML's vector type (struct {@code type, size, indices, values}), with
   * {@code n} dense vectors of {@code width} values each (at {@code p}, row by row), widened to
   * double.
   */
  void fillDenseVectors(
      WritableColumnVector vec, ScalarDType dtype, int n, int width, Positions p) {
    vec.getChild(0).putBytes(0, n, (byte) 1);
    vec.getChild(1).putNulls(0, n);
    vec.getChild(2).putNulls(0, n);
    WritableColumnVector values = vec.getChild(3);
    for (int i = 0; i < n; i++) {
      values.putArray(i, i * width, width);
    }
    WritableColumnVector doubles = values.arrayData();
    doubles.reserve(Math.max(p.count, 1));
    if (dtype.kind() == ScalarDType.Kind.FLOAT && dtype.itemSize() == 8) {
      leaf(doubles, DataTypes.DoubleType, dtype, p);
      return;
    }
    ByteBuffer b = dtype.byteOrder() == ByteOrder.BIG_ENDIAN ? be : le;
    int size = dtype.itemSize();
    int count = p.count;
    switch (dtype.kind()) {
      case FLOAT:
        for (int i = 0; i < count; i++) {
          int at = p.get(i);
          doubles.putDouble(i, size == 4 ? b.getFloat(at) : Float16.toFloat(b.getShort(at)));
        }
        return;
      case INT:
        for (int i = 0; i < count; i++) {
          int at = p.get(i);
          doubles.putDouble(
              i,
              switch (size) {
                case 1 -> b.get(at);
                case 2 -> b.getShort(at);
                default -> b.getInt(at);
              });
        }
        return;
      case UINT:
        for (int i = 0; i < count; i++) {
          int at = p.get(i);
          doubles.putDouble(
              i,
              switch (size) {
                case 1 -> Byte.toUnsignedInt(b.get(at));
                case 2 -> Short.toUnsignedInt(b.getShort(at));
                default -> Integer.toUnsignedLong(b.getInt(at));
              });
        }
        return;
      default:
        throw new NpyFormatException(
            "Cannot read " + location + " as vectors: dtype " + dtype.typestr());
    }
  }

  private void leaf(WritableColumnVector vec, DataType type, ScalarDType s, Positions p) {
    ByteBuffer b = s.byteOrder() == ByteOrder.BIG_ENDIAN ? be : le;
    int n = p.count;
    int size = s.itemSize();
    boolean bulk = p.strided && p.stride == size && s.byteOrder() == ByteOrder.LITTLE_ENDIAN;
    switch (s.kind()) {
      case BOOL:
        for (int i = 0; i < n; i++) {
          vec.putBoolean(i, b.get(p.get(i)) != 0);
        }
        return;
      case INT:
        if (bulk && size != 2 && (size == 1 || NATIVE_LE)) {
          byte[] src = arrayFor(b, p.start, n * size);
          int base = arrayBase(b, p.start);
          if (size == 1) {
            vec.putBytes(0, n, src, base);
          } else if (size == 4) {
            vec.putIntsLittleEndian(0, n, src, base);
          } else {
            vec.putLongsLittleEndian(0, n, src, base);
          }
          return;
        }
        for (int i = 0; i < n; i++) {
          int at = p.get(i);
          switch (size) {
            case 1 -> vec.putByte(i, b.get(at));
            case 2 -> vec.putShort(i, b.getShort(at));
            case 4 -> vec.putInt(i, b.getInt(at));
            default -> vec.putLong(i, b.getLong(at));
          }
        }
        return;
      case UINT:
        fillUnsigned(vec, b, size, p);
        return;
      case FLOAT:
        if (size == 2) {
          for (int i = 0; i < n; i++) {
            vec.putFloat(i, Float16.toFloat(b.getShort(p.get(i))));
          }
          return;
        }
        if (bulk && NATIVE_LE) {
          byte[] src = arrayFor(b, p.start, n * size);
          int base = arrayBase(b, p.start);
          if (size == 4) {
            vec.putFloatsLittleEndian(0, n, src, base);
          } else {
            vec.putDoublesLittleEndian(0, n, src, base);
          }
          return;
        }
        if (size == 4) {
          for (int i = 0; i < n; i++) {
            vec.putFloat(i, b.getFloat(p.get(i)));
          }
        } else if (p.strided) {
          for (int i = 0, at = p.start; i < n; i++, at += p.stride) {
            vec.putDouble(i, b.getDouble(at));
          }
        } else {
          for (int i = 0; i < n; i++) {
            vec.putDouble(i, b.getDouble(p.get(i)));
          }
        }
        return;
      case COMPLEX:
        {
          ScalarDType part =
              (size == 8 ? ScalarDType.FLOAT32 : ScalarDType.FLOAT64).withByteOrder(s.byteOrder());
          StructField[] fields = ((StructType) type).fields();
          for (int k = 0; k < fields.length; k++) {
            int delta = fields[k].name().equals("imag") ? size / 2 : 0;
            leaf(vec.getChild(k), fields[k].dataType(), part, p.plus(delta));
          }
          return;
        }
      case BYTES:
      case VOID:
        fillBytes(vec, b, size, s.kind() == ScalarDType.Kind.BYTES, p);
        return;
      case UNICODE:
        fillUnicode(vec, b, s.width(), p);
        return;
      case DATETIME:
      case TIMEDELTA:
        fillTime(vec, type, b, s, p);
        return;
      default:
        throw new NpyFormatException("Cannot read " + location + ": dtype " + s.typestr());
    }
  }

  private static void fillUnsigned(WritableColumnVector vec, ByteBuffer b, int size, Positions p) {
    int n = p.count;
    switch (size) {
      case 1 -> {
        for (int i = 0; i < n; i++) {
          vec.putShort(i, (short) (b.get(p.get(i)) & 0xff));
        }
      }
      case 2 -> {
        for (int i = 0; i < n; i++) {
          vec.putInt(i, b.getShort(p.get(i)) & 0xffff);
        }
      }
      case 4 -> {
        for (int i = 0; i < n; i++) {
          vec.putLong(i, b.getInt(p.get(i)) & 0xffffffffL);
        }
      }
      default -> {
        // Decimal(20, 0) is stored as the big-endian two's complement bytes of the unscaled value.
        byte[] nine = new byte[9];
        for (int i = 0; i < n; i++) {
          long v = b.getLong(p.get(i));
          for (int k = 0; k < 8; k++) {
            nine[8 - k] = (byte) (v >>> (8 * k));
          }
          vec.putByteArray(i, nine, 0, 9);
        }
      }
    }
  }

  private void fillBytes(
      WritableColumnVector vec, ByteBuffer b, int size, boolean stripNuls, Positions p) {
    int n = p.count;
    for (int i = 0; i < n; i++) {
      int at = p.get(i);
      int len = size;
      if (stripNuls) {
        while (len > 0 && b.get(at + len - 1) == 0) {
          len--;
        }
      }
      if (b.hasArray()) {
        vec.putByteArray(i, b.array(), b.arrayOffset() + at, len);
      } else {
        byte[] dst = scratch(len);
        b.get(at, dst, 0, len);
        vec.putByteArray(i, dst, 0, len);
      }
    }
  }

  private void fillUnicode(WritableColumnVector vec, ByteBuffer b, int width, Positions p) {
    int n = p.count;
    byte[] out = scratch(width * 4);
    for (int i = 0; i < n; i++) {
      int at = p.get(i);
      int chars = width;
      while (chars > 0 && b.getInt(at + 4 * (chars - 1)) == 0) {
        chars--;
      }
      int len = 0;
      for (int c = 0; c < chars; c++) {
        int cp = b.getInt(at + 4 * c);
        if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
          cp = 0xfffd;
        }
        if (cp < 0x80) {
          out[len++] = (byte) cp;
        } else if (cp < 0x800) {
          out[len++] = (byte) (0xc0 | (cp >> 6));
          out[len++] = (byte) (0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
          out[len++] = (byte) (0xe0 | (cp >> 12));
          out[len++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
          out[len++] = (byte) (0x80 | (cp & 0x3f));
        } else {
          out[len++] = (byte) (0xf0 | (cp >> 18));
          out[len++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
          out[len++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
          out[len++] = (byte) (0x80 | (cp & 0x3f));
        }
      }
      vec.putByteArray(i, out, 0, len);
    }
  }

  private void fillTime(
      WritableColumnVector vec, DataType type, ByteBuffer b, ScalarDType s, Positions p) {
    int n = p.count;
    DatetimeUnit unit = s.datetimeUnit();
    long count = s.datetimeUnitCount();
    boolean date = type.equals(DataTypes.DateType);
    for (int i = 0; i < n; i++) {
      long v = b.getLong(p.get(i));
      if (v == NAT) {
        vec.putNull(i);
        continue;
      }
      try {
        long x = Math.multiplyExact(v, count);
        if (date) {
          vec.putInt(i, Math.toIntExact(toDays(unit, x)));
        } else {
          vec.putLong(i, toMicros(unit, x));
        }
      } catch (ArithmeticException e) {
        throw new NpyFormatException(
            "Cannot read "
                + location
                + ": value "
                + v
                + " of dtype "
                + s.typestr()
                + " is outside the range of Spark's "
                + type.simpleString()
                + " type");
      }
    }
  }

  static long toDays(DatetimeUnit unit, long x) {
    return switch (unit) {
      case YEAR -> daysFromCivil(Math.addExact(1970, x), 1);
      case MONTH -> daysFromCivil(1970 + Math.floorDiv(x, 12), (int) Math.floorMod(x, 12) + 1);
      case WEEK -> Math.multiplyExact(x, 7);
      default -> x;
    };
  }

  static long toMicros(DatetimeUnit unit, long x) {
    return switch (unit) {
      case DAY -> Math.multiplyExact(x, 86_400_000_000L);
      case HOUR -> Math.multiplyExact(x, 3_600_000_000L);
      case MINUTE -> Math.multiplyExact(x, 60_000_000L);
      case SECOND -> Math.multiplyExact(x, 1_000_000L);
      case MILLISECOND -> Math.multiplyExact(x, 1_000L);
      case MICROSECOND -> x;
      case NANOSECOND -> Math.floorDiv(x, 1_000L);
      default -> throw new ArithmeticException(unit.symbol());
    };
  }

  /** Days since 1970-01-01 of the first day of month {@code m} of year {@code y} (proleptic). */
  private static long daysFromCivil(long year, int m) {
    long y = m <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return Math.addExact(Math.multiplyExact(era, 146_097L), doe - 719_468);
  }

  private byte[] arrayFor(ByteBuffer b, int start, int len) {
    if (b.hasArray()) {
      return b.array();
    }
    byte[] dst = scratch(len);
    b.get(start, dst, 0, len);
    return dst;
  }

  private static int arrayBase(ByteBuffer b, int start) {
    return b.hasArray() ? b.arrayOffset() + start : 0;
  }

  private byte[] scratch(int len) {
    if (scratch.length < len) {
      scratch = new byte[Math.max(len, scratch.length * 2)];
    }
    return scratch;
  }
}
