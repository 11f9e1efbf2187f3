package io.github.sparknpy.npy.cli;

import io.github.sparknpy.npy.DType;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A dtype's {@code descr} in numpy's JSON-able form, as {@code json.dumps(dtype.descr)} would give
 * it: a type string such as {@code "<f8"} for scalars; for records a list of {@code [name, descr]}
 * or {@code [name, descr, shape]} lists, with padding as {@code ["", "|V4"]} and titles as {@code
 * [[title, name], descr]}. Built by reading back the Python literal of {@link DType#descr()}, which
 * is numpy's header text, so it follows numpy exactly (tuples become lists).
 */
final class DescrJson {
  private final String text;
  private int pos;

  private DescrJson(String text) {
    this.text = text;
  }

  /** The descr of {@code dtype} as JSON-able values: String, BigInteger and List. */
  static Object of(DType dtype) {
    return parse(dtype.descr());
  }

  /** A Python literal of strings, integers, tuples and lists as String, BigInteger and List. */
  static Object parse(String literal) {
    DescrJson p = new DescrJson(literal);
    Object value = p.value();
    p.skipSpace();
    if (p.pos != literal.length()) {
      throw p.error("unexpected text");
    }
    return value;
  }

  private Object value() {
    skipSpace();
    if (pos >= text.length()) {
      throw error("unexpected end");
    }
    char c = text.charAt(pos);
    if (c == '\'' || c == '"') {
      return string();
    }
    if (c == '(' || c == '[') {
      return sequence(c == '(' ? ')' : ']');
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      int start = pos++;
      while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
        pos++;
      }
      return new BigInteger(text.substring(start, pos));
    }
    throw error("unexpected character '" + c + "'");
  }

  private List<Object> sequence(char close) {
    pos++;
    List<Object> items = new ArrayList<>();
    while (true) {
      skipSpace();
      if (pos < text.length() && text.charAt(pos) == close) {
        pos++;
        return items;
      }
      items.add(value());
      skipSpace();
      if (pos < text.length() && text.charAt(pos) == ',') {
        pos++;
      } else if (pos >= text.length() || text.charAt(pos) != close) {
        throw error("expected ',' or '" + close + "'");
      }
    }
  }

  /** A Python string literal as repr() writes it (no prefixes, no implicit concatenation). */
  private String string() {
    char quote = text.charAt(pos++);
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == quote) {
        return sb.toString();
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'v' -> sb.append('\u000b');
        case 'a' -> sb.append('\u0007');
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          int start = pos - 1;
          while (pos < text.length() && pos - start < 3 && text.charAt(pos) >= '0' && text.charAt(pos) <= '7') {
            pos++;
          }
          sb.appendCodePoint(Integer.parseInt(text.substring(start, pos), 8));
        }
        case 'x' -> sb.appendCodePoint(hex(2));
        case 'u' -> sb.appendCodePoint(hex(4));
        case 'U' -> sb.appendCodePoint(hex(8));
        case '\\', '\'', '"' -> sb.append(e);
        default -> sb.append('\\').append(e); // Python keeps unknown escapes as written
      }
    }
  }

  private int hex(int digits) {
    if (pos + digits > text.length()) {
      throw error("truncated escape");
    }
    int cp = Integer.parseUnsignedInt(text.substring(pos, pos + digits), 16);
    pos += digits;
    return cp;
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private IllegalStateException error(String why) {
    return new IllegalStateException("Cannot convert descr " + text + " to JSON: " + why + " at " + pos);
  }
}
