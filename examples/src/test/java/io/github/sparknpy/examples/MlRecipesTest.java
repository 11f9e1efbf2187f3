package io.github.sparknpy.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.testing.Numpy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/ml-recipes.md as written: its Java steps (here), its {@code python run} blocks run with real
 * numpy on what they wrote, its {@code python compile} blocks (PySpark, PyTorch, FAISS, which the
 * build machines lack) compiled.
 */
class MlRecipesTest extends ExamplesTestBase {
  private static final Path RECIPES = Path.of("..", "docs", "ml-recipes.md");
  private static final Pattern BLOCK =
      Pattern.compile("```python (run|compile)\\n(.*?)```", Pattern.DOTALL);

  @TempDir Path dir;

  @Test
  void theRecipesRunOnWhatTheirJavaStepsWrite() throws Exception {
    String out = path(dir);
    // Features and labels for the PyTorch Dataset, as in the recipe
    List<String> columns = new ArrayList<>(List.of("id", "id % 3 AS label"));
    String[] featureColumns = new String[12];
    for (int i = 0; i < 12; i++) {
      featureColumns[i] = "f" + i;
      columns.add(String.format(java.util.Locale.ROOT, "cos(id * %d) AS f%d", i + 1, i));
    }
    Dataset<Row> training =
        spark().range(0, 5_000, 1, 3).selectExpr(columns.toArray(new String[0]));
    Dataset<Row> trainingOrdered = training.orderBy("id").cache();
    trainingOrdered
        .selectExpr(featureColumns)
        .write()
        .format("npy")
        .mode(SaveMode.Overwrite)
        .option("layout", "matrix")
        .option("dtype", "<f4")
        .save(out + "/features.npy");
    trainingOrdered
        .select("label")
        .write()
        .format("npy")
        .mode(SaveMode.Overwrite)
        .save(out + "/labels.npy");
    trainingOrdered.unpersist();
    // The same in one job, as a column set, as in the recipe
    training
        .write()
        .format("npy")
        .mode(SaveMode.Overwrite)
        .option("layout", "columns")
        .option("members", "X:f0,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10,f11;y:label;ids:id")
        .option("dtype.X", "<f4")
        .save(out + "/train");
    // Embeddings for FAISS, as in the recipe
    Dataset<Row> embeddings =
        spark()
            .range(0, 10_000, 1, 4)
            .selectExpr(
                "id",
                "transform(sequence(0, 15), j -> CAST(sin(id * 16 + j) AS FLOAT)) AS embedding");
    Dataset<Row> ordered = embeddings.orderBy("id").cache();
    ordered.select("id").write().format("npy").mode(SaveMode.Overwrite).save(out + "/ids.npy");
    ordered
        .select("embedding")
        .write()
        .format("npy")
        .mode(SaveMode.Overwrite)
        .option("dtype", "<f4")
        .save(out + "/embeddings.npy");
    ordered
        .select("embedding")
        .write()
        .format("npy")
        .mode(SaveMode.Overwrite)
        .option("dtype", "<f2")
        .save(out + "/embeddings_f16.npy");
    ordered.unpersist();

    List<String> ran = new ArrayList<>();
    int compiled = 0;
    Matcher m = BLOCK.matcher(Files.readString(RECIPES, StandardCharsets.UTF_8));
    while (m.find()) {
      String code = m.group(2);
      if (m.group(1).equals("run")) {
        ran.add(Numpy.run(code.replace("/data/export", out)).trim());
      } else {
        Path py = dir.resolve("block" + compiled++ + ".py");
        Files.writeString(py, code);
        Numpy.run("import py_compile\npy_compile.compile(sys.argv[1], doraise=True)", py);
      }
    }
    assertThat(ran)
        .containsExactly("(10000, 16) float16", "5000 (12,) 1", "5000 ['X', 'y', 'ids'] float32");
    assertThat(compiled).isEqualTo(3);
  }
}
