package io.github.sparknpy.npy.dtype;

import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.literal.PythonLiteral;
import io.github.sparknpy.npy.literal.PythonRepr;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a parsed header {@code descr} into a {@link DType}, following numpy's {@code
 * descr_to_dtype}: a typestr, or a list of {@code (name, descr)} / {@code (name, descr, shape)}
 * fields where unnamed void fields are padding and names may be {@code (title, name)} pairs.
 */
final class DescrDecoder {
  private static final int MAX_SUBARRAY_DIMS = 64;

  /**
   * Values an element may hold beyond one per byte. Only zero-size values (S0, U0, V0, empty
   * records) exceed one per byte; numpy allows 2^31-1 of them per sub-array level and levels
   * multiply, so a 200-byte header could make one element 2^62 empty values.
   */
  static final int MAX_VALUES_WITHOUT_BYTES = 1 << 16;

  private DescrDecoder() {}

  static DType decode(Object descr) {
    if (descr instanceof String s) {
      return ScalarDType.parseTypestr(s);
    }
    if (descr instanceof PythonLiteral.Bytes b) {
      return ScalarDType.parseTypestr(new String(b.value(), StandardCharsets.ISO_8859_1));
    }
    if (descr instanceof List<?> list) {
      return decodeRecord(list);
    }
    if (descr instanceof PythonLiteral.Tuple) {
      throw invalid(
          descr,
          "a sub-array dtype cannot describe a whole array; numpy folds sub-array dtypes into the shape when it saves");
    }
    throw invalid(descr, "expected a type string or a list of fields");
  }

  private static RecordDType decodeRecord(List<?> items) {
    List<RecordDType.Field> fields = new ArrayList<>();
    Set<String> used = new HashSet<>();
    long offset = 0;
    for (Object item : items) {
      List<?> parts =
          item instanceof PythonLiteral.Tuple t ? t.items() : item instanceof List<?> l ? l : null;
      if (parts == null || parts.size() < 2 || parts.size() > 3) {
        throw invalid(
            items,
            "field "
                + PythonRepr.of(item)
                + " is not a (name, descr) or (name, descr, shape) tuple");
      }
      Object nameObj = parts.get(0);
      String name;
      String title = null;
      if (nameObj instanceof String s) {
        name = s;
      } else if (nameObj instanceof PythonLiteral.Tuple t
          && t.items().size() == 2
          && t.items().get(1) instanceof String n) {
        name = n;
        title = t.items().get(0) instanceof String ti ? ti : PythonRepr.of(t.items().get(0));
      } else {
        throw invalid(
            items,
            "field name " + PythonRepr.of(nameObj) + " is not a string or a (title, name) pair");
      }
      List<Long> shape = new ArrayList<>();
      List<Integer> levels = new ArrayList<>();
      Object fieldDescr = parts.get(1);
      boolean tupleForm = parts.size() == 3 || fieldDescr instanceof PythonLiteral.Tuple;
      if (parts.size() == 3) {
        addLevel(shape, levels, subarrayShape(items, parts.get(2)));
      }
      // A tuple descr is itself a sub-array, nested inside the outer one: its shape follows the
      // outer
      // shape in memory, and numpy keeps the nesting in the dtype (empty shapes vanish).
      while (fieldDescr instanceof PythonLiteral.Tuple inner && inner.items().size() == 2) {
        addLevel(shape, levels, subarrayShape(items, inner.items().get(1)));
        fieldDescr = inner.items().get(0);
      }
      if (shape.size() > MAX_SUBARRAY_DIMS) {
        throw invalid(
            items,
            "field '" + name + "' has more than " + MAX_SUBARRAY_DIMS + " sub-array dimensions");
      }
      DType dtype = decode(fieldDescr);
      // As numpy's _convert_from_tuple: a sub-array (even of shape ()) of S0, U0 or V0, or a
      // sub-array of a zero-size sub-array, is "invalid itemsize in generic type tuple".
      if (dtype.itemSize() == 0
          && ((tupleForm && dtype instanceof ScalarDType) || levels.size() > 1)) {
        throw invalid(
            items,
            "field '"
                + name
                + "' is a sub-array of the zero-size type "
                + dtype.descr()
                + ", which numpy refuses (invalid itemsize in generic type tuple)");
      }
      long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
      long count = 1;
      for (long d : dims) {
        count = multiply(items, count, d);
      }
      long size = multiply(items, count, dtype.itemSize());
      // As numpy: an unnamed void is padding; any other unnamed field is a real field called ''.
      boolean padding =
          name.isEmpty() && dtype instanceof ScalarDType s && s.kind() == ScalarDType.Kind.VOID;
      if (!padding) {
        String duplicate =
            !used.add(name) ? name : title != null && !used.add(title) ? title : null;
        if (duplicate != null) {
          throw invalid(
              items, "field name or title " + PythonRepr.of(duplicate) + " is used twice");
        }
        fields.add(
            new RecordDType.Field(
                name,
                title,
                dtype,
                dims,
                (int) offset,
                levels.stream().mapToInt(Integer::intValue).toArray()));
      }
      offset += size;
      if (offset > Integer.MAX_VALUE) {
        throw invalid(items, "the record is larger than " + Integer.MAX_VALUE + " bytes");
      }
    }
    RecordDType record = new RecordDType(fields, (int) offset);
    long values = values(record);
    if (values > Math.max(record.itemSize(), MAX_VALUES_WITHOUT_BYTES)) {
      throw invalid(
          items,
          "an element holds "
              + (values == Long.MAX_VALUE ? "more than 2^63" : Long.toString(values))
              + " values in "
              + record.itemSize()
              + " bytes; sub-arrays of zero-size records may hold at most "
              + MAX_VALUES_WITHOUT_BYTES
              + " values without data, because decoding an element builds every one of them");
    }
    return record;
  }

  /**
   * Values in one element of {@code dtype} as decoding builds them (a record, even an empty one, is
   * at least one), saturating at {@link Long#MAX_VALUE}.
   */
  private static long values(DType dtype) {
    if (!(dtype instanceof RecordDType r) || r.fields().isEmpty()) {
      return 1;
    }
    long total = 0;
    for (RecordDType.Field f : r.fields()) {
      long v = values(f.dtype());
      long n = f.count();
      long fieldValues = v != 0 && n > Long.MAX_VALUE / v ? Long.MAX_VALUE : n * v;
      total = fieldValues > Long.MAX_VALUE - total ? Long.MAX_VALUE : total + fieldValues;
    }
    return total;
  }

  private static void addLevel(List<Long> shape, List<Integer> levels, List<Long> level) {
    if (!level.isEmpty()) {
      shape.addAll(level);
      levels.add(level.size());
    }
  }

  private static List<Long> subarrayShape(Object descr, Object shape) {
    List<Long> out = new ArrayList<>();
    if (shape instanceof BigInteger i) {
      out.add(dimension(descr, i));
    } else if (shape instanceof PythonLiteral.Tuple t) {
      for (Object d : t.items()) {
        if (!(d instanceof BigInteger i)) {
          throw invalid(
              descr, "sub-array shape " + PythonRepr.of(shape) + " is not a tuple of ints");
        }
        out.add(dimension(descr, i));
      }
    } else {
      throw invalid(
          descr, "sub-array shape " + PythonRepr.of(shape) + " is not an int or a tuple of ints");
    }
    return out;
  }

  private static long dimension(Object descr, BigInteger d) {
    if (d.signum() < 0 || d.bitLength() > 31) {
      throw invalid(descr, "sub-array dimension " + d + " is negative or too large");
    }
    return d.longValue();
  }

  private static long multiply(Object descr, long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      throw invalid(descr, "the field sizes overflow");
    }
  }

  private static NpyFormatException invalid(Object descr, String why) {
    return new NpyFormatException(
        "descr is not a valid dtype descriptor: " + PythonRepr.of(descr) + ": " + why);
  }
}
