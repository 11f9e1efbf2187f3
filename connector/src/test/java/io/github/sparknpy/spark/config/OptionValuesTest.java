package io.github.sparknpy.spark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.Test;

class OptionValuesTest {
  private static CaseInsensitiveStringMap options(String key, String value) {
    return new CaseInsensitiveStringMap(Map.of(key, value));
  }

  @Test
  void choicesAreCaseInsensitiveAndListTheValidValues() {
    assertThat(OptionValues.choice(options("Layout", "MATRIX"), "layout", "auto", "auto", "matrix"))
        .isEqualTo("matrix");
    assertThat(OptionValues.choice(options("other", "x"), "layout", "auto", "auto", "matrix"))
        .isEqualTo("auto");
    assertThatThrownBy(
            () ->
                OptionValues.choice(options("layout", "grid"), "layout", "auto", "auto", "matrix"))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage("Invalid value 'grid' for option 'layout': use one of auto, matrix");
  }

  @Test
  void booleans() {
    assertThat(OptionValues.bool(options("merge", "FALSE"), "merge", true)).isFalse();
    assertThat(OptionValues.bool(options("x", "1"), "merge", true)).isTrue();
    assertThatThrownBy(() -> OptionValues.bool(options("merge", "yes"), "merge", true))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage("Invalid value 'yes' for option 'merge': use true or false");
  }

  @Test
  void positiveIntegersAndSizes() {
    assertThat(OptionValues.positiveInt(options("batchSize", " 512 "), "batchSize", 1))
        .isEqualTo(512);
    assertThatThrownBy(() -> OptionValues.positiveInt(options("batchSize", "0"), "batchSize", 1))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("'0' for option 'batchSize': use a positive integer");
    assertThat(
            OptionValues.positiveBytes(options("maxPartitionBytes", "64m"), "maxPartitionBytes", 1))
        .isEqualTo(64L << 20);
    assertThat(
            OptionValues.positiveBytes(
                options("maxPartitionBytes", "4096"), "maxPartitionBytes", 1))
        .isEqualTo(4096);
    assertThatThrownBy(
            () ->
                OptionValues.positiveBytes(
                    options("maxPartitionBytes", "lots"), "maxPartitionBytes", 1))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("use a positive size in bytes, e.g. 134217728, 128m or 1g");
  }
}
