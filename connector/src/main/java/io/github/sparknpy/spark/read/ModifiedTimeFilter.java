package io.github.sparknpy.spark.read;

import io.github.sparknpy.spark.config.NpyOptionException;
import java.io.Serializable;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;

/**
 * Spark's {@code modifiedBefore} / {@code modifiedAfter} file filters, with Spark's semantics: the
 * option is a timestamp ({@code YYYY-MM-DDTHH:mm:ss}, also a date alone, a space for the {@code T},
 * fractions of a second and a zone suffix) read in the read's time zone (option {@code timeZone},
 * else {@code spark.sql.session.timeZone}); a file's modification time is turned into the wall
 * clock of that zone and compared with it, strictly ({@code <} before, {@code >} after).
 */
final class ModifiedTimeFilter implements Serializable {
  private static final long serialVersionUID = 1L;

  private static final Pattern TIMESTAMP =
      Pattern.compile(
          "([+-]?\\d{4,6})(?:-(\\d{1,2})(?:-(\\d{1,2})"
              + "(?:[T ](\\d{1,2})(?::(\\d{1,2})(?::(\\d{1,2})(?:\\.(\\d{1,9}))?)?)?)?)?)?"
              + "\\s*(Z|UTC|GMT|[+-]\\d{1,2}(?::?\\d{2})?|(?:UTC|GMT)[+-]\\d{1,2}(?::?\\d{2})?"
              + "|[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)+)?");

  private final long beforeMicros;
  private final long afterMicros;
  private final ZoneId zone;

  private ModifiedTimeFilter(long beforeMicros, long afterMicros, ZoneId zone) {
    this.beforeMicros = beforeMicros;
    this.afterMicros = afterMicros;
    this.zone = zone;
  }

  /** The filter of the two options (either may be null), or null when neither is set. */
  static ModifiedTimeFilter of(String before, String after, String timeZone) {
    if (before == null && after == null) {
      return null;
    }
    ZoneId zone = zone(timeZone);
    return new ModifiedTimeFilter(
        before == null ? Long.MAX_VALUE : threshold(NpyReadOptions.MODIFIED_BEFORE, before, zone),
        after == null ? Long.MIN_VALUE : threshold(NpyReadOptions.MODIFIED_AFTER, after, zone),
        zone);
  }

  /** Whether the file passes both thresholds. */
  boolean accept(FileStatus st) {
    long local = localMicros(st.getModificationTime());
    return local < beforeMicros && local > afterMicros;
  }

  /**
   * A modification time (milliseconds since the epoch) as the wall clock of the zone, counted as if
   * it were UTC: what Spark compares with the threshold.
   */
  private long localMicros(long millis) {
    long micros = Math.multiplyExact(millis, 1000L);
    int offset =
        zone.getRules().getOffset(java.time.Instant.ofEpochMilli(millis)).getTotalSeconds();
    return micros + offset * 1_000_000L;
  }

  static ZoneId zone(String id) {
    try {
      return ZoneId.of(id, ZoneId.SHORT_IDS);
    } catch (DateTimeException e) {
      return ZoneOffset.UTC; // as Spark: a zone it cannot parse counts as UTC
    }
  }

  /** Microseconds since the epoch of the timestamp {@code value} in {@code zone}. */
  static long threshold(String option, String value, ZoneId zone) {
    Matcher m = TIMESTAMP.matcher(value.trim());
    if (m.matches()) {
      try {
        LocalDateTime t =
            LocalDateTime.of(
                Integer.parseInt(m.group(1)),
                part(m.group(2), 1),
                part(m.group(3), 1),
                part(m.group(4), 0),
                part(m.group(5), 0),
                part(m.group(6), 0));
        if (m.group(7) != null) {
          String digits = (m.group(7) + "000000000").substring(0, 9);
          t = t.plusNanos(Long.parseLong(digits));
        }
        ZoneId at = m.group(8) == null ? zone : ZoneId.of(m.group(8), ZoneId.SHORT_IDS);
        java.time.Instant instant = t.atZone(at).toInstant();
        return ChronoUnit.MICROS.between(java.time.Instant.EPOCH, instant);
      } catch (DateTimeException | ArithmeticException e) {
        // fall through to the error
      }
    }
    throw new NpyOptionException(
        "Invalid value '"
            + value
            + "' for option '"
            + option
            + "': the timestamp provided is invalid. Use the format YYYY-MM-DDTHH:mm:ss (e.g."
            + " 2020-06-01T13:00:00), read in the session time zone (spark.sql.session.timeZone)"
            + " or the time zone of option timeZone");
  }

  private static int part(String digits, int fallback) {
    return digits == null ? fallback : Integer.parseInt(digits);
  }
}
