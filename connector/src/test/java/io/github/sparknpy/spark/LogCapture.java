package io.github.sparknpy.spark;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects what one logger (SLF4J over Spark's log4j2) logs while open, as {@code "LEVEL message"}
 * lines, for tests that assert a warning's text. Thread-safe: tasks and the driver log to it.
 */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final AbstractAppender appender;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private LogCapture(Class<?> source) {
    logger = (Logger) LogManager.getLogger(source);
    appender =
        new AbstractAppender(
            "capture-" + source.getSimpleName(), null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
          }
        };
    appender.start();
    logger.addAppender(appender);
    if (!logger.isEnabled(Level.WARN)) {
      throw new IllegalStateException("WARN is off for " + source + " in log4j2-test.properties");
    }
  }

  /** Starts collecting what {@code source}'s logger logs. */
  public static LogCapture of(Class<?> source) {
    return new LogCapture(source);
  }

  /** Every line logged so far, each starting with its level ({@code INFO …}). */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** The lines logged at WARN so far. */
  public List<String> warnings() {
    return lines.stream().filter(l -> l.startsWith("WARN ")).map(l -> l.substring(5)).toList();
  }

  @Override
  public void close() {
    logger.removeAppender(appender);
    appender.stop();
  }
}
