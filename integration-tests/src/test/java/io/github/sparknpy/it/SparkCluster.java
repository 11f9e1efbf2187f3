package io.github.sparknpy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One standalone cluster (master + 2 workers, separate JVMs) and one driver session for the whole
 * integration-test run, closed when the run ends. Speculative execution is on (every IT's writes go
 * through the commit protocol with speculation enabled; {@code ClusterIT} forces a copy).
 *
 * <p>{@code npy.it.jars} replaces the single jar by a list (the {@code plain-jars} failsafe
 * execution gives the plain connector jar and the core jar, as {@code --packages} resolves them).
 *
 * <p>The driver is this JVM, set up the way {@code spark-submit --jars spark-npy-4_2.13-…-all.jar}
 * sets up a client-mode driver: the jar is in {@code spark.jars} (executors fetch it from the
 * driver and load it in their task class loader) and in a class loader that is the thread's context
 * class loader (where Spark looks up data sources). Neither the connector nor the core is on the
 * executors' system classpath, and the connector is not on this JVM's classpath either.
 */
final class SparkCluster implements BeforeAllCallback {
  static final int EXECUTORS = 2;

  private static Shared shared;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    synchronized (SparkCluster.class) {
      if (shared == null) {
        shared = Shared.start();
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(Shared.class, shared);
      }
    }
    shared.enter();
  }

  /** The driver session (sets the connector's class loader as this thread's context loader). */
  static SparkSession spark() {
    if (shared == null) {
      throw new IllegalStateException("Annotate the test with @ExtendWith(SparkCluster.class)");
    }
    shared.enter();
    return shared.spark;
  }

  static StandaloneCluster cluster() {
    spark();
    return shared.cluster;
  }

  /** The class loader holding the packaged connector jar on the driver. */
  static ClassLoader connectorLoader() {
    spark();
    return shared.loader;
  }

  private static final class Shared implements AutoCloseable {
    private final StandaloneCluster cluster;
    private final URLClassLoader loader;
    private final SparkSession spark;

    private Shared(StandaloneCluster cluster, URLClassLoader loader, SparkSession spark) {
      this.cluster = cluster;
      this.loader = loader;
      this.spark = spark;
    }

    static Shared start() throws IOException, InterruptedException {
      List<Path> jars = ItConfig.sparkJars();
      Path work = ItConfig.workDir("cluster");
      long t0 = System.nanoTime();
      StandaloneCluster cluster =
          StandaloneCluster.start(work, ItConfig.distributionClasspath(), EXECUTORS);
      URLClassLoader loader = null;
      try {
        loader =
            new URLClassLoader(
                "spark-npy-jars", urls(jars), Thread.currentThread().getContextClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        SparkSession spark =
            SparkSession.builder()
                .master(cluster.masterUrl())
                .appName("spark-npy-it")
                .config(
                    "spark.jars",
                    jars.stream().map(Path::toString).collect(Collectors.joining(",")))
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.executor.memory", "512m")
                .config("spark.executor.cores", "1")
                .config("spark.cores.max", String.valueOf(EXECUTORS))
                .config("spark.ui.enabled", "false")
                .config(
                    "spark.local.dir",
                    Files.createDirectories(work.resolve("driver-local")).toString())
                .config("spark.sql.shuffle.partitions", "4")
                // Speculation on for the whole run: a task running 3x the median (and at least
                // 4 s) once half of its stage is done gets a copy on the other worker's host.
                .config("spark.speculation", "true")
                .config("spark.speculation.interval", "200ms")
                .config("spark.speculation.multiplier", "3")
                .config("spark.speculation.quantile", "0.5")
                .config("spark.speculation.minTaskRuntime", "4s")
                .config("spark.speculation.efficiency.enabled", "false")
                .getOrCreate();
        awaitExecutors(spark, EXECUTORS);
        System.out.printf(
            "spark-npy IT cluster up in %.1f s: %s, %d executors, spark.jars %s%n",
            (System.nanoTime() - t0) / 1e9, cluster.masterUrl(), EXECUTORS, jars);
        return new Shared(cluster, loader, spark);
      } catch (IOException | InterruptedException | RuntimeException e) {
        cluster.close();
        if (loader != null) {
          loader.close();
        }
        throw e;
      }
    }

    private static URL[] urls(List<Path> jars) throws IOException {
      URL[] urls = new URL[jars.size()];
      for (int i = 0; i < urls.length; i++) {
        urls[i] = jars.get(i).toUri().toURL();
      }
      return urls;
    }

    /** Waits until {@code n} executors (not counting the driver) have registered. */
    static void awaitExecutors(SparkSession spark, int n) throws InterruptedException {
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (spark.sparkContext().getExecutorMemoryStatus().size() - 1 < n) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Cannot start the Spark application: fewer than " + n + " executors after 120 s");
        }
        Thread.sleep(200);
      }
    }

    void enter() {
      Thread.currentThread().setContextClassLoader(loader);
    }

    @Override
    public void close() {
      try {
        spark.stop();
      } finally {
        cluster.close();
        try {
          loader.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /** Waits until the application has {@code n} live executors again (e.g. after a kill). */
  static void awaitExecutors(int n) throws InterruptedException {
    Shared.awaitExecutors(spark(), n);
  }
}
