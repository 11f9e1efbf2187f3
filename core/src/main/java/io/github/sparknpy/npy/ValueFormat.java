package io.github.sparknpy.npy;

import io.github.sparknpy.npy.dtype.DatetimeUnit;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.literal.PythonLiteral;
import io.github.sparknpy.npy.literal.PythonRepr;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDate;

/**
 * Formats one element as numpy's {@code str()} shows it inside a structured value: Python reprs for
 * real numbers, text and bytes, numpy's style for complex ({@code 1.+2.j}), datetimes at their
 * unit's precision, records as tuples and sub-arrays as nested lists.
 */
final class ValueFormat {
  private ValueFormat() {}

  static String format(NpyElement e) {
    StringBuilder sb = new StringBuilder();
    append(sb, e);
    return sb.toString();
  }

  private static void append(StringBuilder sb, NpyElement e) {
    long[] shape = e.shape();
    if (shape.length > 0) {
      appendSubArray(sb, e, shape, 0, new long[shape.length]);
      return;
    }
    if (e.dtype() instanceof RecordDType r) {
      sb.append('(');
      for (int i = 0; i < r.fields().size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        append(sb, e.field(r.fields().get(i).name()));
      }
      sb.append(r.fields().size() == 1 ? ",)" : ")");
      return;
    }
    ScalarDType t = (ScalarDType) e.dtype();
    switch (t.kind()) {
      case BOOL:
        sb.append(e.getBoolean() ? "True" : "False");
        break;
      case INT:
      case UINT:
        sb.append(e.getBigInteger());
        break;
      case FLOAT:
        sb.append(floatRepr(e, t));
        break;
      case COMPLEX:
        sb.append(complexRepr(e.getComplex()));
        break;
      case BYTES:
      case VOID:
        sb.append(PythonRepr.of(new PythonLiteral.Bytes(e.getBytes())));
        break;
      case UNICODE:
        sb.append(PythonRepr.of(e.getString()));
        break;
      case DATETIME:
        sb.append('\'').append(e.isNaT() ? "NaT" : datetime(e.getLong(), t)).append('\'');
        break;
      default:
        // numpy shows the stored count of a timedelta inside structured values.
        sb.append(e.isNaT() ? "NaT" : Long.toString(e.getLong()));
    }
  }

  private static void appendSubArray(
      StringBuilder sb, NpyElement e, long[] shape, int axis, long[] index) {
    sb.append('[');
    for (long i = 0; i < shape[axis]; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      index[axis] = i;
      if (axis == shape.length - 1) {
        append(sb, e.at(index.clone()));
      } else {
        appendSubArray(sb, e, shape, axis + 1, index);
      }
    }
    sb.append(']');
  }

  private static String floatRepr(NpyElement e, ScalarDType t) {
    switch (t.itemSize()) {
      case 2:
        return halfRepr(e.getFloat(), 1e3);
      case 4:
        float f = e.getFloat();
        return pythonFloat(f, Float.toString(f), 1e6);
      default:
        double d = e.getDouble();
        return pythonFloat(d, Double.toString(d), 1e16);
    }
  }

  /** numpy's array style of a Python float repr: {@code 3.} for {@code 3.0}, {@code 1.e+20}. */
  private static String numpyStyle(String pythonRepr) {
    if (pythonRepr.endsWith(".0")) {
      return pythonRepr.substring(0, pythonRepr.length() - 1);
    }
    int e = pythonRepr.indexOf('e');
    if (e > 0 && pythonRepr.lastIndexOf('.', e) < 0) {
      return pythonRepr.substring(0, e) + "." + pythonRepr.substring(e);
    }
    return pythonRepr;
  }

  /** The shortest decimal that reads back as the same float16, as numpy prints half floats. */
  static String halfRepr(float value, double scientificFrom) {
    if (!Float.isFinite(value) || value == 0) {
      return pythonFloat(value, Float.toString(value), scientificFrom);
    }
    short bits = Float16.fromFloat(value);
    BigDecimal exact = new BigDecimal(value);
    for (int digits = 1; digits < 9; digits++) {
      BigDecimal candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (Float16.fromFloat(candidate.floatValue()) == bits) {
        return pythonFloat(value, candidate.toString(), scientificFrom);
      }
    }
    return pythonFloat(value, Float.toString(value), scientificFrom);
  }

  /** numpy's array style of a complex value: {@code 1.+2.j}, {@code 0.-0.5j}. */
  static String complexRepr(double[] c) {
    String re = numpyStyle(pythonFloat(c[0], Double.toString(c[0]), 1e16));
    String im = numpyStyle(pythonFloat(c[1], Double.toString(c[1]), 1e16));
    return re + (im.startsWith("-") ? "" : "+") + im + "j";
  }

  /** ISO text at the unit's precision, as numpy prints datetime64 values. */
  static String datetime(long value, ScalarDType t) {
    DatetimeUnit unit = t.datetimeUnit();
    if (unit == DatetimeUnit.GENERIC) {
      return Long.toString(value);
    }
    try {
      long steps = Math.multiplyExact(value, t.datetimeUnitCount());
      LocalDate epoch = LocalDate.of(1970, 1, 1);
      switch (unit) {
        case YEAR:
          return String.format(java.util.Locale.ROOT, "%04d", Math.addExact(1970, steps));
        case MONTH:
          LocalDate m = epoch.plusMonths(steps);
          return String.format(java.util.Locale.ROOT, "%04d-%02d", m.getYear(), m.getMonthValue());
        case WEEK:
          return epoch.plusDays(Math.multiplyExact(steps, 7)).toString();
        case DAY:
          return epoch.plusDays(steps).toString();
        default:
          break;
      }
      int fractionDigits = fractionDigits(unit);
      long perSecond =
          fractionDigits == 0 ? 1 : BigDecimal.TEN.pow(fractionDigits).longValueExact();
      long seconds =
          unit.seconds() > 0
              ? Math.multiplyExact(steps, unit.seconds())
              : Math.floorDiv(steps, perSecond);
      long fraction = unit.seconds() > 0 ? 0 : Math.floorMod(steps, perSecond);
      LocalDate day = epoch.plusDays(Math.floorDiv(seconds, 86_400L));
      long secondOfDay = Math.floorMod(seconds, 86_400L);
      StringBuilder sb =
          new StringBuilder(day.toString())
              .append('T')
              .append(String.format(java.util.Locale.ROOT, "%02d", secondOfDay / 3600));
      if (unit != DatetimeUnit.HOUR) {
        sb.append(String.format(java.util.Locale.ROOT, ":%02d", secondOfDay / 60 % 60));
      }
      if (unit != DatetimeUnit.HOUR && unit != DatetimeUnit.MINUTE) {
        sb.append(String.format(java.util.Locale.ROOT, ":%02d", secondOfDay % 60));
      }
      if (fractionDigits > 0) {
        String digits = Long.toString(fraction);
        sb.append('.').append("0".repeat(fractionDigits - digits.length())).append(digits);
      }
      return sb.toString();
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return value + " " + unit.symbol();
    }
  }

  private static int fractionDigits(DatetimeUnit unit) {
    switch (unit) {
      case MILLISECOND:
        return 3;
      case MICROSECOND:
        return 6;
      case NANOSECOND:
        return 9;
      case PICOSECOND:
        return 12;
      case FEMTOSECOND:
        return 15;
      case ATTOSECOND:
        return 18;
      default:
        return 0;
    }
  }

  /**
   * Python's float repr (nan, inf, scientific below 1e-4 and from {@code scientificFrom} on), where
   * numpy moves the upper cutoff down for narrow floats: 1e3 for float16, 1e6 for float32.
   */
  static String pythonFloat(double d, String javaShortest, double scientificFrom) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return 1 / d < 0 ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(javaShortest);
    double abs = Math.abs(d);
    if (abs >= 1e-4 && abs < scientificFrom) {
      String plain = exact.stripTrailingZeros().toPlainString();
      return plain.contains(".") ? plain : plain + ".0";
    }
    BigDecimal unscaled = exact.stripTrailingZeros();
    int exponent = unscaled.precision() - unscaled.scale() - 1;
    String digits = unscaled.unscaledValue().abs().toString();
    StringBuilder sb = new StringBuilder();
    if (d < 0) {
      sb.append('-');
    }
    sb.append(digits.charAt(0));
    if (digits.length() > 1) {
      sb.append('.').append(digits, 1, digits.length());
    }
    sb.append('e').append(exponent < 0 ? '-' : '+');
    int e = Math.abs(exponent);
    if (e < 10) {
      sb.append('0');
    }
    return sb.append(e).toString();
  }
}
