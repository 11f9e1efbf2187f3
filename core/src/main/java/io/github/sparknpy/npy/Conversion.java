package io.github.sparknpy.npy;

import io.github.sparknpy.npy.dtype.Casting;
import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.DatetimeUnit;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.error.NpyIncompatibleArrayException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts elements from one dtype to another in batches, deciding up front (as numpy's {@code
 * can_cast} does) whether the conversion is allowed under a {@link Casting}.
 */
abstract class Conversion {
  /**
   * Converts {@code count} elements from {@code src} at {@code srcOff} into {@code dst} at {@code
   * dstOff}.
   */
  abstract void convert(ByteBuffer src, int srcOff, ByteBuffer dst, int dstOff, int count);

  /**
   * The conversion from {@code from} to {@code to}, or an {@link IllegalArgumentException} naming
   * both dtypes if {@code casting} does not allow it.
   */
  static Conversion of(DType from, DType to, Casting casting) {
    String why = refusal(from, to, casting);
    if (why != null) {
      throw new IllegalArgumentException(
          "Cannot cast array data from dtype "
              + from.descr()
              + " to "
              + to.descr()
              + " according to the rule '"
              + casting.name().toLowerCase(java.util.Locale.ROOT)
              + "': "
              + why);
    }
    return build(from, to);
  }

  /** Why {@code from} cannot become {@code to} under {@code casting}, or null if it can. */
  static String refusal(DType from, DType to, Casting casting) {
    if (from.equals(to) || from.isEquivalent(to)) {
      return null;
    }
    if (casting == Casting.EQUIV) {
      return "only the same dtype in another byte order is allowed; pass Casting.SAFE or UNSAFE to convert";
    }
    if (from instanceof RecordDType fr && to instanceof RecordDType tr) {
      if (fr.fields().size() != tr.fields().size()) {
        return "the records have different fields";
      }
      for (int i = 0; i < fr.fields().size(); i++) {
        RecordDType.Field a = fr.fields().get(i);
        RecordDType.Field b = tr.fields().get(i);
        if (!a.name().equals(b.name()) || !java.util.Arrays.equals(a.shape(), b.shape())) {
          return "field " + i + " is " + a + " in one and " + b + " in the other";
        }
        String inner = refusal(a.dtype(), b.dtype(), casting);
        if (inner != null) {
          return "field '" + a.name() + "': " + inner;
        }
      }
      return null;
    }
    if (!(from instanceof ScalarDType f) || !(to instanceof ScalarDType t)) {
      return "a record and a non-record dtype do not convert";
    }
    boolean safe = isSafe(f, t);
    if (safe) {
      return null;
    }
    if (casting == Casting.SAFE) {
      return "the conversion could lose values; pass Casting.UNSAFE to allow it";
    }
    return isUnsafeAllowed(f, t) ? null : "there is no conversion between these kinds";
  }

  private static int rank(ScalarDType t) {
    return t.kind() == ScalarDType.Kind.COMPLEX ? t.itemSize() / 2 : t.itemSize();
  }

  private static boolean isSafe(ScalarDType f, ScalarDType t) {
    ScalarDType.Kind fk = f.kind();
    ScalarDType.Kind tk = t.kind();
    int fs = f.itemSize();
    int ts = t.itemSize();
    if (tk == ScalarDType.Kind.TIMEDELTA
        && (fk == ScalarDType.Kind.BOOL
            || fk == ScalarDType.Kind.INT
            || (fk == ScalarDType.Kind.UINT && fs < 8))) {
      return true; // integers count units of the timedelta, as numpy's safe casting allows
    }
    switch (fk) {
      case BOOL:
        return t.isNumeric();
      case INT:
        return (tk == ScalarDType.Kind.INT && ts >= fs) || holdsIntegers(t, fs);
      case UINT:
        return (tk == ScalarDType.Kind.UINT && ts >= fs)
            || (tk == ScalarDType.Kind.INT && ts > fs)
            || holdsIntegers(t, fs);
      case FLOAT:
        return (tk == ScalarDType.Kind.FLOAT && ts >= fs && ts <= 8)
            || (tk == ScalarDType.Kind.COMPLEX && rank(t) >= fs && rank(t) <= 8);
      case COMPLEX:
        return tk == ScalarDType.Kind.COMPLEX && ts >= fs && ts <= 16;
      case BYTES:
        return (tk == ScalarDType.Kind.BYTES && ts >= fs)
            || (tk == ScalarDType.Kind.UNICODE && t.width() >= fs);
      case UNICODE:
        return tk == ScalarDType.Kind.UNICODE && ts >= fs;
      case VOID:
        return tk == ScalarDType.Kind.VOID && ts == fs;
      case DATETIME:
        return tk == fk && (unitFactor(f, t) > 0 || isCalendarToLinear(f, t));
      case TIMEDELTA:
        return tk == fk && unitFactor(f, t) > 0;
      default:
        return false;
    }
  }

  /** numpy counts ints of n bytes as safe in floats of 2n bytes, and 64-bit ints in float64. */
  private static boolean holdsIntegers(ScalarDType t, int intBytes) {
    boolean floatLike = t.kind() == ScalarDType.Kind.FLOAT || t.kind() == ScalarDType.Kind.COMPLEX;
    return floatLike && rank(t) >= Math.min(2 * intBytes, 8) && rank(t) <= 8;
  }

  /** Long double ({@code f16}, {@code c32}) is read but never produced by a conversion. */
  private static boolean isUnsafeAllowed(ScalarDType f, ScalarDType t) {
    if (f.isNumeric() && t.isNumeric()) {
      return rank(t) <= 8;
    }
    boolean fromText = f.kind() == ScalarDType.Kind.BYTES || f.kind() == ScalarDType.Kind.UNICODE;
    boolean toText = t.kind() == ScalarDType.Kind.BYTES || t.kind() == ScalarDType.Kind.UNICODE;
    return (fromText && toText)
        || (f.kind() == ScalarDType.Kind.VOID && t.kind() == ScalarDType.Kind.VOID);
  }

  /** Datetimes in years or months become dates, then any unit of fixed length, as numpy allows. */
  private static boolean isCalendarToLinear(ScalarDType f, ScalarDType t) {
    boolean calendar =
        f.datetimeUnit() == DatetimeUnit.YEAR || f.datetimeUnit() == DatetimeUnit.MONTH;
    return f.kind() == ScalarDType.Kind.DATETIME
        && calendar
        && unitInAttoseconds(t.datetimeUnit(), Math.max(1, t.datetimeUnitCount())) != null;
  }

  /** How many {@code to} units one {@code from} unit is, if a whole number; else 0. */
  static long unitFactor(ScalarDType from, ScalarDType to) {
    DatetimeUnit fu = from.datetimeUnit();
    DatetimeUnit tu = to.datetimeUnit();
    if (fu == DatetimeUnit.GENERIC) {
      return 1;
    }
    if (tu == DatetimeUnit.GENERIC) {
      return 0;
    }
    java.math.BigInteger f = unitInAttoseconds(fu, from.datetimeUnitCount());
    java.math.BigInteger t = unitInAttoseconds(tu, to.datetimeUnitCount());
    if (f == null || t == null) {
      boolean calendar =
          (fu == DatetimeUnit.YEAR || fu == DatetimeUnit.MONTH)
              && (tu == DatetimeUnit.YEAR || tu == DatetimeUnit.MONTH);
      if (!calendar) {
        return 0;
      }
      long fm = (fu == DatetimeUnit.YEAR ? 12L : 1L) * from.datetimeUnitCount();
      long tm = (tu == DatetimeUnit.YEAR ? 12L : 1L) * to.datetimeUnitCount();
      return fm % tm == 0 ? fm / tm : 0;
    }
    java.math.BigInteger[] qr = f.divideAndRemainder(t);
    return qr[1].signum() == 0 && qr[0].bitLength() < 63 ? qr[0].longValue() : 0;
  }

  private static java.math.BigInteger unitInAttoseconds(DatetimeUnit u, int count) {
    long atto;
    switch (u) {
      case WEEK:
      case DAY:
      case HOUR:
      case MINUTE:
      case SECOND:
        return java.math.BigInteger.valueOf(u.seconds())
            .multiply(java.math.BigInteger.TEN.pow(18))
            .multiply(java.math.BigInteger.valueOf(count));
      case MILLISECOND:
        atto = 1_000_000_000_000_000L;
        break;
      case MICROSECOND:
        atto = 1_000_000_000_000L;
        break;
      case NANOSECOND:
        atto = 1_000_000_000L;
        break;
      case PICOSECOND:
        atto = 1_000_000L;
        break;
      case FEMTOSECOND:
        atto = 1_000L;
        break;
      case ATTOSECOND:
        atto = 1L;
        break;
      default:
        return null;
    }
    return java.math.BigInteger.valueOf(atto).multiply(java.math.BigInteger.valueOf(count));
  }

  private static Conversion build(DType from, DType to) {
    if (from.equals(to)) {
      int size = from.itemSize();
      return new Conversion() {
        @Override
        void convert(ByteBuffer src, int srcOff, ByteBuffer dst, int dstOff, int count) {
          dst.put(dstOff, src, srcOff, count * size);
        }
      };
    }
    if (from instanceof RecordDType fr) {
      return record(fr, (RecordDType) to);
    }
    return scalar((ScalarDType) from, (ScalarDType) to);
  }

  private static Conversion record(RecordDType from, RecordDType to) {
    List<Conversion> fields = new ArrayList<>();
    for (int i = 0; i < from.fields().size(); i++) {
      fields.add(build(from.fields().get(i).dtype(), to.fields().get(i).dtype()));
    }
    return new Conversion() {
      @Override
      void convert(ByteBuffer src, int srcOff, ByteBuffer dst, int dstOff, int count) {
        for (int e = 0; e < count; e++) {
          int s = srcOff + e * from.itemSize();
          int d = dstOff + e * to.itemSize();
          for (int d2 = 0; d2 < to.itemSize(); d2++) {
            dst.put(d + d2, (byte) 0);
          }
          for (int i = 0; i < fields.size(); i++) {
            RecordDType.Field ff = from.fields().get(i);
            RecordDType.Field tf = to.fields().get(i);
            fields.get(i).convert(src, s + ff.offset(), dst, d + tf.offset(), (int) ff.count());
          }
        }
      }
    };
  }

  private static Conversion scalar(ScalarDType from, ScalarDType to) {
    int fs = from.itemSize();
    int ts = to.itemSize();
    ScalarDType.Kind fk = from.kind();
    ScalarDType.Kind tk = to.kind();
    if (fk == ScalarDType.Kind.BYTES
        || fk == ScalarDType.Kind.UNICODE
        || fk == ScalarDType.Kind.VOID) {
      return text(from, to);
    }
    if (from.isDatetimeLike() && isCalendarToLinear(from, to)) {
      java.math.BigInteger target = unitInAttoseconds(to.datetimeUnit(), to.datetimeUnitCount());
      return new Conversion() {
        @Override
        void convert(ByteBuffer src, int srcOff, ByteBuffer dst, int dstOff, int count) {
          for (int i = 0; i < count; i++) {
            long v = Scalars.getLong(src, srcOff + i * fs, from);
            long out = v;
            if (v != NpyElement.NAT) {
              long steps = multiply(v, from.datetimeUnitCount(), from, to);
              java.time.LocalDate epoch = java.time.LocalDate.of(1970, 1, 1);
              long days =
                  (from.datetimeUnit() == DatetimeUnit.YEAR
                          ? epoch.plusYears(steps)
                          : epoch.plusMonths(steps))
                      .toEpochDay();
              java.math.BigInteger atto =
                  java.math.BigInteger.valueOf(days)
                      .multiply(java.math.BigInteger.valueOf(86_400L))
                      .multiply(java.math.BigInteger.TEN.pow(18));
              java.math.BigInteger[] qr = atto.divideAndRemainder(target);
              java.math.BigInteger units =
                  qr[1].signum() < 0 ? qr[0].subtract(java.math.BigInteger.ONE) : qr[0];
              if (units.bitLength() > 63) {
                throw tooLarge(v, from, to);
              }
              out = units.longValue();
            }
            Scalars.putLong(dst, dstOff + i * ts, to, out);
          }
        }
      };
    }
    if (from.isDatetimeLike()) {
      long factor = unitFactor(from, to);
      return new Conversion() {
        @Override
        void convert(ByteBuffer src, int srcOff, ByteBuffer dst, int dstOff, int count) {
          for (int i = 0; i < count; i++) {
            long v = Scalars.getLong(src, srcOff + i * fs, from);
            long out = v == NpyElement.NAT ? v : multiply(v, factor, from, to);
            Scalars.putLong(dst, dstOff + i * ts, to, out);
          }
        }
      };
    }
    boolean toFloat = tk == ScalarDType.Kind.FLOAT || tk == ScalarDType.Kind.COMPLEX;
    boolean fromFloat = fk == ScalarDType.Kind.FLOAT || fk == ScalarDType.Kind.COMPLEX;
    boolean complexToComplex = fk == ScalarDType.Kind.COMPLEX && tk == ScalarDType.Kind.COMPLEX;
    return new Conversion() {
      @Override
      void convert(ByteBuffer src, int srcOff, ByteBuffer dst, int dstOff, int count) {
        for (int i = 0; i < count; i++) {
          int s = srcOff + i * fs;
          int d = dstOff + i * ts;
          if (toFloat || fromFloat) {
            Scalars.putDouble(dst, d, to, Scalars.getDouble(src, s, from));
            if (tk == ScalarDType.Kind.COMPLEX) {
              double imag = complexToComplex ? Scalars.getImaginary(src, s, from) : 0.0;
              Scalars.putDouble(dst, d + ts / 2, partOf(to), imag);
            }
          } else {
            Scalars.putLong(dst, d, to, Scalars.getLong(src, s, from));
          }
        }
      }
    };
  }

  private static ScalarDType partOf(ScalarDType complex) {
    return DType.of(complex.byteOrderChar() + "f" + complex.itemSize() / 2);
  }

  private static long multiply(long v, long factor, ScalarDType from, ScalarDType to) {
    try {
      return Math.multiplyExact(v, factor);
    } catch (ArithmeticException e) {
      throw tooLarge(v, from, to);
    }
  }

  private static NpyIncompatibleArrayException tooLarge(long v, ScalarDType from, ScalarDType to) {
    return new NpyIncompatibleArrayException(
        "Cannot convert "
            + from.descr()
            + " value "
            + v
            + " to "
            + to.descr()
            + ": it does not fit in 64 bits");
  }

  /** S, U and V: pad with zeros or cut to the target width; S to U decodes ASCII as numpy does. */
  private static Conversion text(ScalarDType from, ScalarDType to) {
    int fs = from.itemSize();
    int ts = to.itemSize();
    boolean fromU = from.kind() == ScalarDType.Kind.UNICODE;
    boolean toU = to.kind() == ScalarDType.Kind.UNICODE;
    return new Conversion() {
      @Override
      void convert(ByteBuffer src, int srcOff, ByteBuffer dst, int dstOff, int count) {
        ByteBuffer in = src.duplicate().order(from.byteOrder());
        ByteBuffer out = dst.duplicate().order(to.byteOrder());
        int fw = from.width();
        int tw = to.width();
        for (int i = 0; i < count; i++) {
          int s = srcOff + i * fs;
          int d = dstOff + i * ts;
          for (int c = 0; c < tw; c++) {
            int cp = 0;
            if (c < fw) {
              cp = fromU ? in.getInt(s + c * 4) : in.get(s + c) & 0xff;
            }
            if (!fromU && toU && cp > 0x7f) {
              throw new IllegalArgumentException(
                  "Cannot convert "
                      + from.descr()
                      + " to "
                      + to.descr()
                      + ": byte 0x"
                      + Integer.toHexString(cp)
                      + " is not ASCII");
            }
            if (fromU && !toU && cp > 0xff) {
              throw new IllegalArgumentException(
                  "Cannot convert "
                      + from.descr()
                      + " to "
                      + to.descr()
                      + ": character U+"
                      + Integer.toHexString(cp)
                      + " does not fit in a byte");
            }
            if (toU) {
              out.putInt(d + c * 4, cp);
            } else {
              out.put(d + c, (byte) cp);
            }
          }
        }
      }
    };
  }
}
