package io.github.sparknpy.npy.dtype;

import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyUnsupportedDtypeException;
import io.github.sparknpy.npy.literal.PythonLiteral;
import io.github.sparknpy.npy.literal.PythonRepr;
import java.nio.ByteOrder;

/**
 * A numpy dtype as a {@code .npy} header describes it: a {@link ScalarDType} (numbers, strings,
 * datetimes, raw bytes) or a {@link RecordDType} (named fields with offsets, nested records and
 * sub-arrays). Immutable values with numpy's equality: same kind, size, byte order and layout.
 */
public abstract sealed class DType permits ScalarDType, RecordDType {
  DType() {}

  /** Bytes per element. */
  public abstract int itemSize();

  /**
   * The header's {@code descr} value as numpy's {@code dtype_to_descr} gives it: a typestr such as
   * {@code "<f8"} for scalars, a list of field tuples for records.
   */
  abstract Object descrObject();

  /** The {@code descr} as it appears in a header, e.g. {@code '<f8'} or {@code [('a', '<i4')]}. */
  public String descr() {
    return PythonRepr.of(descrObject());
  }

  /**
   * The {@code descr} as plain Java values, as {@code json.dumps(dtype.descr)} gives it: a {@link
   * String} typestr, or for records a {@link java.util.List} of {@code [name, descr]} / {@code
   * [name, descr, shape]} lists (titles as {@code [title, name]}, shapes as lists of {@link Long}).
   */
  public Object descrAsJsonValue() {
    return plain(descrObject());
  }

  private static Object plain(Object value) {
    java.util.List<?> items =
        value instanceof PythonLiteral.Tuple t
            ? t.items()
            : value instanceof java.util.List<?> l ? l : null;
    if (items == null) {
      return value;
    }
    java.util.List<Object> out = new java.util.ArrayList<>(items.size());
    for (Object item : items) {
      out.add(plain(item));
    }
    return out;
  }

  /**
   * The byte order to give a buffer of elements of this dtype: a scalar's own ({@link
   * ScalarDType#byteOrder()}), little-endian for records, whose fields carry their own order.
   */
  public ByteOrder bufferOrder() {
    return this instanceof ScalarDType s ? s.byteOrder() : ByteOrder.LITTLE_ENDIAN;
  }

  /** This dtype with every multi-byte part in {@code order}; single-byte parts stay {@code |}. */
  public abstract DType withByteOrder(ByteOrder order);

  /** True if the two dtypes hold the same values and differ at most in byte order. */
  public boolean isEquivalent(DType other) {
    return withByteOrder(ByteOrder.LITTLE_ENDIAN)
        .equals(other.withByteOrder(ByteOrder.LITTLE_ENDIAN));
  }

  /**
   * Parses a header {@code descr} written as a Python literal, e.g. {@code "'<f8'"} or {@code
   * "[('x', '<i4'), ('y', '<f4', (2,))]"}.
   *
   * @throws NpyFormatException if it is not a dtype numpy would build from that descr
   * @throws NpyUnsupportedDtypeException for object dtypes
   */
  public static DType parse(String descrLiteral) {
    Object value;
    try {
      value = PythonLiteral.parse(descrLiteral, false);
    } catch (PythonLiteral.SyntaxException e) {
      String shown =
          descrLiteral.length() <= 300
              ? descrLiteral
              : descrLiteral.substring(0, 300) + "... (" + descrLiteral.length() + " characters)";
      throw new NpyFormatException("Cannot parse dtype descr " + shown + ": " + e.getMessage(), e);
    }
    return DescrDecoder.decode(value);
  }

  /**
   * The dtype a header's {@code descr} value (already parsed from its Python literal) describes.
   *
   * @throws NpyFormatException if it is not a dtype numpy would build from that descr
   * @throws NpyUnsupportedDtypeException for object dtypes
   */
  public static DType fromDescrValue(Object descr) {
    return DescrDecoder.decode(descr);
  }

  /**
   * A scalar dtype from a numpy type string such as {@code "<f8"}, {@code "i4"}, {@code "|S10"},
   * {@code "<U5"}, {@code "<M8[ns]"} or a name such as {@code "float32"}.
   */
  public static ScalarDType of(String typestr) {
    return ScalarDType.parseTypestr(typestr);
  }

  @Override
  public String toString() {
    return descr();
  }
}
