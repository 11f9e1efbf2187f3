package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import java.nio.ByteBuffer;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A string ({@code <U<n>}, UTF-32 code points) or binary ({@code |S<n>}) column of width {@code n}:
 * fixed by {@code stringLength} or an existing file, or measured from the data (the longest value
 * in the whole output, at least 1).
 */
final class StringNode extends ColumnNode {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(StringNode.class);
  final boolean unicode;

  StringNode(int id, String column, String sparkType, boolean unicode) {
    super(id, column, sparkType);
    this.unicode = unicode;
  }

  @Override
  DType leafDType(WriteState st) {
    int w = Math.max(1, st.widths[id]);
    return unicode ? ScalarDType.unicode(w) : ScalarDType.bytes(w);
  }

  @Override
  void prepare(WriteState st) {
    if (st.widths[id] < 0) {
      st.widths[id] = Math.max(1, -1 - st.widths[id]);
    }
    super.prepare(st);
  }

  @Override
  void writeValue(SpecializedGetters src, int ord, ByteBuffer out, int pos, WriteState st) {
    int width = st.widths[id];
    if (unicode) {
      UTF8String s = src.getUTF8String(ord);
      int chars = encodeUtf32(s, out, pos, width);
      if (chars > width && !st.truncateStrings) {
        throw overflow(chars, width, st);
      }
      int kept = Math.min(chars, width);
      zero(out, pos + 4 * kept, 4 * (width - kept));
      if (kept > 0 && out.getInt(pos + 4 * (kept - 1)) == 0) {
        warnTrailingNul(st);
      }
    } else {
      byte[] b = src.getBinary(ord);
      if (b.length > width && !st.truncateStrings) {
        throw overflow(b.length, width, st);
      }
      int n = Math.min(b.length, width);
      out.put(pos, b, 0, n);
      zero(out, pos + n, width - n);
      if (n > 0 && b[n - 1] == 0) {
        warnTrailingNul(st);
      }
    }
  }

  /**
   * numpy's {@code S} and {@code U} values end at their first trailing NUL: a value that ends in
   * NUL is written as {@code np.save} writes it, but reads back shorter, in numpy as in the npy
   * reader. Said once per task and column, at the first such row, since nothing in the file can
   * keep the difference.
   */
  private void warnTrailingNul(WriteState st) {
    if (st.warnedTrailingNul[id]) {
      return;
    }
    st.warnedTrailingNul[id] = true;
    LOG.warn(
        "Column '{}' at {} ends in NUL {}: numpy's {} dtype drops trailing NULs when it reads the"
            + " value (so does the npy reader), so it reads back shorter. Encode such values (e.g."
            + " hex or base64) to keep them; this is said once per task and column",
        column,
        st.where(),
        unicode ? "characters" : "bytes",
        unicode ? "<U" : "|S");
  }

  private NpyWriteException overflow(int length, int width, WriteState st) {
    String dtype = leafDType(st).descr().replace("'", "");
    String unit = unicode ? " characters" : " bytes";
    if (st.dimsFromFile) {
      // Append: the existing file fixes the width; stringLength cannot change it
      return new NpyWriteException(
          "Cannot append column '"
              + column
              + "' at "
              + st.where()
              + ": the value has "
              + length
              + unit
              + ", but the file appended to fixes the column as "
              + dtype
              + " ("
              + width
              + unit
              + "), and Append cannot widen it. Set stringOverflow=truncate to cut longer values"
              + " to "
              + width
              + unit
              + ", or write a new file (another path, or mode overwrite) whose width fits the"
              + " longest value");
    }
    return new NpyWriteException(
        "Cannot write column '"
            + column
            + "' at "
            + st.where()
            + ": the value has "
            + length
            + unit
            + ", longer than the fixed width "
            + width
            + " ("
            + dtype
            + "). Raise option stringLength."
            + column
            + ", set stringOverflow=truncate, or leave stringLength unset for automatic width");
  }

  /**
   * Decodes UTF-8 into little-endian UTF-32 code points, at most {@code width} of them, at {@code
   * out[pos]}; returns the number of code points in {@code s} (more than {@code width} if it did
   * not fit). Malformed bytes become U+FFFD, as in Java's decoder.
   */
  static int encodeUtf32(UTF8String s, ByteBuffer out, int pos, int width) {
    Object base = s.getBaseObject();
    long offset = s.getBaseOffset();
    int n = s.numBytes();
    int chars = 0;
    int i = 0;
    while (i < n) {
      int b0 = Platform.getByte(base, offset + i) & 0xFF;
      int cp;
      int len;
      if (b0 < 0x80) {
        cp = b0;
        len = 1;
      } else if (b0 >= 0xC2 && b0 < 0xE0 && i + 1 < n) {
        cp = ((b0 & 0x1F) << 6) | cont(base, offset + i + 1);
        len = 2;
      } else if (b0 >= 0xE0 && b0 < 0xF0 && i + 2 < n) {
        cp = ((b0 & 0x0F) << 12) | (cont(base, offset + i + 1) << 6) | cont(base, offset + i + 2);
        len = 3;
      } else if (b0 >= 0xF0 && b0 < 0xF5 && i + 3 < n) {
        cp =
            ((b0 & 0x07) << 18)
                | (cont(base, offset + i + 1) << 12)
                | (cont(base, offset + i + 2) << 6)
                | cont(base, offset + i + 3);
        len = 4;
      } else {
        cp = 0xFFFD;
        len = 1;
      }
      if (cp < 0) {
        cp = 0xFFFD;
        len = 1;
      }
      if (chars < width) {
        out.putInt(pos + 4 * chars, cp);
      }
      chars++;
      i += len;
    }
    return chars;
  }

  /** The 6 payload bits of a continuation byte, or a large negative value if it is not one. */
  private static int cont(Object base, long at) {
    int b = Platform.getByte(base, at) & 0xFF;
    return (b & 0xC0) == 0x80 ? b & 0x3F : Integer.MIN_VALUE >> 8;
  }

  @Override
  void fill(ByteBuffer out, int pos, WriteState st) {
    zero(out, pos, st.bytes[id]);
  }

  @Override
  boolean hasAutoWidth(WriteState st) {
    return st.widths[id] < 0;
  }

  @Override
  void measure(SpecializedGetters src, int ord, WriteState st) {
    if (!src.isNullAt(ord)) {
      int len =
          unicode ? encodeUtf32(src.getUTF8String(ord), null, 0, 0) : src.getBinary(ord).length;
      // widths stays negative while automatic: -1 - longest seen
      st.widths[id] = Math.min(st.widths[id], -1 - len);
    }
  }

  @Override
  void pin(DType leaf, long[] axes, WriteState st) {
    if (axes.length == 0
        && st.widths[id] < 0
        && leaf instanceof ScalarDType s
        && s.kind() == (unicode ? ScalarDType.Kind.UNICODE : ScalarDType.Kind.BYTES)) {
      st.widths[id] = s.width();
    }
  }
}
