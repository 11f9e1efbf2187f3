package io.github.sparknpy.npy.header;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.error.NpyNotAppendableException;
import io.github.sparknpy.npy.literal.PythonLiteral;
import io.github.sparknpy.npy.literal.PythonRepr;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a {@code .npy} header says: dtype, memory order and shape. Encodes itself byte for byte as
 * numpy 2's {@code np.save} does: sorted keys, {@code repr} values, spare space for the growth axis
 * to reach {@value #GROWTH_AXIS_MAX_DIGITS} digits, and 64-byte alignment of the data.
 *
 * <p>The growth axis is the axis an appendable file grows on: 0 in C order, the last axis in
 * Fortran order. Its entries ("rows" in this library) are contiguous in the file.
 */
public final class NpyHeader {
  /** numpy's {@code GROWTH_AXIS_MAX_DIGITS}: room left in the header for the growth axis length. */
  public static final int GROWTH_AXIS_MAX_DIGITS = 21;

  /** numpy's {@code ARRAY_ALIGN}: the data starts at a multiple of this many bytes. */
  public static final int ARRAY_ALIGN = 64;

  /** numpy's {@code NPY_MAXDIMS}. */
  public static final int MAX_DIMS = 64;

  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  private final DType dtype;
  private final boolean fortranOrder;
  private final long[] shape;
  private final long elementCount;
  private final long dataBytes;

  private NpyHeader(DType dtype, boolean fortranOrder, long[] shape) {
    this.dtype = Objects.requireNonNull(dtype, "dtype");
    this.fortranOrder = fortranOrder;
    this.shape = shape.clone();
    if (shape.length > MAX_DIMS) {
      throw new IllegalArgumentException(
          "Cannot describe an array of "
              + shape.length
              + " dimensions: numpy allows at most "
              + MAX_DIMS);
    }
    long count = 1;
    long overflowCheck = dtype.itemSize();
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(
            "Cannot describe shape " + shapeRepr(shape) + ": dimensions must not be negative");
      }
      count *= d;
      if (d != 0) {
        // Like numpy, reject shapes whose byte size overflows even when another axis is empty.
        try {
          overflowCheck = Math.multiplyExact(Math.max(overflowCheck, 1), d);
        } catch (ArithmeticException e) {
          throw new IllegalArgumentException(
              "Cannot describe shape "
                  + shapeRepr(shape)
                  + " of "
                  + dtype.descr()
                  + ": its size in bytes overflows a 64-bit integer");
        }
      }
    }
    this.elementCount = count;
    this.dataBytes = count * dtype.itemSize();
  }

  /**
   * A header for an array of {@code dtype} and {@code shape} in C ({@code fortranOrder = false}) or
   * Fortran order.
   *
   * @throws IllegalArgumentException if a dimension is negative or the byte size overflows
   */
  public static NpyHeader of(DType dtype, boolean fortranOrder, long... shape) {
    return new NpyHeader(dtype, fortranOrder, shape);
  }

  public DType dtype() {
    return dtype;
  }

  public boolean fortranOrder() {
    return fortranOrder;
  }

  public long[] shape() {
    return shape.clone();
  }

  public int ndim() {
    return shape.length;
  }

  public long dim(int axis) {
    return shape[axis];
  }

  /** The number of elements, the product of the shape. */
  public long elementCount() {
    return elementCount;
  }

  /** Bytes of the data section: element count times item size. */
  public long dataBytes() {
    return dataBytes;
  }

  /** 0 in C order, the last axis in Fortran order, -1 for a 0-d array (which cannot grow). */
  public int growthAxis() {
    if (shape.length == 0) {
      return -1;
    }
    return fortranOrder ? shape.length - 1 : 0;
  }

  /** Number of rows along the growth axis; a 0-d array counts as one row. */
  public long rowCount() {
    return shape.length == 0 ? 1 : shape[growthAxis()];
  }

  /** Bytes of one row along the growth axis: item size times every other dimension. */
  public long rowBytes() {
    long n = dtype.itemSize();
    for (int i = 0; i < shape.length; i++) {
      if (i != growthAxis()) {
        n *= shape[i];
      }
    }
    return n;
  }

  /** The shape of one row: every axis but the growth axis. */
  public long[] rowShape() {
    if (shape.length == 0) {
      return new long[0];
    }
    long[] out = new long[shape.length - 1];
    int g = growthAxis();
    for (int i = 0, j = 0; i < shape.length; i++) {
      if (i != g) {
        out[j++] = shape[i];
      }
    }
    return out;
  }

  /** This header with the growth axis set to {@code rows}. */
  public NpyHeader withRowCount(long rows) {
    if (shape.length == 0) {
      throw new NpyNotAppendableException(
          "Cannot change the length of a 0-d array: it has no growth axis");
    }
    long[] s = shape.clone();
    s[growthAxis()] = rows;
    return new NpyHeader(dtype, fortranOrder, s);
  }

  /** The header dictionary exactly as numpy writes it, without spare space or padding. */
  public String dictText() {
    return "{'descr': "
        + dtype.descr()
        + ", 'fortran_order': "
        + (fortranOrder ? "True" : "False")
        + ", 'shape': "
        + shapeRepr(shape)
        + ", }";
  }

  private String textWithSpare() {
    String text = dictText();
    if (shape.length == 0) {
      return text;
    }
    int digits = Long.toString(shape[growthAxis()]).length();
    return text + " ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - digits));
  }

  /** The oldest format version that can hold this header, as numpy chooses it. */
  public NpyVersion naturalVersion() {
    String text = textWithSpare();
    if (!isLatin1(text)) {
      return NpyVersion.V3_0;
    }
    return alignedLength(NpyVersion.V1_0, text.length()) - NpyVersion.V1_0.prefixLength()
            <= NpyVersion.V1_0.maxHeaderTextLength()
        ? NpyVersion.V1_0
        : NpyVersion.V2_0;
  }

  /** The header bytes {@code np.save} writes for this array: the data starts right after them. */
  public byte[] encode() {
    NpyVersion version = naturalVersion();
    byte[] text = textWithSpare().getBytes(charset(version));
    return frame(version, text, alignedLength(version, text.length));
  }

  /**
   * The header in {@code version}, padded with spaces to exactly {@code totalLength} bytes, for
   * rewriting a header in place without moving the data.
   *
   * @throws NpyNotAppendableException if it does not fit in {@code totalLength} bytes
   */
  public byte[] encode(NpyVersion version, long totalLength) {
    String textString = dictText();
    if (version != NpyVersion.V3_0 && !isLatin1(textString)) {
      throw new NpyNotAppendableException(
          "Cannot write header "
              + textString
              + " in format "
              + version
              + ": it needs format 3.0 (UTF-8 field names)");
    }
    byte[] text = textString.getBytes(charset(version));
    long minimum = version.prefixLength() + text.length + 1L;
    if (totalLength < minimum) {
      throw new NpyNotAppendableException(
          "Cannot fit header "
              + textString
              + " into "
              + totalLength
              + " bytes: it needs "
              + minimum);
    }
    if (totalLength - version.prefixLength() > version.maxHeaderTextLength()
        || totalLength > Integer.MAX_VALUE - 8) {
      throw new NpyNotAppendableException(
          "Cannot write a header of "
              + totalLength
              + " bytes in format "
              + version
              + ": the most is "
              + Math.min(
                  version.prefixLength() + version.maxHeaderTextLength(), Integer.MAX_VALUE - 8));
    }
    return frame(version, text, (int) totalLength);
  }

  /** Bytes {@link #encode(NpyVersion, long)} needs at least so any row count fits later. */
  public long appendableLength(NpyVersion version) {
    // The spare space keeps the text length constant for growth-axis lengths up to 21 digits.
    return version.prefixLength() + (long) textWithSpare().getBytes(charset(version)).length + 1;
  }

  private static byte[] frame(NpyVersion version, byte[] text, int total) {
    byte[] out = new byte[total];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    out[6] = (byte) version.major();
    out[7] = 0;
    long headerLength = total - version.prefixLength();
    for (int i = 0; i < version.lengthFieldBytes(); i++) {
      out[8 + i] = (byte) (headerLength >>> (8 * i));
    }
    int p = version.prefixLength();
    System.arraycopy(text, 0, out, p, text.length);
    Arrays.fill(out, p + text.length, total - 1, (byte) ' ');
    out[total - 1] = '\n';
    return out;
  }

  /** numpy's _wrap_header: text, then 1 to 64 spaces and a newline up to a multiple of 64. */
  private static int alignedLength(NpyVersion version, int textBytes) {
    int hlen = textBytes + 1;
    int padlen = ARRAY_ALIGN - ((version.prefixLength() + hlen) % ARRAY_ALIGN);
    return version.prefixLength() + hlen + padlen;
  }

  static java.nio.charset.Charset charset(NpyVersion version) {
    return version == NpyVersion.V3_0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
  }

  private static boolean isLatin1(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0xff) {
        return false;
      }
    }
    return true;
  }

  public static String shapeRepr(long[] shape) {
    List<Object> dims = new ArrayList<>(shape.length);
    for (long d : shape) {
      dims.add(d);
    }
    return PythonRepr.of(new PythonLiteral.Tuple(dims));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NpyHeader h
        && fortranOrder == h.fortranOrder
        && dtype.equals(h.dtype)
        && Arrays.equals(shape, h.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, fortranOrder, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return dictText();
  }
}
