package io.github.sparknpy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packaged jar is all the connector needs: it carries the core and its service registration,
 * and the other ITs' jobs run with it as the only source of spark-npy classes on both sides.
 */
@ExtendWith(SparkCluster.class)
class PackagingIT {
  private final SparkSession spark = SparkCluster.spark();

  @Test
  void jarCarriesConnectorCoreAndServiceRegistrationButNotSpark() throws IOException {
    try (JarFile jar = new JarFile(ItConfig.connectorJar().toFile())) {
      ZipEntry services =
          jar.getEntry("META-INF/services/org.apache.spark.sql.sources.DataSourceRegister");
      assertThat(services).isNotNull();
      assertThat(new String(jar.getInputStream(services).readAllBytes(), StandardCharsets.UTF_8))
          .contains("io.github.sparknpy.spark.NpyDataSource");
      List<String> names = new ArrayList<>();
      Collections.list(jar.entries()).forEach(e -> names.add(e.getName()));
      assertThat(names)
          .contains(
              "io/github/sparknpy/spark/NpyDataSource.class",
              "io/github/sparknpy/spark/write/NpyCommitMessage.class",
              "io/github/sparknpy/npy/NpyFile.class",
              "io/github/sparknpy/npy/NpyAppendArray.class")
          .noneMatch(n -> n.startsWith("org/apache/") || n.startsWith("scala/"));
    }
  }

  @Test
  void connectorComesOnlyFromTheJarOnTheDriver() throws Exception {
    assertThatThrownBy(
            () ->
                Class.forName(
                    "io.github.sparknpy.spark.NpyDataSource",
                    false,
                    PackagingIT.class.getClassLoader()))
        .isInstanceOf(ClassNotFoundException.class);
    Class<?> source =
        Class.forName(
            "io.github.sparknpy.spark.NpyDataSource", false, SparkCluster.connectorLoader());
    assertThat(source.getProtectionDomain().getCodeSource().getLocation().toURI())
        .isIn(ItConfig.sparkJars().stream().map(Path::toUri).toList());
  }

  @Test
  void executorsHaveNoSparkNpyOnTheirClasspathAndFetchTheJar() throws Exception {
    // A job so that every executor has fetched the jar.
    spark
        .range(0, 1000, 1, 4)
        .selectExpr("id")
        .write()
        .format("npy")
        .save(ItConfig.workDir("packaging").resolve("p.npy").toString());

    String appId = spark.sparkContext().applicationId();
    List<ProcessHandle> executors = StandaloneCluster.executorProcesses(appId);
    assertThat(executors).hasSizeGreaterThanOrEqualTo(SparkCluster.EXECUTORS);
    for (ProcessHandle e : executors) {
      List<String> args = StandaloneCluster.arguments(e);
      String classpath = args.get(args.indexOf("-cp") + 1);
      assertThat(classpath)
          .contains("spark-core_" + ItConfig.scalaBinaryVersion())
          .doesNotContain("sparknpy")
          .doesNotContain("spark-npy")
          .doesNotContain("npy-core")
          .doesNotContain("test-classes");
    }
    List<String> jarNames =
        ItConfig.sparkJars().stream().map(j -> j.getFileName().toString()).toList();
    List<Path> fetched = new ArrayList<>();
    for (Path worker : SparkCluster.cluster().workerDirs()) {
      Path appDir = worker.resolve("work").resolve(appId);
      if (Files.isDirectory(appDir)) {
        try (var s = Files.walk(appDir, 2)) {
          s.filter(p -> jarNames.contains(p.getFileName().toString())).forEach(fetched::add);
        }
      }
    }
    assertThat(fetched).hasSizeGreaterThanOrEqualTo(SparkCluster.EXECUTORS * jarNames.size());
  }
}
