package io.github.sparknpy.npy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.dtype.DType;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON writer and the descr-to-JSON conversion. */
class JsonTest {
  @Test
  void escapesWhatJsonRequiresAndKeepsUnicode() {
    assertThat(Json.write("plain")).isEqualTo("\"plain\"");
    assertThat(Json.write("q\"b\\s/")).isEqualTo("\"q\\\"b\\\\s/\"");
    assertThat(Json.write("\n\r\t\b\f\u0000\u0001\u001f\u007f"))
        .isEqualTo("\"\\n\\r\\t\\b\\f\\u0000\\u0001\\u001f\\u007f\"");
    assertThat(Json.write("\u00e9\u540d\ud83d\ude00")).isEqualTo("\"\u00e9\u540d\ud83d\ude00\"");
    assertThat(Json.write("\u2028\u2029")).isEqualTo("\"\\u2028\\u2029\"");
    assertThat(Json.write("a\ud800b\udc00")).isEqualTo("\"a\\ud800b\\udc00\"");
  }

  @Test
  void writesValues() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("b", true);
    m.put("a", List.of(1L, BigInteger.TWO.pow(70), "x", List.of()));
    m.put("s", new long[] {});
    m.put("t", new long[] {3, 4});
    m.put("n", null);
    assertThat(Json.write(m))
        .isEqualTo(
            "{\"b\": true, \"a\": [1, 1180591620717411303424, \"x\", []], \"s\": [], \"t\": [3, 4], \"n\": null}");
  }

  @Test
  void descrBecomesNumpysDescrWithListsForTuples() {
    assertThat(DType.parse("'<f8'").descrAsJsonValue()).isEqualTo("<f8");
    assertThat(Json.write(DType.parse("'<M8[25s]'").descrAsJsonValue())).isEqualTo("\"<M8[25s]\"");
    assertThat(
            Json.write(
                DType.parse("[('a', '<i4'), ('', '|V4'), (('title', 'b'), '<f8', (2, 3))]")
                    .descrAsJsonValue()))
        .isEqualTo("[[\"a\", \"<i4\"], [\"\", \"|V4\"], [[\"title\", \"b\"], \"<f8\", [2, 3]]]");
    assertThat(
            Json.write(
                DType.parse("[('x\\'\"\\\\\\t\\x00\\u20ac\\U0001f600', [('n', '|u1')])]")
                    .descrAsJsonValue()))
        .isEqualTo("[[\"x'\\\"\\\\\\t\\u0000\u20ac\ud83d\ude00\", [[\"n\", \"|u1\"]]]]");
  }
}
