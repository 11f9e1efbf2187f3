package io.github.sparknpy.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** One local SparkSession for all example tests (the examples' own {@link LocalSpark} setup). */
abstract class ExamplesTestBase {
  private static SparkSession shared;

  protected static synchronized SparkSession spark() {
    if (shared == null) {
      try {
        shared = LocalSpark.start("spark-npy example tests", Files.createTempDirectory("npy-ex"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop));
    }
    return shared;
  }

  /** A PrintStream into a buffer, to check what an example reports. */
  static final class Report {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  static String path(Path p) {
    return p.toAbsolutePath().toString();
  }
}
