package io.github.sparknpy.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.testing.Numpy;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.spi.ToolProvider;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jars of one connector artifact, run by each line module after {@code package}: they
 * carry the classes of their own line only (every reference resolves against this line's Spark,
 * Scala and Hadoop; the line's own shims; Java 17 bytecode), and their service registration makes
 * {@code format("npy")} resolve. The build leaves the module's classes and the core off this test's
 * class path, so the connector is found in the jars or not at all.
 */
class ConnectorJarIT {
  private static final Path PLAIN = Path.of(System.getProperty("npy.connector.plain.jar"));
  private static final Path ALL = Path.of(System.getProperty("npy.connector.all.jar"));
  private static final Path CORE = Path.of(System.getProperty("npy.core.jar"));
  private static final String LINE = System.getProperty("npy.spark.line");
  private static final String SCALA = System.getProperty("npy.scala.binary.version");

  @TempDir Path tmp;

  @Test
  void theConnectorIsNotOnTheTestClassPath() {
    assertThatThrownBy(() -> Class.forName("io.github.sparknpy.spark.NpyDataSource"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.github.sparknpy.npy.NpyFile"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void manifestNamesTheLineAndEveryClassIsJava17() throws IOException {
    for (Path jar : List.of(PLAIN, ALL)) {
      try (JarFile file = new JarFile(jar.toFile())) {
        Attributes main = file.getManifest().getMainAttributes();
        assertThat(main.getValue("Spark-Npy-Spark-Line")).as(jar + " line").isEqualTo(LINE);
        assertThat(main.getValue("Spark-Npy-Scala-Binary-Version"))
            .as(jar + " Scala")
            .isEqualTo(SCALA);
        List<String> classes = classNames(file);
        assertThat(classes).as(jar + " classes").isNotEmpty();
        for (String name : classes) {
          try (DataInputStream in = new DataInputStream(file.getInputStream(file.getEntry(name)))) {
            assertThat(in.readInt()).as(name).isEqualTo(0xCAFEBABE);
            in.readUnsignedShort();
            assertThat(in.readUnsignedShort()).as(name + " class file version").isEqualTo(61);
          }
        }
        assertThat(classes)
            .as(jar + ": the connector only, with the core in the -all jar alone")
            .allMatch(n -> n.startsWith("io/github/sparknpy/"))
            .anyMatch(n -> n.startsWith("io/github/sparknpy/spark/"))
            .contains("io/github/sparknpy/spark/compat/VectoredReads.class");
        assertThat(classes.stream().anyMatch(n -> n.startsWith("io/github/sparknpy/npy/")))
            .as(jar + " holds the core")
            .isEqualTo(jar.equals(ALL));
      }
    }
  }

  /**
   * jdeps over the plain jar, against this test's class path (the line's Spark, Scala and Hadoop)
   * and the core jar: a class of another line (a Scala 2.13-only collection in a 2.12 jar, Hadoop
   * 3.3.5's FileRange in a jar for Hadoop 3.3.4) shows up as a missing dependency.
   */
  @Test
  void everyReferenceResolvesAgainstThisLine() throws IOException {
    String classPath = System.getProperty("java.class.path") + java.io.File.pathSeparator + CORE;
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      int status =
          jdeps.run(
              print,
              print,
              "--multi-release",
              "17",
              "--missing-deps",
              "-cp",
              classPath,
              PLAIN.toString());
      assertThat(status).as(out.toString(StandardCharsets.UTF_8)).isZero();
    }
    assertThat(out.toString(StandardCharsets.UTF_8).strip())
        .as("references jdeps cannot resolve on Spark " + LINE + ", Scala " + SCALA)
        .isEmpty();
    try (JarFile file = new JarFile(PLAIN.toFile());
        InputStream in =
            file.getInputStream(
                file.getEntry("io/github/sparknpy/spark/compat/VectoredReads.class"))) {
      String constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(constants.contains("org/apache/hadoop/fs/FileRange"))
          .as("the Spark 4 shim calls FileRange directly; the 3.5 one finds it at run time")
          .isEqualTo(LINE.equals("4"));
    }
  }

  @Test
  void plainJarWithCoreResolvesFormatNpy() throws Exception {
    writeAndReadThrough(List.of(PLAIN, CORE));
  }

  @Test
  void singleJarResolvesFormatNpy() throws Exception {
    writeAndReadThrough(List.of(ALL));
  }

  /** A local Spark session whose only copy of spark-npy is in {@code jars}, as with --jars. */
  private void writeAndReadThrough(List<Path> jars) throws Exception {
    List<URL> urls = new ArrayList<>();
    for (Path jar : jars) {
      urls.add(jar.toUri().toURL());
    }
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), previous)) {
      List<String> sources = new ArrayList<>();
      for (DataSourceRegister source : ServiceLoader.load(DataSourceRegister.class, loader)) {
        if (source.shortName().equals("npy")) {
          sources.add(source.getClass().getName());
          assertThat(source.getClass().getClassLoader()).isSameAs(loader);
        }
      }
      assertThat(sources).containsExactly("io.github.sparknpy.spark.NpyDataSource");

      Thread.currentThread().setContextClassLoader(loader);
      SparkSession spark =
          SparkSession.builder()
              .master("local[2]")
              .appName("connector-jar-it")
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .getOrCreate();
      try {
        assertThat(spark.version()).startsWith(LINE.equals("4") ? "4." : "3.5.");
        Path out = tmp.resolve(jars.size() + "-jars.npy");
        spark
            .range(0, 1000, 1, 3)
            .selectExpr("id", "CAST(id AS DOUBLE) * 0.5 AS x")
            .write()
            .format("npy")
            .save(out.toString());
        Row sums = spark.read().format("npy").load(out.toString()).selectExpr("sum(x)").first();
        assertThat(sums.getDouble(0)).isEqualTo(0.5 * 999 * 1000 / 2);
        // SQL alone, in a session that never called format("npy"): the jar's session extension
        Row sql = spark.newSession().sql("SELECT sum(x) FROM npy.`" + out + "`").first();
        assertThat(sql.getDouble(0)).isEqualTo(0.5 * 999 * 1000 / 2);
        assertThat(
                Numpy.run(
                        "import numpy as np, sys\n"
                            + "a = np.load(sys.argv[1], mmap_mode='r')\n"
                            + "print(a.shape, a.dtype.names, int(a['id'].sum()), float(a['x'][-1]))",
                        out)
                    .strip())
            .isEqualTo("(1000,) ('id', 'x') 499500 499.5");
      } finally {
        spark.stop();
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
        Thread.currentThread().setContextClassLoader(previous);
      }
    }
  }

  private static List<String> classNames(JarFile file) {
    List<String> names = new ArrayList<>();
    for (JarEntry e : Collections.list(file.entries())) {
      if (e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/")) {
        names.add(e.getName());
      }
    }
    return names;
  }
}
