package io.github.sparknpy.it;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/** Descriptions and end times of the jobs Spark runs while one is recorded. */
final class JobTimes extends SparkListener {
  private final SparkSession spark;
  private final List<String> descriptions = new CopyOnWriteArrayList<>();
  private final List<Long> ends = new CopyOnWriteArrayList<>();

  private JobTimes(SparkSession spark) {
    this.spark = spark;
  }

  static JobTimes start(SparkSession spark) {
    JobTimes t = new JobTimes(spark);
    spark.sparkContext().addSparkListener(t);
    return t;
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    descriptions.add(String.valueOf(start.properties().getProperty("spark.job.description", "")));
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd end) {
    ends.add(end.time());
  }

  long firstJobEnd() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ends.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return ends.get(0);
  }

  List<String> stop() {
    spark.sparkContext().removeSparkListener(this);
    return List.copyOf(descriptions);
  }
}
