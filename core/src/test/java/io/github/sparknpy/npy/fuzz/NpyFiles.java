package io.github.sparknpy.npy.fuzz;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.error.NpyNotAppendableException;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.header.NpyVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random valid {@code .npy} files: a random dtype ({@link Descrs}), C or Fortran order, 0 to 8
 * dimensions (mostly small, sometimes empty), format 1.0, 2.0 or 3.0, and random data bytes. The
 * header is either encoded exactly as {@code np.save} does or written in another form numpy also
 * reads (any key order, other spacing, no trailing comma, Python 2 {@code L} ints, other descr
 * spellings).
 */
final class NpyFiles {
  /** Data sections are kept this small so that many files can be read quickly. */
  private static final long MAX_DATA_BYTES = 16 << 10;

  /** A generated file: its bytes, where the header text is, and the header it must read as. */
  record Generated(byte[] bytes, int textStart, int textEnd, NpyHeader header, String descr) {}

  private NpyFiles() {}

  static Generated valid(SplittableRandom r) {
    return valid(r, true);
  }

  /** A valid file; without {@code withData}, only the header and a few bytes of data. */
  static Generated valid(SplittableRandom r, boolean withData) {
    String descr = Descrs.any(r);
    DType dtype = DType.parse(descr);
    boolean fortran = r.nextBoolean();
    long[] shape = shape(r, dtype.itemSize());
    NpyHeader header = NpyHeader.of(dtype, fortran, shape);
    byte[] head;
    switch (r.nextInt(3)) {
      case 0:
        head = header.encode();
        break;
      case 1:
        head = inVersion(r, header);
        break;
      default:
        head = otherForm(r, descr, fortran, shape);
    }
    long dataBytes = withData ? header.dataBytes() : Math.min(header.dataBytes(), 64);
    byte[] file = new byte[(int) (head.length + dataBytes)];
    System.arraycopy(head, 0, file, 0, head.length);
    byte[] data = new byte[(int) dataBytes];
    r.nextBytes(data);
    System.arraycopy(data, 0, file, head.length, data.length);
    int textStart = head[6] == 1 ? 10 : 12;
    return new Generated(file, textStart, head.length, header, descr);
  }

  private static long[] shape(SplittableRandom r, int itemSize) {
    int roll = r.nextInt(20);
    int ndim = roll < 2 ? 0 : roll < 17 ? r.nextInt(1, 4) : r.nextInt(4, 9);
    long[] shape = new long[ndim];
    for (int i = 0; i < ndim; i++) {
      int kind = r.nextInt(20);
      shape[i] = kind == 0 ? 0 : kind == 1 ? r.nextInt(50, 400) : r.nextInt(1, 7);
    }
    // Shrink until the data fits the budget; an item larger than the budget gets an empty axis.
    while (bytes(shape, itemSize) > MAX_DATA_BYTES) {
      if (ndim == 0) {
        return new long[] {0};
      }
      int largest = 0;
      for (int i = 1; i < ndim; i++) {
        largest = shape[i] > shape[largest] ? i : largest;
      }
      shape[largest] = shape[largest] <= 1 ? 0 : shape[largest] / 2;
    }
    return shape;
  }

  private static long bytes(long[] shape, int itemSize) {
    long n = itemSize;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** numpy's layout in a chosen version: text, spaces and a newline up to a multiple of 64. */
  private static byte[] inVersion(SplittableRandom r, NpyHeader header) {
    NpyVersion version = NpyVersion.values()[r.nextInt(3)];
    int extra = 64 * r.nextInt(3);
    try {
      return header.encode(version, aligned(header, version, extra));
    } catch (NpyNotAppendableException e) {
      // Non-latin-1 field names need format 3.0.
      return header.encode(NpyVersion.V3_0, aligned(header, NpyVersion.V3_0, extra));
    }
  }

  private static long aligned(NpyHeader header, NpyVersion version, int extra) {
    int text = header.dictText().getBytes(StandardCharsets.UTF_8).length + 1;
    return (version.prefixLength() + text + 63) / 64 * 64 + extra;
  }

  /** The header in another form numpy's literal_eval also accepts. */
  private static byte[] otherForm(SplittableRandom r, String descr, boolean fortran, long[] shape) {
    boolean latin1 = descr.chars().allMatch(c -> c <= 0xff);
    int major = !latin1 || r.nextInt(6) == 0 ? 3 : r.nextInt(4) == 0 ? 2 : 1;
    String suffix = major < 3 && r.nextInt(5) == 0 ? "L" : "";
    StringBuilder dims = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      dims.append(i > 0 ? ", " : "").append(shape[i]).append(suffix);
    }
    dims.append(shape.length == 1 ? ",)" : ")");
    String sep = r.nextBoolean() ? ", " : r.nextBoolean() ? "," : " ,\n  ";
    List<String> items =
        new ArrayList<>(
            List.of(
                "'descr': " + descr,
                "\"fortran_order\""
                    + (r.nextBoolean() ? ": " : " :")
                    + (fortran ? "True" : "False"),
                "'shape': " + dims));
    Collections.shuffle(items, new java.util.Random(r.nextLong()));
    String text = "{" + String.join(sep, items) + (r.nextBoolean() ? sep : "") + "}";
    byte[] body = text.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    int prefix = major == 1 ? 10 : 12;
    int padded =
        r.nextInt(4) == 0 ? body.length + 1 : ((prefix + body.length + 1 + 63) / 64) * 64 - prefix;
    if (major == 1 && padded > 0xffff) {
      major = 2;
      prefix = 12;
      padded = body.length + 1;
    }
    byte[] out = new byte[prefix + padded];
    byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0};
    System.arraycopy(magic, 0, out, 0, 8);
    for (int i = 0; i < prefix - 8; i++) {
      out[8 + i] = (byte) (padded >>> (8 * i));
    }
    System.arraycopy(body, 0, out, prefix, body.length);
    Arrays.fill(out, prefix + body.length, out.length - 1, (byte) ' ');
    out[out.length - 1] = '\n';
    return out;
  }
}
