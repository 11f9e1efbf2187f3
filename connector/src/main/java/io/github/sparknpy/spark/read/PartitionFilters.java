package io.github.sparknpy.spark.read;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.connector.expressions.Expression;
import org.apache.spark.sql.connector.expressions.Literal;
import org.apache.spark.sql.connector.expressions.NamedReference;
import org.apache.spark.sql.connector.expressions.filter.Predicate;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Predicates on partition columns, evaluated against a file's partition values on the driver so
 * that files of partitions no row can come from are never opened. Conservative: whatever it does
 * not understand (casts, functions, types that differ) keeps the file, and Spark evaluates every
 * such predicate again on the rows read.
 */
final class PartitionFilters {
  private PartitionFilters() {}

  /** Three-valued SQL logic, plus "cannot tell" for what is not understood here. */
  private enum Truth {
    TRUE,
    FALSE,
    NULL,
    UNKNOWN
  }

  /** Marks a value this class cannot compute. */
  private static final Object CANNOT = new Object();

  /**
   * Whether {@code p} names only partition columns (at least one), so that a file's partition
   * values decide it.
   */
  static boolean onlyPartitionColumns(Predicate p, Map<String, Integer> partitionColumns) {
    int[] refs = {0};
    return onlyPartitionColumns(p, partitionColumns, refs) && refs[0] > 0;
  }

  private static boolean onlyPartitionColumns(
      Expression e, Map<String, Integer> partitionColumns, int[] refs) {
    if (e instanceof NamedReference ref) {
      refs[0]++;
      return ref.fieldNames().length == 1 && partitionColumns.containsKey(ref.fieldNames()[0]);
    }
    for (Expression child : e.children()) {
      if (!onlyPartitionColumns(child, partitionColumns, refs)) {
        return false;
      }
    }
    return true;
  }

  /**
   * False when {@code p} is false or null for a file with partition {@code values}: no row of the
   * file can pass it. True otherwise, and whenever this class cannot tell.
   */
  static boolean mayMatch(Predicate p, List<Object> values, Map<String, Integer> partitionColumns) {
    Truth t = truth(p, values, partitionColumns);
    return t != Truth.FALSE && t != Truth.NULL;
  }

  private static Truth truth(Expression e, List<Object> values, Map<String, Integer> columns) {
    if (!(e instanceof Predicate p)) {
      Object v = value(e, values, columns);
      if (v == CANNOT) {
        return Truth.UNKNOWN;
      }
      return v == null ? Truth.NULL : v instanceof Boolean b ? of(b) : Truth.UNKNOWN;
    }
    Expression[] args = p.children();
    switch (p.name()) {
      case "ALWAYS_TRUE":
        return Truth.TRUE;
      case "ALWAYS_FALSE":
        return Truth.FALSE;
      case "AND":
        {
          Truth a = truth(args[0], values, columns);
          Truth b = truth(args[1], values, columns);
          if (a == Truth.FALSE || b == Truth.FALSE) {
            return Truth.FALSE;
          }
          if (a == Truth.UNKNOWN || b == Truth.UNKNOWN) {
            return Truth.UNKNOWN;
          }
          return a == Truth.NULL || b == Truth.NULL ? Truth.NULL : Truth.TRUE;
        }
      case "OR":
        {
          Truth a = truth(args[0], values, columns);
          Truth b = truth(args[1], values, columns);
          if (a == Truth.TRUE || b == Truth.TRUE) {
            return Truth.TRUE;
          }
          if (a == Truth.UNKNOWN || b == Truth.UNKNOWN) {
            return Truth.UNKNOWN;
          }
          return a == Truth.NULL || b == Truth.NULL ? Truth.NULL : Truth.FALSE;
        }
      case "NOT":
        {
          Truth a = truth(args[0], values, columns);
          return a == Truth.TRUE ? Truth.FALSE : a == Truth.FALSE ? Truth.TRUE : a;
        }
      case "IS_NULL":
      case "IS_NOT_NULL":
        {
          Object v = value(args[0], values, columns);
          if (v == CANNOT) {
            return Truth.UNKNOWN;
          }
          return of((v == null) == p.name().equals("IS_NULL"));
        }
      case "IN":
        return in(args, values, columns);
      case "=":
      case "<>":
      case "<=>":
      case "<":
      case "<=":
      case ">":
      case ">=":
        return compare(p.name(), args, values, columns);
      case "STARTS_WITH":
      case "ENDS_WITH":
      case "CONTAINS":
        {
          Object a = value(args[0], values, columns);
          Object b = value(args[1], values, columns);
          if (a == CANNOT || b == CANNOT) {
            return Truth.UNKNOWN;
          }
          if (a == null || b == null) {
            return Truth.NULL;
          }
          if (!(a instanceof String s) || !(b instanceof String t)) {
            return Truth.UNKNOWN;
          }
          return of(
              p.name().equals("STARTS_WITH")
                  ? s.startsWith(t)
                  : p.name().equals("ENDS_WITH") ? s.endsWith(t) : s.contains(t));
        }
      default:
        return Truth.UNKNOWN;
    }
  }

  private static Truth in(Expression[] args, List<Object> values, Map<String, Integer> columns) {
    Object v = value(args[0], values, columns);
    if (v == CANNOT) {
      return Truth.UNKNOWN;
    }
    if (v == null) {
      return Truth.NULL;
    }
    boolean sawNull = false;
    for (int i = 1; i < args.length; i++) {
      Object o = value(args[i], values, columns);
      if (o == CANNOT) {
        return Truth.UNKNOWN;
      }
      if (o == null) {
        sawNull = true;
        continue;
      }
      Integer c = cmp(v, o);
      if (c == null) {
        return Truth.UNKNOWN;
      }
      if (c == 0) {
        return Truth.TRUE;
      }
    }
    return sawNull ? Truth.NULL : Truth.FALSE;
  }

  private static Truth compare(
      String op, Expression[] args, List<Object> values, Map<String, Integer> columns) {
    Object a = value(args[0], values, columns);
    Object b = value(args[1], values, columns);
    if (a == CANNOT || b == CANNOT) {
      return Truth.UNKNOWN;
    }
    if (op.equals("<=>")) {
      if (a == null || b == null) {
        return of(a == null && b == null);
      }
    } else if (a == null || b == null) {
      return Truth.NULL;
    }
    Integer c = cmp(a, b);
    if (c == null) {
      return Truth.UNKNOWN;
    }
    return of(
        switch (op) {
          case "=", "<=>" -> c == 0;
          case "<>" -> c != 0;
          case "<" -> c < 0;
          case "<=" -> c <= 0;
          case ">" -> c > 0;
          default -> c >= 0;
        });
  }

  /** Spark's ordering of two values of one type; null when their types differ. */
  private static Integer cmp(Object a, Object b) {
    if (a.getClass() != b.getClass()) {
      return null;
    }
    if (a instanceof Double x) {
      double y = (Double) b;
      if (Double.isNaN(x) || Double.isNaN(y)) {
        return Double.isNaN(x) ? (Double.isNaN(y) ? 0 : 1) : -1;
      }
      return x == y ? 0 : x < y ? -1 : 1; // -0.0 equals 0.0, as in Spark
    }
    if (a instanceof String x) {
      return Integer.signum(UTF8String.fromString(x).compareTo(UTF8String.fromString((String) b)));
    }
    if (a instanceof BigDecimal x) {
      return x.compareTo((BigDecimal) b);
    }
    if (a instanceof Integer x) {
      return Integer.compare(x, (Integer) b);
    }
    if (a instanceof Long x) {
      return Long.compare(x, (Long) b);
    }
    if (a instanceof Boolean x) {
      return Boolean.compare(x, (Boolean) b);
    }
    return null;
  }

  /**
   * A partition value or literal as this class compares it: {@code Integer} (int, date), {@code
   * Long} (long, timestamps), {@code Double}, {@code BigDecimal}, {@code String}, {@code Boolean}
   * or null; {@link #CANNOT} for anything else.
   */
  private static Object value(Expression e, List<Object> values, Map<String, Integer> columns) {
    if (e instanceof NamedReference ref) {
      Integer i = ref.fieldNames().length == 1 ? columns.get(ref.fieldNames()[0]) : null;
      return i == null || i >= values.size() ? CANNOT : values.get(i);
    }
    if (e instanceof Literal<?> lit) {
      Object v = lit.value();
      if (v == null
          || v instanceof Integer
          || v instanceof Long
          || v instanceof Double
          || v instanceof Boolean) {
        return v;
      }
      if (v instanceof UTF8String s) {
        return s.toString();
      }
      if (v instanceof Decimal d) {
        return d.toJavaBigDecimal();
      }
      return CANNOT;
    }
    return CANNOT;
  }

  private static Truth of(boolean b) {
    return b ? Truth.TRUE : Truth.FALSE;
  }
}
