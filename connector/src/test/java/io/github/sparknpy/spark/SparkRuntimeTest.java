package io.github.sparknpy.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The suite runs on the Spark release its module names (spark-4_2.13-on-newest: the newest Spark 4,
 * with the classes compiled against 4.0), not on whatever Maven resolved by accident.
 */
class SparkRuntimeTest extends SparkTestBase {
  @Test
  void runsOnTheSparkReleaseTheBuildNames() {
    String expected = System.getProperty("npy.expected.spark.version");
    assertThat(expected).as("npy.expected.spark.version, set by the build").isNotBlank();
    assertThat(SPARK_VERSION).isEqualTo(expected);
    assertThat(spark().version()).isEqualTo(expected);
    assertThat(scala.util.Properties$.MODULE$.versionNumberString())
        .startsWith(System.getProperty("npy.expected.scala.binary.version", "") + ".");
  }
}
