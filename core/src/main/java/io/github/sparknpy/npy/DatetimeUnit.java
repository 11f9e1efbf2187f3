package io.github.sparknpy.npy;

/** The units of numpy's {@code datetime64} and {@code timedelta64}, as written between brackets. */
public enum DatetimeUnit {
  /** A datetime without a unit ({@code M8}); only NaT and zero-size arrays make sense in it. */
  GENERIC("", 0, 0),
  YEAR("Y", 0, 0),
  MONTH("M", 0, 0),
  WEEK("W", 7L * 86_400, 0),
  DAY("D", 86_400, 0),
  HOUR("h", 3_600, 0),
  MINUTE("m", 60, 0),
  SECOND("s", 1, 0),
  MILLISECOND("ms", 0, 1_000_000),
  MICROSECOND("us", 0, 1_000),
  NANOSECOND("ns", 0, 1),
  PICOSECOND("ps", 0, 0),
  FEMTOSECOND("fs", 0, 0),
  ATTOSECOND("as", 0, 0);

  private final String symbol;
  private final long seconds;
  private final long nanos;

  DatetimeUnit(String symbol, long seconds, long nanos) {
    this.symbol = symbol;
    this.seconds = seconds;
    this.nanos = nanos;
  }

  /** The symbol numpy writes, e.g. {@code "us"}; empty for {@link #GENERIC}. */
  public String symbol() {
    return symbol;
  }

  /** Length of one unit in seconds, or 0 if the unit is not a whole number of seconds. */
  long seconds() {
    return seconds;
  }

  /** Length of one unit in nanoseconds if below a second (ms, us, ns), else 0. */
  long nanos() {
    return nanos;
  }

  /** Position on numpy's unit scale from coarse (Y) to fine (as); GENERIC is coarsest. */
  int rank() {
    return ordinal();
  }

  /** Finds a unit by symbol; numpy also accepts "μs" for microseconds. */
  static DatetimeUnit fromSymbol(String symbol) {
    if (symbol.equals("\u03bcs")) {
      return MICROSECOND;
    }
    for (DatetimeUnit u : values()) {
      if (u.symbol.equals(symbol)) {
        return u;
      }
    }
    return null;
  }
}
