package io.github.sparknpy.spark.compat;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.hadoop.util.VersionInfo;
import org.junit.jupiter.api.Test;

/**
 * The Spark 3.5 shim finds vectored reads at run time: absent on the Hadoop 3.3.4 that Spark 3.5
 * ships (these tests run on it, so every ranged read here takes the one-read-per-run path), present
 * from Hadoop 3.3.5 on.
 */
class VectoredReadsTest {
  @Test
  void availableExactlyWhenThisHadoopHasFileRange() {
    boolean hasFileRange;
    try {
      Class.forName("org.apache.hadoop.fs.FileRange");
      hasFileRange = true;
    } catch (ClassNotFoundException e) {
      hasFileRange = false;
    }
    assertThat(VectoredReads.available()).isEqualTo(hasFileRange);
    if (VersionInfo.getVersion().equals("3.3.4")) {
      assertThat(VectoredReads.available()).isFalse();
    }
  }
}
