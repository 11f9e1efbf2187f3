package io.github.sparknpy.npy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** Formats element values as numpy prints them inside arrays, for the CLI and toString. */
final class ValueFormat {
  private ValueFormat() {}

  static String format(Object value, DType dtype) {
    StringBuilder sb = new StringBuilder();
    append(sb, value);
    return sb.toString();
  }

  private static void append(StringBuilder sb, Object value) {
    if (value == null) {
      sb.append("NaT");
    } else if (value instanceof Boolean b) {
      sb.append(b ? "True" : "False");
    } else if (value instanceof Double d) {
      sb.append(pythonFloat(d, Double.toString(d)));
    } else if (value instanceof Float f) {
      sb.append(pythonFloat(f, Float.toString(f)));
    } else if (value instanceof double[] c) {
      sb.append('(').append(pythonFloat(c[0], Double.toString(c[0])));
      sb.append(c[1] < 0 || (c[1] == 0 && 1 / c[1] < 0) ? "" : "+").append(pythonFloat(c[1], Double.toString(c[1]))).append("j)");
    } else if (value instanceof byte[] b) {
      sb.append(PythonRepr.of(new PythonLiteral.Bytes(b)));
    } else if (value instanceof String s) {
      sb.append(PythonRepr.of(s));
    } else if (value instanceof Map<?, ?> m) {
      sb.append('(');
      int i = 0;
      for (Object v : m.values()) {
        if (i++ > 0) {
          sb.append(", ");
        }
        append(sb, v);
      }
      sb.append(m.size() == 1 ? ",)" : ")");
    } else if (value instanceof List<?> list) {
      sb.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          sb.append(' ');
        }
        append(sb, list.get(i));
      }
      sb.append(']');
    } else if (value instanceof java.time.LocalDateTime t) {
      sb.append('\'').append(t).append('\'');
    } else {
      sb.append(value);
    }
  }

  /** Python's float repr: nan, inf, scientific below 1e-4 and from 1e16 on. */
  static String pythonFloat(double d, String javaShortest) {
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
    if (abs >= 1e-4 && abs < 1e16) {
      String plain = exact.toPlainString();
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
