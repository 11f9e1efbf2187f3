package io.github.sparknpy.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.config.NpyPaths;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.Test;

class NpyTableIdentifierTest {
  @Test
  void pathBecomesTheNameAndShapingOptionsTheNamespace() {
    Identifier ident =
        NpyTableIdentifier.encode(
            new CaseInsensitiveStringMap(
                Map.of(
                    "path", "/d/x.npy", "rowAxis", "last", "layout", "matrix", "batchSize", "9")));

    assertThat(ident.name()).isEqualTo("/d/x.npy");
    assertThat(ident.namespace()).containsExactly("layout=matrix", "rowaxis=last");
    CaseInsensitiveStringMap back = NpyTableIdentifier.decode(ident);
    assertThat(back.get("path")).isEqualTo("/d/x.npy");
    assertThat(back.get("rowAxis")).isEqualTo("last");
    assertThat(back.get("layout")).isEqualTo("matrix");
    assertThat(back.containsKey("batchSize")).isFalse();
  }

  @Test
  void severalPathsTravelAsJson() {
    Identifier ident =
        NpyTableIdentifier.encode(
            new CaseInsensitiveStringMap(Map.of("paths", "[\"/a.npy\",\"/b=1/c.npy\"]")));

    assertThat(ident.name()).isEqualTo("/a.npy");
    assertThat(NpyPaths.of(NpyTableIdentifier.decode(ident)))
        .containsExactly("/a.npy", "/b=1/c.npy");
  }

  @Test
  void sqlIdentifierWithoutOptionsIsJustAPath() {
    CaseInsensitiveStringMap options =
        NpyTableIdentifier.decode(Identifier.of(new String[0], "hdfs://nn/x.npz"));

    assertThat(NpyPaths.of(options)).isEqualTo(List.of("hdfs://nn/x.npz"));
  }

  @Test
  void namespaceEntriesMustBeKeyValue() {
    assertThatThrownBy(
            () -> NpyTableIdentifier.decode(Identifier.of(new String[] {"matrix"}, "/x.npy")))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("namespace entry 'matrix' is not key=value")
        .hasMessageContaining("npy.`key=value`.`/path/to/file.npy`");
  }

  @Test
  void missingPathIsAnOptionError() {
    assertThatThrownBy(() -> NpyPaths.of(new CaseInsensitiveStringMap(Map.of())))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageStartingWith("No path given");
    assertThatThrownBy(() -> NpyPaths.of(new CaseInsensitiveStringMap(Map.of("paths", "[1,"))))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("expected a JSON array of strings");
  }
}
