package io.github.sparknpy.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.testing.Numpy;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * {@code format("npy")} from a thread that has no active Spark session (a pool thread started
 * before the session, a Scala global Future): Spark resolves the npy catalog in that thread's
 * active session's conf, so the source makes the session active there instead of failing with
 * CATALOG_NOT_FOUND.
 */
class ThreadWithoutActiveSessionTest extends SparkTestBase {

  @Test
  void readsAndWritesFromAThreadWithoutAnActiveSession() throws Exception {
    Dataset<Row> df = spark().range(0, 5, 1, 2).toDF("v");
    Path out = tmp.resolve("pool.npy");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      long count =
          CompletableFuture.supplyAsync(
                  () -> {
                    SparkSession.clearActiveSession();
                    df.write().format("npy").save(out.toString());
                    SparkSession.clearActiveSession();
                    return spark().read().format("npy").load(out.toString()).count();
                  },
                  pool)
              .get(120, TimeUnit.SECONDS);
      assertThat(count).isEqualTo(5);
    } finally {
      pool.shutdown();
    }
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", out).trim())
        .isEqualTo("[0, 1, 2, 3, 4]");
  }
}
