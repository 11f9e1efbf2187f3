package io.github.sparknpy.npy.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Mutates a valid file, mostly inside its header text: byte flips, inserted, deleted and repeated
 * bytes, truncation, splices of another header's text, numbers replaced by huge, negative or
 * malformed ones, hostile nesting, and hostile length fields (up to 0xFFFFFFFF in format 2.0 and
 * 3.0 on small files). After an edit inside the text, the length field is usually corrected so that
 * the parser, not the length check, sees the damage.
 */
final class Mutator {
  private static final byte[] TOKENS =
      "()[]{},:'\"\\ -+.0123456789eExXjLbBrRuU_#\n\t\0TrueFalseNone<>|=!fiuSUVMmc8[]\u00e9"
          .getBytes(StandardCharsets.UTF_8);

  private static final String[] NUMBERS = {
    "-1",
    "0",
    "-0",
    "00",
    "1_0",
    "2147483647",
    "2147483648",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "99999999999999999999999999999999",
    "-9223372036854775808",
    "0x7fffffffffffffff",
    "0xffffffffffffffffff",
    "0o777",
    "0b1",
    "1e309",
    "1.5",
    "nan",
    "True",
    "1L",
    "1j",
    "1" + "0".repeat(4400),
    "0x" + "f".repeat(4400),
  };

  private Mutator() {}

  static byte[] mutate(SplittableRandom r, NpyFiles.Generated file, NpyFiles.Generated other) {
    byte[] b = file.bytes();
    int textStart = file.textStart();
    int textEnd = file.textEnd();
    int edits = 1 + r.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int before = b.length;
      boolean fixLength = r.nextInt(10) < 7;
      int lo = Math.min(textStart, b.length);
      int hi = Math.max(lo, Math.min(textEnd, b.length));
      // Mostly inside the header text, sometimes anywhere.
      int pos = r.nextInt(8) == 0 || hi == lo ? r.nextInt(b.length + 1) : r.nextInt(lo, hi + 1);
      switch (r.nextInt(12)) {
        case 0:
          if (pos < b.length) {
            b = b.clone();
            b[pos] ^= (byte) (1 << r.nextInt(8));
          }
          break;
        case 1:
          if (pos < b.length) {
            b = b.clone();
            b[pos] = TOKENS[r.nextInt(TOKENS.length)];
          }
          break;
        case 2:
          b = insert(b, pos, randomTokens(r));
          break;
        case 3:
          b = delete(b, pos, Math.min(b.length - pos, 1 + r.nextInt(8)));
          break;
        case 4:
          b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
          fixLength = false;
          break;
        case 5:
          {
            // Splice a piece of another header's text over a piece of this one.
            byte[] o = other.bytes();
            int from = r.nextInt(other.textStart(), other.textEnd());
            int len = r.nextInt(1, Math.min(40, other.textEnd() - from) + 1);
            byte[] piece = java.util.Arrays.copyOfRange(o, from, from + len);
            b = insert(delete(b, pos, Math.min(b.length - pos, r.nextInt(40))), pos, piece);
            break;
          }
        case 6:
          b = replaceNumber(r, b, lo, hi);
          break;
        case 7:
          {
            String open = new String[] {"[", "(", "{", "-", "+", "(-", "[{'a': "}[r.nextInt(7)];
            int depth = r.nextInt(4) == 0 ? r.nextInt(150, 1200) : r.nextInt(1, 210);
            b = insert(b, pos, open.repeat(depth).getBytes(StandardCharsets.ISO_8859_1));
            break;
          }
        case 8:
          b = hostileLengthField(r, b);
          fixLength = false;
          break;
        case 9:
          if (b.length > 7) {
            b = b.clone();
            b[6] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : r.nextInt(1, 4));
            b[7] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : 0);
          }
          fixLength = false;
          break;
        case 10:
          {
            int len = Math.min(b.length - pos, 1 + r.nextInt(30));
            byte[] piece = java.util.Arrays.copyOfRange(b, pos, pos + len);
            b = insert(b, pos, piece);
            break;
          }
        default:
          // Cut or grow the data section.
          b = java.util.Arrays.copyOf(b, Math.max(0, b.length + r.nextInt(-64, 65)));
          fixLength = false;
      }
      int delta = b.length - before;
      if (pos <= textEnd) {
        textEnd = Math.max(textStart, textEnd + delta);
      }
      if (fixLength && delta != 0 && pos >= textStart && pos <= textEnd && b.length >= textStart) {
        setLength(b, textStart, textEnd - textStart);
      }
    }
    return b;
  }

  private static byte[] randomTokens(SplittableRandom r) {
    byte[] t = new byte[1 + r.nextInt(6)];
    for (int i = 0; i < t.length; i++) {
      t[i] = TOKENS[r.nextInt(TOKENS.length)];
    }
    return t;
  }

  private static byte[] replaceNumber(SplittableRandom r, byte[] b, int lo, int hi) {
    int start = -1;
    int from = lo + (hi > lo ? r.nextInt(hi - lo) : 0);
    for (int i = from; i < hi; i++) {
      if (b[i] >= '0' && b[i] <= '9') {
        start = i;
        break;
      }
    }
    if (start < 0) {
      return b;
    }
    int end = start;
    while (end < hi && b[end] >= '0' && b[end] <= '9') {
      end++;
    }
    byte[] number = NUMBERS[r.nextInt(NUMBERS.length)].getBytes(StandardCharsets.ISO_8859_1);
    return insert(delete(b, start, end - start), start, number);
  }

  private static byte[] hostileLengthField(SplittableRandom r, byte[] b) {
    if (b.length < 12) {
      return b;
    }
    b = b.clone();
    boolean four = b[6] != 1;
    long[] values = {
      0xFFFFFFFFL,
      0x7FFFFFFFL,
      0x80000000L,
      0xFFFFL,
      0,
      1,
      b.length,
      b.length - (four ? 12 : 10) + 1,
      b.length - (four ? 12 : 10) - 1,
      r.nextLong(0, 0x100000000L),
      (1 << 20) + 1,
      1 << 20
    };
    long v = values[r.nextInt(values.length)];
    for (int i = 0; i < (four ? 4 : 2); i++) {
      b[8 + i] = (byte) (v >>> (8 * i));
    }
    return b;
  }

  private static void setLength(byte[] b, int textStart, int length) {
    for (int i = 0; i < textStart - 8 && 8 + i < b.length; i++) {
      b[8 + i] = (byte) (length >>> (8 * i));
    }
  }

  private static byte[] insert(byte[] b, int pos, byte[] piece) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + piece.length);
    out.write(b, 0, pos);
    out.write(piece, 0, piece.length);
    out.write(b, pos, b.length - pos);
    return out.toByteArray();
  }

  private static byte[] delete(byte[] b, int pos, int len) {
    byte[] out = new byte[b.length - len];
    System.arraycopy(b, 0, out, 0, pos);
    System.arraycopy(b, pos + len, out, pos, b.length - pos - len);
    return out;
  }
}
