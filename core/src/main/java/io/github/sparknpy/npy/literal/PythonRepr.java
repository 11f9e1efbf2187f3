package io.github.sparknpy.npy.literal;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Internal: not part of the library's API (public only for the other packages of the core).
 * Python's {@code repr()} for the values a {@code .npy} header holds, so that headers come out byte
 * for byte as numpy writes them (quote choice, escapes, tuple commas).
 */
public final class PythonRepr {
  private PythonRepr() {}

  public static String of(Object value) {
    StringBuilder sb = new StringBuilder();
    append(sb, value);
    return sb.toString();
  }

  static void append(StringBuilder sb, Object value) {
    if (value instanceof String s) {
      appendString(sb, s);
    } else if (value instanceof Boolean b) {
      sb.append(b ? "True" : "False");
    } else if (value instanceof Number n) {
      sb.append(n);
    } else if (value instanceof PythonLiteral.Tuple t) {
      sb.append('(');
      appendItems(sb, t.items());
      if (t.items().size() == 1) {
        sb.append(',');
      }
      sb.append(')');
    } else if (value instanceof List<?> list) {
      sb.append('[');
      appendItems(sb, list);
      sb.append(']');
    } else if (value instanceof Map<?, ?> map) {
      sb.append('{');
      Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<?, ?> e = it.next();
        append(sb, e.getKey());
        sb.append(": ");
        append(sb, e.getValue());
        if (it.hasNext()) {
          sb.append(", ");
        }
      }
      sb.append('}');
    } else if (value instanceof PythonLiteral.Bytes b) {
      appendBytes(sb, b.value());
    } else if (value instanceof PythonLiteral.Set s) {
      sb.append('{');
      appendItems(sb, s.items());
      sb.append('}');
    } else {
      sb.append(value);
    }
  }

  private static void appendItems(StringBuilder sb, List<?> items) {
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      append(sb, items.get(i));
    }
  }

  /** As CPython's unicode_repr: single quotes unless the text has ' and no ". */
  static void appendString(StringBuilder sb, String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    sb.append(quote);
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == quote || cp == '\\') {
        sb.append('\\').appendCodePoint(cp);
      } else if (cp == '\t') {
        sb.append("\\t");
      } else if (cp == '\n') {
        sb.append("\\n");
      } else if (cp == '\r') {
        sb.append("\\r");
      } else if (cp < 0x20 || cp == 0x7f) {
        sb.append(String.format(java.util.Locale.ROOT, "\\x%02x", cp));
      } else if (cp < 0x7f) {
        sb.appendCodePoint(cp);
      } else if (isPrintable(cp)) {
        sb.appendCodePoint(cp);
      } else if (cp <= 0xff) {
        sb.append(String.format(java.util.Locale.ROOT, "\\x%02x", cp));
      } else if (cp <= 0xffff) {
        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", cp));
      } else {
        sb.append(String.format(java.util.Locale.ROOT, "\\U%08x", cp));
      }
    }
    sb.append(quote);
  }

  private static void appendBytes(StringBuilder sb, byte[] bytes) {
    boolean hasSingle = false;
    boolean hasDouble = false;
    for (byte b : bytes) {
      hasSingle |= b == '\'';
      hasDouble |= b == '"';
    }
    char quote = hasSingle && !hasDouble ? '"' : '\'';
    sb.append('b').append(quote);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c == quote || c == '\\') {
        sb.append('\\').append((char) c);
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c < 0x20 || c >= 0x7f) {
        sb.append(String.format(java.util.Locale.ROOT, "\\x%02x", c));
      } else {
        sb.append((char) c);
      }
    }
    sb.append(quote);
  }

  /** Python's str.isprintable for one code point: not in categories C* or Z* (except space). */
  private static boolean isPrintable(int cp) {
    switch (Character.getType(cp)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.SURROGATE:
      case Character.PRIVATE_USE:
      case Character.UNASSIGNED:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
      case Character.SPACE_SEPARATOR:
        return false;
      default:
        return true;
    }
  }
}
