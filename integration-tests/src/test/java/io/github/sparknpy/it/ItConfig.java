package io.github.sparknpy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** What the failsafe execution passes in (see integration-tests/pom.xml). */
final class ItConfig {
  /**
   * Test-only artifacts and the S3 server's own stack: everything else on the test classpath is
   * what a Spark distribution with hadoop-aws has (and its AWS SDK: the v1 bundle that hadoop-aws
   * 3.3.4 brings on Spark 3.5, the v2 bundle on Spark 4).
   */
  private static final List<String> NOT_IN_A_DISTRIBUTION =
      List.of(
          "/io/github/sparknpy/",
          "/org/junit/",
          "/org/opentest4j/",
          "/org/apiguardian/",
          "/org/assertj/",
          "/net/bytebuddy/",
          "/org/gaul/",
          "/org/apache/jclouds/",
          "/com/azure/",
          "/com/microsoft/azure/",
          "/io/opentelemetry/",
          "/org/eclipse/jetty/",
          "/args4j/",
          "/hadoop-client-minicluster/");

  private ItConfig() {}

  /** The Scala binary version of the Spark line under test ({@code 2.12} or {@code 2.13}). */
  static String scalaBinaryVersion() {
    return required("npy.it.scala.binary.version");
  }

  /** The packaged connector jar ({@code spark-npy-<line>_<scala>-<version>-all.jar}). */
  static Path connectorJar() {
    Path jar = Path.of(required("npy.connector.jar")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "Cannot run the integration tests: the packaged connector jar "
              + jar
              + " does not exist; build with `mvn verify` from the root (the connector module"
              + " packages it)");
    }
    return jar;
  }

  /**
   * The jars the driver gets as {@code spark.jars}: {@code npy.it.jars} (comma-separated, e.g. the
   * plain connector jar and the core jar, as {@code --packages} would resolve them), else the
   * packaged {@link #connectorJar()}.
   */
  static List<Path> sparkJars() {
    String jars = System.getProperty("npy.it.jars", "");
    if (jars.isBlank()) {
      return List.of(connectorJar());
    }
    List<Path> paths =
        Arrays.stream(jars.split(","))
            .map(String::trim)
            .map(j -> Path.of(j).toAbsolutePath().normalize())
            .collect(Collectors.toList());
    for (Path p : paths) {
      if (!Files.isRegularFile(p)) {
        throw new IllegalStateException(
            "Cannot run the integration tests: " + p + " (from npy.it.jars) does not exist");
      }
    }
    return paths;
  }

  /** A fresh directory under {@code integration-tests/target/it-work}. */
  static Path workDir(String name) {
    try {
      Path root = Files.createDirectories(Path.of(required("npy.it.work")).toAbsolutePath());
      return Files.createTempDirectory(root, name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JVM flags Spark needs on Java 17 (the parent pom's spark.test.jvm.args). */
  static String[] jvmArgs() {
    return required("npy.it.jvm.args").trim().split("\\s+");
  }

  /** The classpath the standalone cluster's JVMs and executors get: no spark-npy, no tests. */
  static List<String> distributionClasspath() {
    try {
      String all =
          Files.readString(Path.of(required("npy.it.classpath.file")), StandardCharsets.UTF_8);
      return Arrays.stream(all.trim().split(java.io.File.pathSeparator))
          .filter(e -> e.endsWith(".jar"))
          .filter(e -> NOT_IN_A_DISTRIBUTION.stream().noneMatch(e.replace('\\', '/')::contains))
          // this build's own jars resolve to the modules' target/ directories, not ~/.m2
          .filter(e -> !isSparkNpyJar(Path.of(e).getFileName().toString()))
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isSparkNpyJar(String fileName) {
    return fileName.startsWith("npy-core") || fileName.startsWith("spark-npy");
  }

  private static String required(String key) {
    String v = System.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(
          "Cannot run the integration tests: system property "
              + key
              + " is not set (run them through Maven failsafe)");
    }
    return v;
  }
}
