package io.github.sparknpy.npy.dtype;

/** The units of numpy's {@code datetime64} and {@code timedelta64}, as written between brackets. */
public enum DatetimeUnit {
  /** A datetime without a unit ({@code M8}); only NaT and zero-size arrays make sense in it. */
  GENERIC("", 0),
  YEAR("Y", 0),
  MONTH("M", 0),
  WEEK("W", 7L * 86_400),
  DAY("D", 86_400),
  HOUR("h", 3_600),
  MINUTE("m", 60),
  SECOND("s", 1),
  MILLISECOND("ms", 0),
  MICROSECOND("us", 0),
  NANOSECOND("ns", 0),
  PICOSECOND("ps", 0),
  FEMTOSECOND("fs", 0),
  ATTOSECOND("as", 0);

  private final String symbol;
  private final long seconds;

  DatetimeUnit(String symbol, long seconds) {
    this.symbol = symbol;
    this.seconds = seconds;
  }

  /** The symbol numpy writes, e.g. {@code "us"}; empty for {@link #GENERIC}. */
  public String symbol() {
    return symbol;
  }

  /** Length of one unit in seconds, or 0 if the unit is not a whole number of seconds. */
  public long seconds() {
    return seconds;
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
