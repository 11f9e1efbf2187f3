package io.github.sparknpy.bench.spark;

import java.util.concurrent.TimeUnit;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * The CPU time Spark's tasks spent (their {@code executorCpuTime}) in the jobs of one query: where
 * a query's time goes on the executors, apart from planning and scheduling on the driver.
 */
final class TaskCpu extends SparkListener {
  private long cpuNanos;
  private int tasks;
  private int jobsStarted;
  private int jobsEnded;

  static TaskCpu register(SparkSession spark) {
    TaskCpu t = new TaskCpu();
    spark.sparkContext().addSparkListener(t);
    return t;
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    if (end.taskMetrics() != null) {
      cpuNanos += end.taskMetrics().executorCpuTime();
      tasks++;
    }
  }

  @Override
  public synchronized void onJobStart(SparkListenerJobStart start) {
    jobsStarted++;
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd end) {
    jobsEnded++;
    notifyAll();
  }

  /** Forgets what was counted; returns the number of jobs ended so far, for {@link #await}. */
  synchronized int reset() {
    cpuNanos = 0;
    tasks = 0;
    return jobsEnded;
  }

  /**
   * The tasks' CPU seconds since {@link #reset}, once the listener bus has delivered the end of
   * every job started (a query with a shuffle runs a map-stage job and a result job; task ends are
   * delivered before their job's end).
   */
  synchronized double await(int jobsBefore) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while ((jobsEnded == jobsBefore || jobsEnded < jobsStarted) && System.nanoTime() < deadline) {
      wait(100);
    }
    return cpuNanos / 1e9;
  }

  synchronized int tasks() {
    return tasks;
  }
}
