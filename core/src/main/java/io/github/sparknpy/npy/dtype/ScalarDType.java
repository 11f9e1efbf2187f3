package io.github.sparknpy.npy.dtype;

import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyUnsupportedDtypeException;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Objects;

/**
 * A non-record dtype: bool, signed and unsigned ints, floats (including half and long double),
 * complex, fixed-width bytes {@code S}, UTF-32 text {@code U}, raw {@code V}, and {@code M8}/{@code
 * m8} datetimes and timedeltas with a unit. Byte order is normalized as numpy does: {@code |} for
 * single-byte, bytes and void types, {@code <} or {@code >} otherwise.
 */
public final class ScalarDType extends DType {
  /** The numpy kind character of a dtype. */
  public enum Kind {
    BOOL('b'),
    INT('i'),
    UINT('u'),
    FLOAT('f'),
    COMPLEX('c'),
    BYTES('S'),
    UNICODE('U'),
    VOID('V'),
    DATETIME('M'),
    TIMEDELTA('m');

    private final char code;

    Kind(char code) {
      this.code = code;
    }

    /** The kind character numpy writes in a typestr. */
    public char code() {
      return code;
    }

    static Kind fromCode(char c) {
      for (Kind k : values()) {
        if (k.code == c) {
          return k;
        }
      }
      return null;
    }
  }

  /**
   * The byte order numpy writes for this machine: every JVM platform we target is little-endian.
   */
  private static final char NATIVE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? '<' : '>';

  public static final ScalarDType BOOL = new ScalarDType(Kind.BOOL, '|', 1, null, 0);
  public static final ScalarDType INT8 = new ScalarDType(Kind.INT, '|', 1, null, 0);
  public static final ScalarDType INT16 = new ScalarDType(Kind.INT, '<', 2, null, 0);
  public static final ScalarDType INT32 = new ScalarDType(Kind.INT, '<', 4, null, 0);
  public static final ScalarDType INT64 = new ScalarDType(Kind.INT, '<', 8, null, 0);
  public static final ScalarDType UINT8 = new ScalarDType(Kind.UINT, '|', 1, null, 0);
  public static final ScalarDType UINT16 = new ScalarDType(Kind.UINT, '<', 2, null, 0);
  public static final ScalarDType UINT32 = new ScalarDType(Kind.UINT, '<', 4, null, 0);
  public static final ScalarDType UINT64 = new ScalarDType(Kind.UINT, '<', 8, null, 0);
  public static final ScalarDType FLOAT16 = new ScalarDType(Kind.FLOAT, '<', 2, null, 0);
  public static final ScalarDType FLOAT32 = new ScalarDType(Kind.FLOAT, '<', 4, null, 0);
  public static final ScalarDType FLOAT64 = new ScalarDType(Kind.FLOAT, '<', 8, null, 0);
  public static final ScalarDType COMPLEX64 = new ScalarDType(Kind.COMPLEX, '<', 8, null, 0);
  public static final ScalarDType COMPLEX128 = new ScalarDType(Kind.COMPLEX, '<', 16, null, 0);

  private static final Map<String, String> NAMES =
      Map.ofEntries(
          Map.entry("bool", "|b1"),
          Map.entry("bool_", "|b1"),
          Map.entry("int8", "|i1"),
          Map.entry("byte", "|i1"),
          Map.entry("int16", "<i2"),
          Map.entry("short", "<i2"),
          Map.entry("int32", "<i4"),
          Map.entry("intc", "<i4"),
          Map.entry("int64", "<i8"),
          Map.entry("int", "<i8"),
          Map.entry("int_", "<i8"),
          Map.entry("intp", "<i8"),
          Map.entry("long", "<i8"),
          Map.entry("longlong", "<i8"),
          Map.entry("uint8", "|u1"),
          Map.entry("ubyte", "|u1"),
          Map.entry("uint16", "<u2"),
          Map.entry("ushort", "<u2"),
          Map.entry("uint32", "<u4"),
          Map.entry("uintc", "<u4"),
          Map.entry("uint64", "<u8"),
          Map.entry("uint", "<u8"),
          Map.entry("uintp", "<u8"),
          Map.entry("ulong", "<u8"),
          Map.entry("ulonglong", "<u8"),
          Map.entry("float16", "<f2"),
          Map.entry("half", "<f2"),
          Map.entry("float32", "<f4"),
          Map.entry("single", "<f4"),
          Map.entry("float64", "<f8"),
          Map.entry("double", "<f8"),
          Map.entry("float", "<f8"),
          Map.entry("longdouble", "<f16"),
          Map.entry("float128", "<f16"),
          Map.entry("complex64", "<c8"),
          Map.entry("csingle", "<c8"),
          Map.entry("complex128", "<c16"),
          Map.entry("cdouble", "<c16"),
          Map.entry("complex", "<c16"),
          Map.entry("clongdouble", "<c32"),
          Map.entry("complex256", "<c32"),
          Map.entry("bytes", "|S0"),
          Map.entry("bytes_", "|S0"),
          Map.entry("str", "<U0"),
          Map.entry("str_", "<U0"),
          Map.entry("void", "|V0"),
          Map.entry("datetime64", "<M8"),
          Map.entry("timedelta64", "<m8"));

  /** numpy's one-letter type codes (for a 64-bit Linux platform). */
  private static final Map<Character, String> CODES =
      Map.ofEntries(
          Map.entry('?', "b1"),
          Map.entry('b', "i1"),
          Map.entry('B', "u1"),
          Map.entry('h', "i2"),
          Map.entry('H', "u2"),
          Map.entry('i', "i4"),
          Map.entry('I', "u4"),
          Map.entry('l', "i8"),
          Map.entry('L', "u8"),
          Map.entry('q', "i8"),
          Map.entry('Q', "u8"),
          Map.entry('p', "i8"),
          Map.entry('P', "u8"),
          Map.entry('n', "i8"),
          Map.entry('N', "u8"),
          Map.entry('e', "f2"),
          Map.entry('f', "f4"),
          Map.entry('d', "f8"),
          Map.entry('g', "f16"),
          Map.entry('F', "c8"),
          Map.entry('D', "c16"),
          Map.entry('G', "c32"),
          Map.entry('c', "S1"));

  private final Kind kind;
  private final char byteOrder;
  private final int itemSize;
  private final DatetimeUnit unit;
  private final int unitCount;

  private ScalarDType(Kind kind, char byteOrder, int itemSize, DatetimeUnit unit, int unitCount) {
    this.kind = kind;
    this.itemSize = itemSize;
    this.unit = unit;
    this.unitCount = unitCount;
    this.byteOrder = normalizeOrder(kind, itemSize, byteOrder);
  }

  private static char normalizeOrder(Kind kind, int itemSize, char order) {
    if (kind == Kind.BOOL
        || kind == Kind.BYTES
        || kind == Kind.VOID
        || (itemSize <= 1 && kind != Kind.UNICODE)) {
      return '|';
    }
    if (order == '=' || order == '|') {
      return NATIVE;
    }
    return order == '!' ? '>' : order;
  }

  /** Fixed-width bytes {@code |S<n>}. */
  public static ScalarDType bytes(int length) {
    return new ScalarDType(Kind.BYTES, '|', checkWidth(length, 1), null, 0);
  }

  /** Fixed-width UTF-32 text {@code <U<n>} ({@code n} characters, 4 bytes each). */
  public static ScalarDType unicode(int characters) {
    return new ScalarDType(Kind.UNICODE, '<', checkWidth(characters, 4) * 4, null, 0);
  }

  /** Raw bytes {@code |V<n>}. */
  public static ScalarDType voidOf(int length) {
    return new ScalarDType(Kind.VOID, '|', checkWidth(length, 1), null, 0);
  }

  /** {@code <M8[unit]}: a datetime64 counting units since 1970-01-01T00:00. */
  public static ScalarDType datetime(DatetimeUnit unit) {
    return new ScalarDType(Kind.DATETIME, '<', 8, unit, unit == DatetimeUnit.GENERIC ? 0 : 1);
  }

  /** {@code <m8[unit]}: a timedelta64 in units. */
  public static ScalarDType timedelta(DatetimeUnit unit) {
    return new ScalarDType(Kind.TIMEDELTA, '<', 8, unit, unit == DatetimeUnit.GENERIC ? 0 : 1);
  }

  private static int checkWidth(long n, int bytesPerChar) {
    if (n < 0 || n * bytesPerChar > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "Cannot create a dtype of width "
              + n
              + ": must be between 0 and "
              + Integer.MAX_VALUE / bytesPerChar);
    }
    return (int) n;
  }

  public Kind kind() {
    return kind;
  }

  /** {@code '<'}, {@code '>'} or {@code '|'} (byte order does not apply). */
  public char byteOrderChar() {
    return byteOrder;
  }

  /** The Java byte order to read this dtype with; little-endian where it does not apply. */
  public ByteOrder byteOrder() {
    return byteOrder == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
  }

  @Override
  public int itemSize() {
    return itemSize;
  }

  /** The datetime unit of {@code M8}/{@code m8} dtypes, else null. */
  public DatetimeUnit datetimeUnit() {
    return unit;
  }

  /** How many units one step is, e.g. 25 for {@code M8[25s]}; 1 for plain units, 0 if generic. */
  public int datetimeUnitCount() {
    return unitCount;
  }

  /** Characters of a {@code U} dtype, bytes of {@code S} and {@code V}. */
  public int width() {
    return kind == Kind.UNICODE ? itemSize / 4 : itemSize;
  }

  public boolean isNumeric() {
    return kind == Kind.BOOL
        || kind == Kind.INT
        || kind == Kind.UINT
        || kind == Kind.FLOAT
        || kind == Kind.COMPLEX;
  }

  public boolean isDatetimeLike() {
    return kind == Kind.DATETIME || kind == Kind.TIMEDELTA;
  }

  /** numpy's {@code dtype.str}, e.g. {@code <f8}, {@code |S5}, {@code <U3}, {@code <M8[ns]}. */
  public String typestr() {
    StringBuilder sb = new StringBuilder().append(byteOrder).append(kind.code);
    if (isDatetimeLike()) {
      sb.append('8');
      if (unit != DatetimeUnit.GENERIC) {
        sb.append('[');
        if (unitCount != 1) {
          sb.append(unitCount);
        }
        sb.append(unit.symbol()).append(']');
      }
    } else {
      sb.append(width());
    }
    return sb.toString();
  }

  @Override
  Object descrObject() {
    return typestr();
  }

  @Override
  public ScalarDType withByteOrder(ByteOrder order) {
    char c = order == ByteOrder.BIG_ENDIAN ? '>' : '<';
    ScalarDType result = new ScalarDType(kind, c, itemSize, unit, unitCount);
    return result.equals(this) ? this : result;
  }

  static ScalarDType parseTypestr(String typestr) {
    String s = typestr;
    String named = NAMES.get(s);
    if (named == null && s.indexOf('[') > 0) {
      String base = NAMES.get(s.substring(0, s.indexOf('[')));
      if (base != null && base.endsWith("8")) {
        named = base + s.substring(s.indexOf('['));
      }
    }
    if (named != null) {
      s = named;
    }
    if (s.isEmpty()) {
      throw invalid(typestr, "it is empty");
    }
    char order = '=';
    if ("<>|=!".indexOf(s.charAt(0)) >= 0) {
      order = s.charAt(0);
      s = s.substring(1);
    }
    if (s.isEmpty()) {
      throw invalid(typestr, "it has a byte order but no type");
    }
    if (s.charAt(0) == 'O' || s.equals("object") || s.equals("object_")) {
      throw new NpyUnsupportedDtypeException(
          "Cannot use dtype '"
              + typestr
              + "': object arrays hold pickled Python objects, which this library never unpickles."
              + " Save the array with a fixed-width dtype instead (e.g. 'U' for strings, or a numeric dtype).");
    }
    if (s.length() == 1 && CODES.containsKey(s.charAt(0))) {
      s = CODES.get(s.charAt(0));
    }
    Kind kind = Kind.fromCode(s.charAt(0));
    if (kind == null) {
      throw invalid(typestr, "'" + s.charAt(0) + "' is not a numpy type code");
    }
    String rest = s.substring(1);
    if (kind == Kind.DATETIME || kind == Kind.TIMEDELTA) {
      return parseDatetime(typestr, kind, order, rest);
    }
    long size;
    if (rest.isEmpty()) {
      if (kind == Kind.BYTES || kind == Kind.UNICODE || kind == Kind.VOID) {
        size = 0;
      } else if (kind == Kind.BOOL) {
        size = 1;
      } else {
        throw invalid(typestr, "a size is required after '" + kind.code + "'");
      }
    } else {
      size = parseSize(typestr, rest);
    }
    switch (kind) {
      case BOOL:
        if (size != 1) {
          throw invalid(typestr, "bool has size 1");
        }
        return new ScalarDType(kind, order, 1, null, 0);
      case INT:
      case UINT:
        if (size != 1 && size != 2 && size != 4 && size != 8) {
          throw invalid(typestr, "integers have size 1, 2, 4 or 8");
        }
        return new ScalarDType(kind, order, (int) size, null, 0);
      case FLOAT:
        if (size != 2 && size != 4 && size != 8 && size != 16) {
          throw invalid(typestr, "floats have size 2, 4, 8 or 16");
        }
        return new ScalarDType(kind, order, (int) size, null, 0);
      case COMPLEX:
        if (size != 8 && size != 16 && size != 32) {
          throw invalid(typestr, "complex numbers have size 8, 16 or 32");
        }
        return new ScalarDType(kind, order, (int) size, null, 0);
      case UNICODE:
        if (size > Integer.MAX_VALUE / 4) {
          throw invalid(typestr, "the width exceeds " + Integer.MAX_VALUE / 4 + " characters");
        }
        return new ScalarDType(kind, order, (int) size * 4, null, 0);
      default:
        if (size > Integer.MAX_VALUE) {
          throw invalid(typestr, "the width exceeds " + Integer.MAX_VALUE + " bytes");
        }
        return new ScalarDType(kind, order, (int) size, null, 0);
    }
  }

  private static long parseSize(String typestr, String digits) {
    if (digits.length() > 12 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw invalid(typestr, "'" + digits + "' is not a size");
    }
    return Long.parseLong(digits);
  }

  private static ScalarDType parseDatetime(String typestr, Kind kind, char order, String rest) {
    if (rest.startsWith("8")) {
      rest = rest.substring(1);
    }
    if (rest.isEmpty()) {
      return new ScalarDType(kind, order, 8, DatetimeUnit.GENERIC, 0);
    }
    if (!rest.startsWith("[") || !rest.endsWith("]")) {
      throw invalid(typestr, "a datetime unit is written in brackets, e.g. M8[ns]");
    }
    String inner = rest.substring(1, rest.length() - 1);
    int digits = 0;
    while (digits < inner.length() && Character.isDigit(inner.charAt(digits))) {
      digits++;
    }
    int count = 1;
    if (digits > 0) {
      if (digits > 9) {
        throw invalid(typestr, "the unit multiplier is too large");
      }
      count = Integer.parseInt(inner.substring(0, digits));
      if (count == 0) {
        throw invalid(typestr, "the unit multiplier must be positive");
      }
    }
    DatetimeUnit unit = DatetimeUnit.fromSymbol(inner.substring(digits));
    if (unit == null || unit == DatetimeUnit.GENERIC) {
      throw invalid(
          typestr,
          "'"
              + inner.substring(digits)
              + "' is not a datetime unit (Y, M, W, D, h, m, s, ms, us, ns, ps, fs, as)");
    }
    return new ScalarDType(kind, order, 8, unit, count);
  }

  private static NpyFormatException invalid(String typestr, String why) {
    return new NpyFormatException("Cannot parse dtype '" + typestr + "': " + why);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ScalarDType other)) {
      return false;
    }
    return kind == other.kind
        && byteOrder == other.byteOrder
        && itemSize == other.itemSize
        && unit == other.unit
        && unitCount == other.unitCount;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, byteOrder, itemSize, unit, unitCount);
  }
}
