package io.github.sparknpy.npy.dtype;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.error.NpyFormatException;
import org.junit.jupiter.api.Test;

/**
 * Sub-arrays of zero-size types: refused where numpy refuses them, and bounded where numpy is not
 * (a tiny header could otherwise make one element 2^62 empty values).
 */
class ZeroSizeSubArrayTest {
  @Test
  void numpysRulesForUnsizedSubArrays() {
    assertThat(DType.parse("[('a', '|S0')]").itemSize()).isZero();
    assertThat(DType.parse("[('a', [], (3,))]").itemSize()).isZero();
    for (String refused :
        new String[] {
          "[('a', '|S0', ())]",
          "[('a', '<U0', (2,))]",
          "[('a', ('|V0', (2,)))]",
          "[('a', ([], (2,)), (3,))]"
        }) {
      assertThatThrownBy(() -> DType.parse(refused))
          .as(refused)
          .isExactlyInstanceOf(NpyFormatException.class)
          .hasMessageContaining("which numpy refuses (invalid itemsize in generic type tuple)");
    }
  }

  @Test
  void atMost65536ValuesWithoutData() {
    assertThat(DType.parse("[('a', [], (65536,))]").itemSize()).isZero();
    assertThat(DType.parse("[('a', [('b', '|S0')], (256, 256))]").itemSize()).isZero();
    assertThatThrownBy(() -> DType.parse("[('a', [], (65537,))]"))
        .isExactlyInstanceOf(NpyFormatException.class)
        .hasMessageContaining("an element holds 65537 values in 0 bytes");
    // One value per byte is always fine, however many.
    assertThat(DType.parse("[('a', '|u1', (1000, 1000))]").itemSize()).isEqualTo(1_000_000);
  }
}
