package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;

/**
 * Resource hygiene after errors: failing reads (a truncated file among good ones, a header longer
 * than allowed, dtypes that differ between files, a file cut after planning, mapped and streamed)
 * and failing writes (an unsupported type, a task that always fails, a local and a remote job
 * commit that fail), some through {@link FaultyFileSystem}, which counts unclosed input streams are
 * repeated in rounds after a warm-up; the JVM's open descriptors ({@code /proc/self/fd}) must not
 * grow from round to round and none may point at the test's files; no mapping of a test file may
 * survive a GC ({@code /proc/self/maps}); no thread started by the connector may stay alive.
 */
class FaultInjectionResourceTest extends FaultInjectionBase {
  private static final int ROUNDS = 2;
  private static final int REPEATS = 1;

  /** fd number → what it points at, for the JVM's open descriptors. */
  private static Map<String, String> openFds() {
    Map<String, String> fds = new LinkedHashMap<>();
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : s.toList()) {
        try {
          fds.put(fd.getFileName().toString(), Files.readSymbolicLink(fd).toString());
        } catch (IOException e) {
          // closed while listing (the listing's own descriptor, among others)
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return fds;
  }

  private List<String> mappingsUnder(Path root) throws IOException {
    String prefix = root.toRealPath().toString();
    try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
      return lines.filter(l -> l.contains(prefix)).toList();
    }
  }

  private static final String TASK_THREADS = "Executor task launch worker";

  private static Set<String> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(t -> t.getName() + "#" + t.getId())
        .collect(Collectors.toSet());
  }

  /**
   * A thread's pool: its name without the trailing number and id ("pool-3-thread-7#42"); Spark 3.5
   * names a task's thread after the task ("Executor task launch worker for task 0.0 in …").
   */
  private static String pool(String thread) {
    if (thread.startsWith(TASK_THREADS)) {
      return TASK_THREADS;
    }
    return thread.replaceAll("#\\d+$", "").replaceAll("[-_ ]?\\d+$", "");
  }

  private Path copy(Path from, String name) throws IOException {
    Path to = tmp.resolve("copies").resolve(name);
    Files.createDirectories(to.getParent());
    return Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static void cut(Path file, long bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - bytes);
    }
  }

  private static void fails(Runnable op, String message) {
    assertThatThrownBy(op::run)
        .satisfies(
            e -> {
              StringBuilder all = new StringBuilder();
              for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
                all.append(c.getMessage()).append('\n');
              }
              assertThat(all.toString()).contains(message);
            });
  }

  /** The failing operations, each a fresh failure on fresh files. */
  private Map<String, Runnable> failures(Path base) throws IOException {
    AtomicInteger n = new AtomicInteger();
    Map<String, Runnable> ops = new LinkedHashMap<>();
    ops.put(
        "truncated file among 9 good ones (parallel header probe)",
        () ->
            io(
                () -> {
                  Path dir = tmp.resolve("many-" + n.incrementAndGet());
                  Files.createDirectories(dir);
                  for (int i = 0; i < 9; i++) {
                    Files.copy(base, dir.resolve("g" + i + ".npy"));
                  }
                  cut(Files.copy(base, dir.resolve("z.npy")), 9);
                  fails(() -> spark().read().format("npy").load(dir.toString()).count(), "z.npy");
                }));
    ops.put(
        "header longer than maxHeaderBytes",
        () ->
            fails(
                () ->
                    spark()
                        .read()
                        .format("npy")
                        .option("maxHeaderBytes", "32")
                        .load(base.toString())
                        .count(),
                "32"));
    ops.put(
        "dtypes differ between files",
        () ->
            io(
                () -> {
                  Path dir = tmp.resolve("mixed-" + n.incrementAndGet());
                  Files.createDirectories(dir);
                  Files.copy(base, dir.resolve("a.npy"));
                  sql("SELECT 'abc' AS s")
                      .write()
                      .format("npy")
                      .save(dir.resolve("b.npy").toString());
                  fails(() -> spark().read().format("npy").load(dir.toString()).count(), "b.npy");
                }));
    for (String mmap : List.of("true", "false")) {
      ops.put(
          "file cut after planning, memoryMap=" + mmap,
          () ->
              io(
                  () -> {
                    Path f = copy(base, "cut-" + n.incrementAndGet() + ".npy");
                    Dataset<Row> df =
                        spark()
                            .read()
                            .format("npy")
                            .option("memoryMap", mmap)
                            .option("batchSize", "64")
                            .load(f.toString());
                    Dataset<Row> sum = df.selectExpr("sum(x)");
                    sum.queryExecution().executedPlan(); // planned (headers read) before the cut
                    cut(f, 4000);
                    fails(sum::collect, "ended before the rows its header promises");
                  }));
    }
    ops.put(
        "file cut after planning, read through a Hadoop stream (npyfault:)",
        () ->
            io(
                () -> {
                  Path f = copy(base, "cut-remote-" + n.incrementAndGet() + ".npy");
                  Dataset<Row> df =
                      spark()
                          .read()
                          .format("npy")
                          .option("batchSize", "64")
                          .load(FaultyFileSystem.SCHEME + "://" + f.toAbsolutePath());
                  Dataset<Row> sum = df.selectExpr("sum(x)");
                  sum.queryExecution().executedPlan(); // planned (headers read) before the cut
                  cut(f, 4000);
                  // no inode on a Hadoop file system: a shorter file is another version
                  fails(sum::collect, "it changed while the query ran");
                }));
    ops.put(
        "truncated file among 9 good ones through a Hadoop stream (npyfault:)",
        () ->
            io(
                () -> {
                  Path dir = tmp.resolve("many-remote-" + n.incrementAndGet());
                  Files.createDirectories(dir);
                  for (int i = 0; i < 9; i++) {
                    Files.copy(base, dir.resolve("g" + i + ".npy"));
                  }
                  cut(Files.copy(base, dir.resolve("z.npy")), 9);
                  fails(
                      () ->
                          spark()
                              .read()
                              .format("npy")
                              .load(FaultyFileSystem.SCHEME + "://" + dir.toAbsolutePath())
                              .count(),
                      "z.npy");
                }));
    ops.put(
        "unsupported type",
        () ->
            fails(
                () ->
                    sql("SELECT map(1, 2) AS m")
                        .write()
                        .format("npy")
                        .save(tmp.resolve("map-" + n.incrementAndGet() + ".npy").toString()),
                "map"));
    ops.put(
        "a task that always fails",
        () ->
            fails(
                () ->
                    write(
                        frame(0, 3000, TaskFault.ALWAYS, true),
                        SaveMode.ErrorIfExists,
                        tmp.resolve("task-" + n.incrementAndGet() + ".npy").toString(),
                        true),
                "injected failure"));
    ops.put(
        "local Append whose commit fails after the header rewrite",
        () ->
            io(
                () -> {
                  Path f = copy(base, "append-" + n.incrementAndGet() + ".npy");
                  CommitFaults.install(
                      (step, file) -> {
                        if (step == Checkpoint.Step.HEADER_WRITTEN) {
                          throw new IOException("injected failure at " + step);
                        }
                      });
                  try {
                    fails(
                        () ->
                            write(
                                frame(1000, 4000, TaskFault.NONE, false),
                                SaveMode.Append,
                                f.toString(),
                                true),
                        "injected failure");
                  } finally {
                    CommitFaults.clear();
                  }
                }));
    ops.put(
        "remote Overwrite whose combined file fails after 100 bytes",
        () ->
            io(
                () -> {
                  Path f = copy(base, "remote-" + n.incrementAndGet() + ".npy");
                  FaultyFileSystem.failWritesTo = ".npy-commit-";
                  FaultyFileSystem.failAfterBytes = 100;
                  try {
                    fails(
                        () ->
                            write(
                                frame(1000, 4000, TaskFault.NONE, false),
                                SaveMode.Overwrite,
                                FaultyFileSystem.SCHEME + "://" + f.toAbsolutePath(),
                                true),
                        "injected failure");
                  } finally {
                    FaultyFileSystem.reset();
                  }
                }));
    return ops;
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private static void io(IoAction a) {
    try {
      a.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void runAll(Map<String, Runnable> ops, int times) {
    for (int i = 0; i < times; i++) {
      ops.forEach(
          (name, op) -> {
            try {
              op.run();
            } catch (AssertionError e) {
              throw new AssertionError(name + ": " + e.getMessage(), e);
            }
          });
    }
  }

  /** Lets failed tasks' aborts and Spark's listener events finish. */
  private static void settle() throws Exception {
    spark().sparkContext().listenerBus().waitUntilEmpty();
    assertThat(localWriterLeftoversAfterTasksEnd()).isEmpty();
    Thread.sleep(300);
  }

  @Test
  void failingReadsAndWritesLeakNoDescriptorsMappingsOrThreads() throws Exception {
    Path base = tmp.resolve("base.npy");
    write(frame(0, 3000, TaskFault.NONE, false), SaveMode.ErrorIfExists, base.toString(), true);
    Map<String, Runnable> ops = failures(base);
    runAll(ops, 1); // warm-up: Spark's and Hadoop's lazily created descriptors and threads
    settle();
    Set<String> threadsBefore = liveThreads();
    int inputsBefore = FaultyFileSystem.openInputs();
    String root = tmp.toRealPath().toString();

    List<Integer> counts = new ArrayList<>();
    for (int r = 0; r < ROUNDS; r++) {
      runAll(ops, REPEATS);
      settle();
      Map<String, String> fds = openFds();
      counts.add(fds.size());
      assertThat(fds.values())
          .as("descriptors open on the test's files after round " + r)
          .noneMatch(t -> t.startsWith(root) || t.contains("npy-write-"));
      assertThat(FaultyFileSystem.openInputs())
          .as("Hadoop input streams (npyfault:) not closed after round " + r)
          .isEqualTo(inputsBefore);
    }
    // twelve failures per round: a leak of one descriptor per failure shows as ≥ 12
    assertThat(counts.get(ROUNDS - 1) - counts.get(0))
        .as("open descriptors per round " + counts)
        .isLessThanOrEqualTo(3);

    List<String> mapped = mappingsUnder(tmp);
    for (int i = 0; i < 20 && !mapped.isEmpty(); i++) {
      System.gc();
      Thread.sleep(100);
      mapped = mappingsUnder(tmp);
    }
    assertThat(mapped).as("mappings of the test's files after GC").isEmpty();

    // Spark's pools (block manager, RPC, task launch…) grow and shrink on their own: a thread of a
    // pool that was already there after the warm-up is not ours; the JDK's process reaper neither
    Set<String> poolsBefore = threadsBefore.stream().map(t -> pool(t)).collect(Collectors.toSet());
    List<String> newThreads =
        liveThreads().stream()
            .filter(t -> !threadsBefore.contains(t))
            .filter(t -> !poolsBefore.contains(pool(t)) && !t.startsWith("process reaper"))
            .sorted()
            .toList();
    assertThat(newThreads).as("threads of new pools started since the warm-up").isEmpty();
  }
}
