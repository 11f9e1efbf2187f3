package io.github.sparknpy.npy.header;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyUnsupportedDtypeException;
import io.github.sparknpy.npy.literal.PythonLiteral;
import io.github.sparknpy.npy.literal.PythonRepr;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The header dictionary of a {@code .npy} file, decoded and validated as numpy's {@code
 * read_array_header} does: text in the version's charset, a Python literal that is a dict with
 * exactly the keys {@code descr}, {@code fortran_order} and {@code shape}, a tuple of non-negative
 * ints as shape (at most numpy's {@link NpyHeader#MAX_DIMS} of them), a bool as {@code
 * fortran_order} and a descr numpy would build a dtype from. Every refusal is a {@link
 * NpyFormatException} (or {@link NpyUnsupportedDtypeException}) naming the file.
 */
final class HeaderDict {
  private static final Set<String> EXPECTED_KEYS = Set.of("descr", "fortran_order", "shape");

  private HeaderDict() {}

  /** Parses the header text (after the length field) of a file in {@code version}. */
  static NpyHeader parse(byte[] text, NpyVersion version, String location) {
    String s;
    try {
      s =
          NpyHeader.charset(version)
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(text))
              .toString();
    } catch (CharacterCodingException e) {
      throw invalid(
          e,
          location,
          "its version %s header is not valid %s",
          version,
          NpyHeader.charset(version));
    }
    Object value;
    try {
      value = PythonLiteral.parse(s, version != NpyVersion.V3_0);
    } catch (PythonLiteral.SyntaxException e) {
      throw invalid(e, location, "cannot parse header %s: %s", abbreviate(s), e.getMessage());
    }
    if (!(value instanceof Map<?, ?> dict)) {
      throw invalid(null, location, "header is not a dictionary: %s", abbreviate(s));
    }
    if (!dict.keySet().equals(EXPECTED_KEYS)) {
      throw invalid(
          null,
          location,
          "header does not contain exactly the keys 'descr', 'fortran_order' and 'shape': %s",
          abbreviate(PythonRepr.of(List.copyOf(dict.keySet()))));
    }
    long[] shape = shape(dict.get("shape"), location);
    if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
      throw invalid(
          null,
          location,
          "fortran_order is not a valid bool: %s",
          abbreviate(PythonRepr.of(dict.get("fortran_order"))));
    }
    DType dtype;
    try {
      dtype = DType.fromDescrValue(dict.get("descr"));
    } catch (NpyUnsupportedDtypeException e) {
      throw new NpyUnsupportedDtypeException(
          "Cannot read %s: %s".formatted(location, e.getMessage()));
    } catch (NpyFormatException e) {
      throw invalid(e, location, "%s", e.getMessage());
    }
    try {
      return NpyHeader.of(dtype, fortran, shape);
    } catch (IllegalArgumentException e) {
      throw invalid(e, location, "%s", e.getMessage());
    }
  }

  /** The {@code shape} value: a tuple of at most MAX_DIMS ints (or bools) in [0, 2^63). */
  private static long[] shape(Object shapeObj, String location) {
    if (!(shapeObj instanceof PythonLiteral.Tuple shapeTuple)) {
      throw invalid(null, location, "shape is not valid: %s", abbreviate(PythonRepr.of(shapeObj)));
    }
    if (shapeTuple.items().size() > NpyHeader.MAX_DIMS) {
      throw invalid(
          null,
          location,
          "shape has %s dimensions, more than numpy's %s",
          shapeTuple.items().size(),
          NpyHeader.MAX_DIMS);
    }
    long[] shape = new long[shapeTuple.items().size()];
    for (int i = 0; i < shape.length; i++) {
      Object d = shapeTuple.items().get(i);
      BigInteger dim =
          d instanceof Boolean b
              ? (b ? BigInteger.ONE : BigInteger.ZERO)
              : d instanceof BigInteger bi ? bi : null;
      if (dim == null) {
        throw invalid(
            null, location, "shape is not valid: %s", abbreviate(PythonRepr.of(shapeObj)));
      }
      if (dim.signum() < 0 || dim.bitLength() > 63) {
        throw invalid(
            null,
            location,
            "shape %s has a negative or too large dimension",
            abbreviate(PythonRepr.of(shapeObj)));
      }
      shape[i] = dim.longValue();
    }
    return shape;
  }

  /** "Cannot read LOCATION: " followed by the formatted reason (for the whole header package). */
  static NpyFormatException invalid(
      Throwable cause, String location, String reason, Object... args) {
    String message = "Cannot read " + location + ": " + reason.formatted(args);
    return cause == null ? new NpyFormatException(message) : new NpyFormatException(message, cause);
  }

  private static String abbreviate(String s) {
    String t = s.strip();
    return t.length() <= 300 ? t : t.substring(0, 300) + "... (" + t.length() + " characters)";
  }
}
