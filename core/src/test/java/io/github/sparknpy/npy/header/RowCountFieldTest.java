package io.github.sparknpy.npy.header;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.dtype.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Writing only the row count's field gives the bytes of the whole header encoded again. */
class RowCountFieldTest {
  private static final long[] COUNTS = {0, 1, 9, 10, 99, 100, 12_345, 999_999, 1_000_000};

  @Test
  void theFieldPatchedIntoAHeaderGivesTheHeaderOfThatCount() {
    List<NpyHeader> headers =
        List.of(
            NpyHeader.of(DType.of("<f8"), false, 0),
            NpyHeader.of(DType.of("<f8"), false, 0, 8),
            NpyHeader.of(DType.of("|u1"), true, 3, 5, 0),
            NpyHeader.of(DType.of("<i8"), false, 0, 10, 100),
            NpyHeader.of(DType.parse("[('shape', '<i4'), ('t', '<f8', (2,))]"), false, 0, 4),
            NpyHeader.of(DType.parse("[('caf\u00e9', '<i4')]"), false, 0));
    for (NpyHeader base : headers) {
      byte[] encoded = base.encode();
      NpyVersion version = base.naturalVersion();
      RowCountField field = RowCountField.of(base, version, encoded.length);
      byte[] file = encoded.clone();
      for (long rows : COUNTS) {
        byte[] bytes = field.encode(rows);
        System.arraycopy(bytes, 0, file, field.offset(), bytes.length);
        assertThat(file)
            .as("%s with %s rows", base, rows)
            .isEqualTo(base.withRowCount(rows).encode(version, encoded.length));
      }
    }
  }

  @Test
  void widthsChangeAtPowersOfTen() {
    assertThat(RowCountField.sameWidth(9, 10)).isFalse();
    assertThat(RowCountField.sameWidth(10, 99)).isTrue();
    assertThat(RowCountField.digitCount(0)).isEqualTo(1);
    assertThat(RowCountField.digitCount(Long.MAX_VALUE)).isEqualTo(19);
  }
}
