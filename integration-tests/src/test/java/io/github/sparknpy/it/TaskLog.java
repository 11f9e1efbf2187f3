package io.github.sparknpy.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskEndReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;

/** Records which executors ran tasks, which tasks are running, and why tasks failed. */
final class TaskLog extends SparkListener implements AutoCloseable {
  private final SparkSession spark;
  private final Set<String> executors = ConcurrentHashMap.newKeySet();
  private final Map<Long, String> running = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong bytesRead =
      new java.util.concurrent.atomic.AtomicLong();
  private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<String> speculative =
      java.util.Collections.synchronizedList(new ArrayList<>());

  private TaskLog(SparkSession spark) {
    this.spark = spark;
  }

  static TaskLog start(SparkSession spark) {
    TaskLog log = new TaskLog(spark);
    spark.sparkContext().addSparkListener(log);
    return log;
  }

  @Override
  public void onTaskStart(SparkListenerTaskStart start) {
    running.put(start.taskInfo().taskId(), start.taskInfo().executorId());
    if (start.taskInfo().speculative()) {
      speculative.add(describe(start.stageId(), start.taskInfo(), "started"));
    }
  }

  private static String describe(int stage, org.apache.spark.scheduler.TaskInfo t, String what) {
    return "stage "
        + stage
        + " partition "
        + t.index()
        + " attempt "
        + t.attemptNumber()
        + " on "
        + t.host()
        + " "
        + what;
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    running.remove(end.taskInfo().taskId());
    executors.add(end.taskInfo().executorId());
    if (end.taskMetrics() != null) {
      bytesRead.addAndGet(end.taskMetrics().inputMetrics().bytesRead());
    }
    TaskEndReason reason = end.reason();
    if (end.taskInfo().failed()) {
      failures.add(reason.getClass().getSimpleName() + ": " + reason);
    }
    if (end.taskInfo().speculative()) {
      speculative.add(
          describe(
              end.stageId(),
              end.taskInfo(),
              end.taskInfo().successful() ? "succeeded" : "ended: " + reason));
    }
  }

  /** Executor ids of tasks running now (as far as the listener bus has delivered). */
  Map<Long, String> running() {
    return Map.copyOf(running);
  }

  /** Executor ids that finished (or failed) tasks, after all events so far are delivered. */
  Set<String> executors() {
    drain();
    return new TreeSet<>(executors);
  }

  /** Input bytes the finished tasks read (Hadoop file-system statistics of their threads). */
  long bytesRead() {
    drain();
    return bytesRead.get();
  }

  List<String> failures() {
    drain();
    synchronized (failures) {
      return List.copyOf(failures);
    }
  }

  /** Speculative attempts: "stage S partition P attempt A on HOST started|succeeded|ended: …". */
  List<String> speculative() {
    drain();
    synchronized (speculative) {
      return List.copyOf(speculative);
    }
  }

  private void drain() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Spark's listener bus did not drain", e);
    }
  }

  @Override
  public void close() {
    spark.sparkContext().removeSparkListener(this);
  }
}
