package io.github.sparknpy.npy.fuzz;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Random {@code descr} literals of every dtype family numpy can put in a {@code .npy} file except
 * object: bool, ints, uints, floats (f2 to f16 long double), complex (c8 to c32), {@code S}, {@code
 * U}, {@code V}, {@code M8}/{@code m8} with units and multipliers, and records with nested records,
 * padding (as aligned dtypes and explicit offsets write it), titles, sub-arrays and sub-arrays of
 * sub-arrays. Mostly as numpy writes them; sometimes in the other spellings numpy also reads
 * ({@code 'f8'}, {@code 'float32'}, {@code 'd'}).
 */
final class Descrs {
  private static final String[] SCALARS = {
    "|b1", "|i1", "<i2", ">i2", "<i4", ">i4", "<i8", ">i8", "|u1", "<u2", ">u2", "<u4", "<u8",
    ">u8", "<f2", ">f2", "<f4", ">f4", "<f8", ">f8", "<f16", ">f16", "<c8", ">c8", "<c16", ">c16",
    "<c32", ">c32"
  };
  private static final String[] UNITS = {
    "Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as"
  };
  private static final String[] OTHER_SPELLINGS = {
    "f8",
    "=f4",
    "!i4",
    "i",
    "d",
    "g",
    "?",
    "b",
    "B",
    "e",
    "F",
    "D",
    "G",
    "c",
    "float32",
    "int64",
    "uint8",
    "bool",
    "float16",
    "longdouble",
    "complex128",
    "clongdouble",
    "S",
    "U",
    "V",
    "datetime64",
    "timedelta64[ms]",
    "datetime64[25s]"
  };
  private static final String[] NAMES = {
    "a",
    "b",
    "x",
    "y",
    "f0",
    "f1",
    "value",
    "with space",
    "it's",
    "q\"",
    "\u540d",
    "\u00e9t\u00e9",
    "\\",
    "x\ny"
  };

  private Descrs() {}

  /** A descr literal: a scalar typestr (70%) or a record. */
  static String any(SplittableRandom r) {
    return r.nextInt(10) < 7 ? scalar(r) : record(r, 0);
  }

  static String scalar(SplittableRandom r) {
    switch (r.nextInt(12)) {
      case 0:
        return quote("|S" + r.nextInt(0, 20));
      case 1:
        return quote((r.nextBoolean() ? "<" : ">") + "U" + r.nextInt(0, 10));
      case 2:
        return quote("|V" + r.nextInt(0, 17));
      case 3:
        return quote(datetime(r));
      case 4:
        return quote(OTHER_SPELLINGS[r.nextInt(OTHER_SPELLINGS.length)]);
      default:
        return quote(SCALARS[r.nextInt(SCALARS.length)]);
    }
  }

  private static String datetime(SplittableRandom r) {
    String base = (r.nextBoolean() ? "<" : ">") + (r.nextBoolean() ? "M8" : "m8");
    if (r.nextInt(8) == 0) {
      return base;
    }
    String multiplier = r.nextInt(4) == 0 ? Integer.toString(r.nextInt(2, 1000)) : "";
    return base + "[" + multiplier + UNITS[r.nextInt(UNITS.length)] + "]";
  }

  /** A record descr: a list of fields, nested up to three levels. */
  static String record(SplittableRandom r, int depth) {
    int n = r.nextInt(1, 5);
    List<String> fields = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (int i = 0; i < n; i++) {
      if (r.nextInt(6) == 0) {
        // Padding, as numpy writes aligned dtypes and explicit offsets.
        fields.add("('', '|V" + r.nextInt(1, 9) + "')");
      }
      String name = NAMES[r.nextInt(NAMES.length)];
      if (!used.add(name)) {
        name = name + i;
        used.add(name);
      }
      String key = quote(name);
      if (r.nextInt(8) == 0) {
        String title = "title " + i;
        if (used.add(title)) {
          key = "(" + quote(title) + ", " + key + ")";
        }
      }
      String type = depth < 2 && r.nextInt(5) == 0 ? record(r, depth + 1) : scalar(r);
      // numpy refuses sub-arrays of S0, U0 and V0, and sub-arrays of zero-size sub-arrays.
      DType parsed = DType.parse(type);
      int form = r.nextInt(8);
      if (parsed.itemSize() == 0 && (form == 1 || (form == 0 && parsed instanceof ScalarDType))) {
        form = 2;
      }
      switch (form) {
        case 0:
          fields.add("(" + key + ", " + type + ", " + subShape(r) + ")");
          break;
        case 1:
          // A sub-array of sub-arrays, as numpy's descr writes it.
          fields.add("(" + key + ", (" + type + ", " + subShape(r) + "), " + subShape(r) + ")");
          break;
        default:
          fields.add("(" + key + ", " + type + ")");
      }
    }
    if (r.nextInt(6) == 0) {
      fields.add("('', '|V" + r.nextInt(1, 9) + "')");
    }
    return "[" + String.join(", ", fields) + "]";
  }

  private static String subShape(SplittableRandom r) {
    int ndim = r.nextInt(1, 3);
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < ndim; i++) {
      sb.append(r.nextInt(1, 4)).append(ndim == 1 ? "," : i + 1 < ndim ? ", " : "");
    }
    return sb.append(')').toString();
  }

  /** A Python string literal of {@code s}, as {@code repr} writes it. */
  static String quote(String s) {
    char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder sb = new StringBuilder().append(q);
    for (char c : s.toCharArray()) {
      if (c == q || c == '\\') {
        sb.append('\\').append(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else {
        sb.append(c);
      }
    }
    return sb.append(q).toString();
  }
}
