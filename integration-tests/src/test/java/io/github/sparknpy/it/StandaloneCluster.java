package io.github.sparknpy.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Spark standalone cluster of separate JVMs on loopback: one {@code Master} on 127.0.0.1 and
 * {@code n} {@code Worker}s (one core each) on hosts 127.0.0.1, 127.0.0.2, … (distinct hosts, so
 * that Spark may run a speculative copy of a task on another worker: it never places one on a host
 * where the task already runs), started from the Maven classpath with a throw-away {@code
 * SPARK_HOME}. The workers launch executors with {@code SPARK_HOME/jars} (empty) plus {@code
 * SPARK_DIST_CLASSPATH} = the "distribution" classpath: Spark, Hadoop, hadoop-aws and its AWS SDK,
 * and nothing of spark-npy, so the connector reaches the executors only through {@code spark.jars}.
 */
final class StandaloneCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path work;
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> workerDirs = new ArrayList<>();
  private final List<Path> localDirs = new ArrayList<>();
  private final int masterPort;

  private StandaloneCluster(Path work, int masterPort) {
    this.work = work;
    this.masterPort = masterPort;
  }

  /** Starts a master and {@code workers} workers; returns once all workers are registered. */
  static StandaloneCluster start(Path work, List<String> distributionClasspath, int workers)
      throws IOException, InterruptedException {
    Path sparkHome = Files.createDirectories(work.resolve("spark-home"));
    // The launcher requires SPARK_HOME/jars to exist; the jars themselves come from
    // SPARK_DIST_CLASSPATH, as in Spark's "Hadoop free" distributions.
    Files.createDirectories(sparkHome.resolve("jars"));
    String classpath = String.join(File.pathSeparator, distributionClasspath);
    StandaloneCluster cluster = new StandaloneCluster(work, freePort());
    // Safety net: no master, worker or executor outlives a test JVM that dies without JUnit's
    // clean-up (close() is idempotent).
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "npy-it-cluster-stop"));
    try {
      cluster.launch(
          "master",
          "127.0.0.1",
          sparkHome,
          classpath,
          List.of(
              "org.apache.spark.deploy.master.Master",
              "--host",
              "127.0.0.1",
              "--port",
              String.valueOf(cluster.masterPort),
              "--webui-port",
              "0"));
      waitForPort(cluster.masterPort);
      for (int i = 0; i < workers; i++) {
        Path dir = Files.createDirectories(work.resolve("worker-" + i));
        cluster.workerDirs.add(dir);
        String host = workerHost(i);
        cluster.launch(
            "worker-" + i,
            host,
            sparkHome,
            classpath,
            List.of(
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                host,
                "--webui-port",
                "0",
                "--cores",
                "1",
                "--memory",
                "1g",
                "--work-dir",
                dir.resolve("work").toString(),
                cluster.masterUrl()));
      }
      cluster.awaitRegisteredWorkers(workers);
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Worker {@code i}'s host: 127.0.0.{i+1} (all of 127/8 is loopback on Linux), or 127.0.0.1 where
   * that address cannot be bound (macOS without an {@code lo0} alias).
   */
  static String workerHost(int i) {
    String host = "127.0.0." + (i + 1);
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(host, 0));
      return host;
    } catch (IOException e) {
      return "127.0.0.1";
    }
  }

  /** Whether the workers are on distinct hosts (needed for speculative copies). */
  static boolean distinctWorkerHosts() {
    return !workerHost(1).equals(workerHost(0));
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** The worker directories (each has {@code work/<app-id>/<executor-id>/stderr}). */
  List<Path> workerDirs() {
    return workerDirs;
  }

  /** The {@code SPARK_LOCAL_DIRS} of the master and workers (executors' block and temp files). */
  List<Path> localDirs() {
    return localDirs;
  }

  private void launch(
      String name, String host, Path sparkHome, String classpath, List<String> mainAndArgs)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.addAll(List.of(ItConfig.jvmArgs()));
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.addAll(mainAndArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", ItConfig.scalaBinaryVersion());
    env.put("SPARK_DIST_CLASSPATH", classpath);
    env.put("SPARK_LOCAL_IP", host);
    env.put("SPARK_LOCAL_HOSTNAME", host);
    Path local = Files.createDirectories(work.resolve(name + "-local"));
    localDirs.add(local);
    env.put("SPARK_LOCAL_DIRS", local.toString());
    env.put("SPARK_EXECUTOR_OPTS", String.join(" ", ItConfig.jvmArgs()));
    env.remove("SPARK_TESTING");
    pb.redirectErrorStream(true);
    pb.redirectOutput(work.resolve(name + ".log").toFile());
    processes.add(pb.start());
  }

  private void awaitRegisteredWorkers(int workers) throws IOException, InterruptedException {
    Path masterLog = work.resolve("master.log");
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              "Cannot start the Spark cluster: a process exited with "
                  + p.exitValue()
                  + "; logs in "
                  + work);
        }
      }
      String log = Files.readString(masterLog, StandardCharsets.UTF_8);
      long registered = log.lines().filter(l -> l.contains("Registering worker")).count();
      if (registered >= workers) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "Cannot start the Spark cluster: fewer than "
            + workers
            + " workers registered within "
            + START_TIMEOUT
            + "; logs in "
            + work);
  }

  private static void waitForPort(int port) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("Cannot start the Spark master: port " + port + " not open");
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Executor JVMs ({@code CoarseGrainedExecutorBackend}) of application {@code appId}. */
  static List<ProcessHandle> executorProcesses(String appId) {
    return ProcessHandle.allProcesses()
        .filter(
            p -> {
              List<String> args = arguments(p);
              return args.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend")
                  && args.contains(appId);
            })
        .collect(Collectors.toList());
  }

  /** The value after {@code --executor-id} in an executor's command line. */
  static String executorId(ProcessHandle executor) {
    List<String> args = arguments(executor);
    int i = args.indexOf("--executor-id");
    if (i < 0 || i + 1 >= args.size()) {
      throw new IllegalStateException("No --executor-id in the command line of " + executor);
    }
    return args.get(i + 1);
  }

  /**
   * A process's command line, from {@code /proc/<pid>/cmdline} (the JDK's {@code
   * ProcessHandle.Info} gives nothing for long command lines such as a JVM with a Maven classpath).
   */
  static List<String> arguments(ProcessHandle p) {
    Path cmdline = Path.of("/proc", String.valueOf(p.pid()), "cmdline");
    try {
      String all = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
      return List.of(all.split("\0"));
    } catch (IOException | SecurityException e) {
      return p.info().arguments().map(List::of).orElse(List.of());
    }
  }

  @Override
  public synchronized void close() {
    // Workers first (they stop their executors), then the master.
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      List<ProcessHandle> children = p.toHandle().descendants().collect(Collectors.toList());
      p.destroy();
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
      children.forEach(ProcessHandle::destroyForcibly);
    }
    processes.clear();
  }
}
