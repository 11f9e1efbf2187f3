package io.github.sparknpy.spark.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Parses option values the way Spark's file sources do (case-insensitive keys, {@code true}/{@code
 * false}, byte strings such as {@code 128m}) and fails with a message naming the option, the value
 * found and the valid values.
 */
public final class OptionValues {
  private OptionValues() {}

  /** A choice among {@code valid} (compared case-insensitively); returns the lower-case value. */
  public static String choice(
      CaseInsensitiveStringMap options, String key, String defaultValue, String... valid) {
    String raw = options.get(key);
    if (raw == null) {
      return defaultValue;
    }
    String value = raw.trim().toLowerCase(Locale.ROOT);
    for (String v : valid) {
      if (v.toLowerCase(Locale.ROOT).equals(value)) {
        return v;
      }
    }
    throw new NpyOptionException(
        "Invalid value '"
            + raw
            + "' for option '"
            + key
            + "': use one of "
            + Arrays.stream(valid).collect(Collectors.joining(", ")));
  }

  /** {@code true} or {@code false}, any case. */
  public static boolean bool(CaseInsensitiveStringMap options, String key, boolean defaultValue) {
    String raw = options.get(key);
    if (raw == null) {
      return defaultValue;
    }
    String value = raw.trim().toLowerCase(Locale.ROOT);
    if (value.equals("true")) {
      return true;
    }
    if (value.equals("false")) {
      return false;
    }
    throw new NpyOptionException(
        "Invalid value '" + raw + "' for option '" + key + "': use true or false");
  }

  /** A positive int. */
  public static int positiveInt(CaseInsensitiveStringMap options, String key, int defaultValue) {
    String raw = options.get(key);
    if (raw == null) {
      return defaultValue;
    }
    try {
      int value = Integer.parseInt(raw.trim());
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new NpyOptionException(
        "Invalid value '"
            + raw
            + "' for option '"
            + key
            + "': use a positive integer up to "
            + Integer.MAX_VALUE);
  }

  /** A positive byte count: a plain number of bytes or a Spark byte string ({@code 64m}). */
  public static long positiveBytes(CaseInsensitiveStringMap options, String key, long fallback) {
    String raw = options.get(key);
    if (raw == null) {
      return fallback;
    }
    try {
      long value = JavaUtils.byteStringAsBytes(raw.trim());
      if (value > 0) {
        return value;
      }
    } catch (RuntimeException e) {
      // reported below
    }
    throw new NpyOptionException(
        "Invalid value '"
            + raw
            + "' for option '"
            + key
            + "': use a positive size in bytes, e.g. 134217728, 128m or 1g");
  }
}
