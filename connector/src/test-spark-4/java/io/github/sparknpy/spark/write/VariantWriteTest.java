package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Spark 4's VARIANT type (not in Spark 3.5) is refused like every other unsupported type. */
class VariantWriteTest extends WriterTestBase {

  @Test
  void variantColumnsAreRefusedNamingColumnAndType() {
    Path out = tmp.resolve("v.npy");
    assertThatThrownBy(
            () ->
                sql("SELECT 1 AS id, parse_json('{\"a\": 1}') AS v")
                    .write()
                    .format("npy")
                    .save(out.toString()))
        .isInstanceOf(NpyUnsupportedTypeException.class)
        .hasMessageStartingWith("Cannot write column 'v' of type variant")
        .hasMessageContaining("Supported: boolean, byte");
    assertThatThrownBy(
            () ->
                sql("SELECT named_struct('x', parse_json('[1, 2]')) AS s")
                    .write()
                    .format("npy")
                    .save(out.toString()))
        .isInstanceOf(NpyUnsupportedTypeException.class)
        .hasMessageStartingWith("Cannot write column 's.x' of type variant");
    assertThat(Files.exists(out)).isFalse();
  }
}
