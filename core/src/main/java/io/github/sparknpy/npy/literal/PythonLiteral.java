package io.github.sparknpy.npy.literal;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Internal: not part of the library's API (public only for the {@code dtype} and {@code header}
 * packages). Parses the Python literal that a {@code .npy} header holds, the way {@code
 * ast.literal_eval} does: strings (any quotes and prefixes, escapes, implicit concatenation), ints
 * (any base, underscores, optional Python 2 {@code L} suffix), floats, {@code True/False/None},
 * tuples, lists, dicts and sets, with comments and any whitespace. Nesting is bounded so a hostile
 * header cannot overflow the stack.
 *
 * <p>Values map to Java as: str to {@link String}, bytes to {@link Bytes}, int to {@link
 * BigInteger}, float to {@link Double}, bool to {@link Boolean}, None to {@link #NONE}, tuple to
 * {@link Tuple}, list to {@link List}, dict to {@link LinkedHashMap}, set to {@link Set}.
 */
public final class PythonLiteral {
  /** Python's {@code None}. */
  static final Object NONE =
      new Object() {
        @Override
        public String toString() {
          return "None";
        }
      };

  /** Python's parser refuses more than 200 nested brackets ("too many nested parentheses"). */
  private static final int MAX_BRACKETS = 200;

  /** Bound on any nesting (brackets and signs), so a hostile header cannot overflow the stack. */
  private static final int MAX_DEPTH = 1000;

  /** Python's default {@code sys.int_info.default_max_str_digits}. */
  static final int MAX_INT_DIGITS = 4300;

  /** A Python tuple; distinct from a list because numpy treats them differently. */
  public record Tuple(List<Object> items) {
    @Override
    public String toString() {
      return PythonRepr.of(this);
    }
  }

  /** A Python bytes literal. */
  public record Bytes(byte[] value) {
    @Override
    public String toString() {
      return PythonRepr.of(this);
    }
  }

  /** A Python set literal. */
  record Set(List<Object> items) {}

  /** The text is not a Python literal; the message says where and why. */
  public static final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    SyntaxException(String message) {
      super(message);
    }
  }

  private final String text;
  private final boolean allowLongSuffix;
  private int pos;
  private int depth;
  private int brackets;

  private PythonLiteral(String text, boolean allowLongSuffix) {
    this.text = text;
    this.allowLongSuffix = allowLongSuffix;
  }

  /**
   * Parses one literal that must span the whole text (surrounding whitespace and comments allowed).
   *
   * @param allowLongSuffix accept Python 2's {@code 10L} ints, as numpy does for format 1.0 and 2.0
   */
  public static Object parse(String text, boolean allowLongSuffix) throws SyntaxException {
    PythonLiteral parser = new PythonLiteral(text, allowLongSuffix);
    Object value = parser.value();
    parser.skipSpace();
    if (parser.pos != text.length()) {
      throw parser.error("unexpected text after the literal");
    }
    return value;
  }

  private Object value() throws SyntaxException {
    if (++depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }
    boolean bracket = false;
    try {
      skipSpace();
      if (pos >= text.length()) {
        throw error("unexpected end of text");
      }
      char c = text.charAt(pos);
      bracket = c == '(' || c == '[' || c == '{';
      if (bracket && ++brackets > MAX_BRACKETS) {
        throw error("more than " + MAX_BRACKETS + " nested brackets (Python's limit)");
      }
      switch (c) {
        case '(':
          return tupleOrGroup();
        case '[':
          pos++;
          return new ArrayList<>(items(']'));
        case '{':
          return dictOrSet();
        case '+':
        case '-':
          return signedNumber();
        default:
          break;
      }
      if (c == '\'' || c == '"' || isStringPrefix()) {
        return strings();
      }
      if (Character.isDigit(c)
          || (c == '.' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1)))) {
        return number();
      }
      if (Character.isLetter(c) || c == '_') {
        String name = identifier();
        switch (name) {
          case "True":
            return Boolean.TRUE;
          case "False":
            return Boolean.FALSE;
          case "None":
            return NONE;
          default:
            throw error("name '" + name + "' is not a literal");
        }
      }
      throw error("unexpected character '" + c + "'");
    } finally {
      depth--;
      if (bracket) {
        brackets--;
      }
    }
  }

  private Object tupleOrGroup() throws SyntaxException {
    pos++;
    skipSpace();
    if (peek(')')) {
      pos++;
      return new Tuple(List.of());
    }
    Object first = value();
    skipSpace();
    if (peek(')')) {
      pos++;
      return first;
    }
    expect(',');
    List<Object> rest = items(')');
    List<Object> all = new ArrayList<>(rest.size() + 1);
    all.add(first);
    all.addAll(rest);
    return new Tuple(List.copyOf(all));
  }

  /** Comma-separated values up to {@code close}, trailing comma allowed; consumes {@code close}. */
  private List<Object> items(char close) throws SyntaxException {
    List<Object> out = new ArrayList<>();
    while (true) {
      skipSpace();
      if (peek(close)) {
        pos++;
        return out;
      }
      out.add(value());
      skipSpace();
      if (peek(close)) {
        pos++;
        return out;
      }
      expect(',');
    }
  }

  private Object dictOrSet() throws SyntaxException {
    pos++;
    skipSpace();
    Map<Object, Object> dict = new LinkedHashMap<>();
    if (peek('}')) {
      pos++;
      return dict;
    }
    Object firstKey = value();
    skipSpace();
    if (!peek(':')) {
      List<Object> items = new ArrayList<>();
      items.add(firstKey);
      if (!peek('}')) {
        expect(',');
        items.addAll(items('}'));
      } else {
        pos++;
      }
      return new Set(items);
    }
    Object key = firstKey;
    while (true) {
      expect(':');
      Object val = value();
      dict.put(hashable(key), val);
      skipSpace();
      if (peek('}')) {
        pos++;
        return dict;
      }
      expect(',');
      skipSpace();
      if (peek('}')) {
        pos++;
        return dict;
      }
      key = value();
      skipSpace();
    }
  }

  private Object hashable(Object key) throws SyntaxException {
    if (key instanceof List || key instanceof Map || key instanceof Set) {
      throw error("unhashable dict key " + PythonRepr.of(key));
    }
    return key;
  }

  /**
   * One sign before a number, as {@code ast.literal_eval} allows: {@code --1} and {@code -True} are
   * refused there too. Never recursing on a sign keeps the stack shallow for any input.
   */
  private Object signedNumber() throws SyntaxException {
    boolean negative = text.charAt(pos) == '-';
    pos++;
    skipSpace();
    if (peek('+') || peek('-')) {
      throw error("a sign must precede a number, not another sign");
    }
    Object value = value();
    if (value instanceof BigInteger i) {
      return negative ? i.negate() : i;
    }
    if (value instanceof Double d) {
      return negative ? -d : d;
    }
    throw error("a sign must precede a number");
  }

  private Object number() throws SyntaxException {
    int start = pos;
    if (text.startsWith("0x", pos) || text.startsWith("0X", pos)) {
      return radixInt(16, start);
    }
    if (text.startsWith("0o", pos) || text.startsWith("0O", pos)) {
      return radixInt(8, start);
    }
    if (text.startsWith("0b", pos) || text.startsWith("0B", pos)) {
      return radixInt(2, start);
    }
    boolean isFloat = false;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (Character.isDigit(c) || c == '_') {
        pos++;
      } else if (c == '.') {
        isFloat = true;
        pos++;
      } else if ((c == 'e' || c == 'E') && pos + 1 < text.length()) {
        isFloat = true;
        pos++;
        if (text.charAt(pos) == '+' || text.charAt(pos) == '-') {
          pos++;
        }
      } else {
        break;
      }
    }
    String digits = text.substring(start, pos).replace("_", "");
    if (digits.isEmpty() || digits.endsWith("e") || digits.endsWith("E")) {
      throw error("malformed number");
    }
    if (pos < text.length() && (text.charAt(pos) == 'j' || text.charAt(pos) == 'J')) {
      throw error("complex numbers are not allowed in a .npy header");
    }
    if (isFloat) {
      try {
        return Double.valueOf(digits);
      } catch (NumberFormatException e) {
        throw error("malformed float '" + digits + "'");
      }
    }
    if (digits.length() > 1
        && digits.charAt(0) == '0'
        && !digits.chars().allMatch(ch -> ch == '0')) {
      throw error("leading zeros in a decimal integer are not permitted");
    }
    checkDigits(digits.length());
    skipLongSuffix();
    return new BigInteger(digits);
  }

  /**
   * Python refuses decimal int literals of more than 4300 digits ({@code sys.int_info
   * .default_max_str_digits}); this parser refuses them in any base, because converting them takes
   * time quadratic in their length (a 1 MiB header of digits would take seconds).
   */
  private void checkDigits(int digits) throws SyntaxException {
    if (digits > MAX_INT_DIGITS) {
      throw error(
          "an integer literal of "
              + digits
              + " digits exceeds the limit of "
              + MAX_INT_DIGITS
              + " digits (Python's int_max_str_digits)");
    }
  }

  private BigInteger radixInt(int radix, int start) throws SyntaxException {
    pos += 2;
    int digitsStart = pos;
    while (pos < text.length()
        && (Character.digit(text.charAt(pos), radix) >= 0 || text.charAt(pos) == '_')) {
      pos++;
    }
    String digits = text.substring(digitsStart, pos).replace("_", "");
    if (digits.isEmpty()) {
      throw error("malformed integer '" + text.substring(start, pos) + "'");
    }
    checkDigits(digits.length());
    skipLongSuffix();
    return new BigInteger(digits, radix);
  }

  private void skipLongSuffix() {
    if (allowLongSuffix
        && pos < text.length()
        && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
      pos++;
    }
  }

  private boolean isStringPrefix() {
    int p = pos;
    int letters = 0;
    while (p < text.length() && letters < 2 && "rRuUbB".indexOf(text.charAt(p)) >= 0) {
      p++;
      letters++;
    }
    return letters > 0 && p < text.length() && (text.charAt(p) == '\'' || text.charAt(p) == '"');
  }

  /** Adjacent string literals concatenate, as in Python; str and bytes cannot mix. */
  private Object strings() throws SyntaxException {
    StringBuilder sb = new StringBuilder();
    Boolean bytes = null;
    while (true) {
      skipSpace();
      if (pos >= text.length()
          || !(text.charAt(pos) == '\'' || text.charAt(pos) == '"' || isStringPrefix())) {
        break;
      }
      boolean raw = false;
      boolean isBytes = false;
      while (text.charAt(pos) != '\'' && text.charAt(pos) != '"') {
        char p = Character.toLowerCase(text.charAt(pos++));
        raw |= p == 'r';
        isBytes |= p == 'b';
      }
      if (bytes != null && bytes != isBytes) {
        throw error("cannot mix bytes and nonbytes literals");
      }
      bytes = isBytes;
      stringBody(sb, raw, isBytes);
    }
    if (Boolean.TRUE.equals(bytes)) {
      byte[] b = new byte[sb.length()];
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) sb.charAt(i);
      }
      return new Bytes(b);
    }
    return sb.toString();
  }

  private void stringBody(StringBuilder sb, boolean raw, boolean bytes) throws SyntaxException {
    char quote = text.charAt(pos);
    boolean triple = text.startsWith("" + quote + quote + quote, pos);
    pos += triple ? 3 : 1;
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string literal");
      }
      char c = text.charAt(pos);
      if (c == quote && (!triple || text.startsWith("" + quote + quote + quote, pos))) {
        pos += triple ? 3 : 1;
        return;
      }
      if ((c == '\n' || c == '\r') && !triple) {
        throw error("unterminated string literal (end of line)");
      }
      if (bytes && c > 0x7f) {
        throw error("bytes can only contain ASCII literal characters");
      }
      if (c != '\\') {
        sb.append(c);
        pos++;
        continue;
      }
      if (pos + 1 >= text.length()) {
        throw error("unterminated string literal");
      }
      char e = text.charAt(pos + 1);
      if (raw) {
        sb.append(c).append(e);
        pos += 2;
        continue;
      }
      pos += 2;
      switch (e) {
        case '\n':
          break;
        case '\\':
        case '\'':
        case '"':
          sb.append(e);
          break;
        case 'a':
          sb.append('\u0007');
          break;
        case 'b':
          sb.append('\b');
          break;
        case 'f':
          sb.append('\f');
          break;
        case 'n':
          sb.append('\n');
          break;
        case 'r':
          sb.append('\r');
          break;
        case 't':
          sb.append('\t');
          break;
        case 'v':
          sb.append('\u000b');
          break;
        case 'x':
          sb.appendCodePoint(hexEscape(2));
          break;
        case 'u':
          if (bytes) {
            sb.append('\\').append(e);
          } else {
            sb.appendCodePoint(hexEscape(4));
          }
          break;
        case 'N':
          if (bytes) {
            sb.append('\\').append(e);
          } else {
            sb.appendCodePoint(namedEscape());
          }
          break;
        case 'U':
          if (bytes) {
            sb.append('\\').append(e);
          } else {
            int cp = hexEscape(8);
            if (!Character.isValidCodePoint(cp)) {
              throw error("illegal Unicode character in \\U escape");
            }
            sb.appendCodePoint(cp);
          }
          break;
        default:
          if (e >= '0' && e <= '7') {
            int value = e - '0';
            for (int i = 0;
                i < 2 && pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '7';
                i++) {
              value = value * 8 + (text.charAt(pos++) - '0');
            }
            if (bytes) {
              value &= 0xff;
            }
            sb.appendCodePoint(value);
          } else {
            sb.append('\\').append(e);
          }
      }
    }
  }

  /** Python's {@code \N{NAME}} escape, after the {@code N}. */
  private int namedEscape() throws SyntaxException {
    int close = text.indexOf('}', pos);
    if (!peek('{') || close < 0) {
      throw error("malformed \\N character escape");
    }
    String name = text.substring(pos + 1, close);
    try {
      int cp = Character.codePointOf(name);
      pos = close + 1;
      return cp;
    } catch (IllegalArgumentException e) {
      throw error("unknown Unicode character name '" + name + "' in \\N escape");
    }
  }

  private int hexEscape(int digits) throws SyntaxException {
    if (pos + digits > text.length()) {
      throw error("truncated \\x, \\u or \\U escape");
    }
    int value = 0;
    for (int i = 0; i < digits; i++) {
      int d = Character.digit(text.charAt(pos + i), 16);
      if (d < 0) {
        throw error("malformed \\x, \\u or \\U escape");
      }
      value = value * 16 + d;
    }
    pos += digits;
    return value;
  }

  private String identifier() {
    int start = pos;
    while (pos < text.length()
        && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
      pos++;
    }
    return text.substring(start, pos);
  }

  private void skipSpace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        pos++;
      } else if (c == '\\' && pos + 1 < text.length() && text.charAt(pos + 1) == '\n') {
        pos += 2;
      } else if (c == '#') {
        while (pos < text.length() && text.charAt(pos) != '\n') {
          pos++;
        }
      } else {
        return;
      }
    }
  }

  private boolean peek(char c) {
    return pos < text.length() && text.charAt(pos) == c;
  }

  private void expect(char c) throws SyntaxException {
    skipSpace();
    if (!peek(c)) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private SyntaxException error(String what) {
    return new SyntaxException(what + " at offset " + pos);
  }
}
