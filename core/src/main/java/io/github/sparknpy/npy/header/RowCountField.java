package io.github.sparknpy.npy.header;

import io.github.sparknpy.npy.error.NpyNotAppendableException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where the growth axis's length sits in an appendable header, so that an append rewrites only
 * those few bytes instead of encoding and writing the whole header. In an appendable header the
 * growth-axis digits are followed by the rest of the shape tuple, {@code "}"} and the spare spaces,
 * so the text after the digits is the same for every row count: a new count is its digits, that
 * fixed tail, and spaces up to where the longest count (21 digits) would end. The bytes produced
 * are exactly those of {@code header.withRowCount(rows).encode(version, dataOffset)} at {@link
 * #offset()}.
 */
public final class RowCountField {
  private final int offset;
  private final byte[] tail;
  private final byte[] field;

  private RowCountField(int offset, byte[] tail) {
    this.offset = offset;
    this.tail = tail;
    this.field = new byte[NpyHeader.GROWTH_AXIS_MAX_DIGITS + tail.length];
  }

  /**
   * The field of {@code header} encoded in {@code version} and padded to {@code dataOffset} bytes.
   *
   * @throws NpyNotAppendableException if such a header cannot hold every row count (it is not
   *     appendable)
   */
  public static RowCountField of(NpyHeader header, NpyVersion version, long dataOffset) {
    byte[] probe = header.withRowCount(0).encode(version, dataOffset);
    byte[] key = "'shape': (".getBytes(StandardCharsets.ISO_8859_1);
    int shapeStart = lastIndexOf(probe, key);
    if (shapeStart < 0) {
      throw new IllegalStateException("No shape in header " + header.dictText());
    }
    // The shape tuple is numpy's repr: the axes before the growth axis, each followed by ", ".
    int digits = shapeStart + key.length;
    for (int axis = 0; axis < header.growthAxis(); axis++) {
      digits += Long.toString(header.dim(axis)).length() + 2;
    }
    int close = lastIndexOf(probe, new byte[] {'}'});
    if (probe[digits] != '0' || close < digits) {
      throw new IllegalStateException("No growth-axis field in header " + header.dictText());
    }
    byte[] tail = Arrays.copyOfRange(probe, digits + 1, close + 1);
    if (digits + NpyHeader.GROWTH_AXIS_MAX_DIGITS + tail.length > probe.length - 1) {
      throw new NpyNotAppendableException(
          "Cannot rewrite the row count of header %s in place: %s bytes leave no room for %s digits"
              .formatted(header.dictText(), dataOffset, NpyHeader.GROWTH_AXIS_MAX_DIGITS));
    }
    return new RowCountField(digits, tail);
  }

  /** Where the field starts in the header. */
  public int offset() {
    return offset;
  }

  /**
   * The field's bytes for {@code rows}: digits, the fixed tail, spaces. The array is reused by the
   * next call.
   */
  public byte[] encode(long rows) {
    int p = writeDigits(rows, field);
    System.arraycopy(tail, 0, field, p, tail.length);
    Arrays.fill(field, p + tail.length, field.length, (byte) ' ');
    return field;
  }

  /** True if the counts have as many digits, so only the digits differ between their fields. */
  public static boolean sameWidth(long a, long b) {
    return digitCount(a) == digitCount(b);
  }

  /** The number of decimal digits of a row count. */
  public static int digitCount(long rows) {
    int n = 1;
    for (long v = rows; v >= 10; v /= 10) {
      n++;
    }
    return n;
  }

  private static int writeDigits(long rows, byte[] out) {
    if (rows < 0) {
      throw new IllegalArgumentException("Negative row count: " + rows);
    }
    int n = digitCount(rows);
    long v = rows;
    for (int i = n - 1; i >= 0; i--) {
      out[i] = (byte) ('0' + (v % 10));
      v /= 10;
    }
    return n;
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static int lastIndexOf(byte[] haystack, byte[] needle) {
    for (int i = haystack.length - needle.length; i >= 0; i--) {
      if (indexOf(haystack, needle, i) == i) {
        return i;
      }
    }
    return -1;
  }
}
