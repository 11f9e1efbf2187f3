package io.github.sparknpy.spark.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.spark.SparkTestBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Writer tests: numpy's view of what was written, and the staging leftovers check. */
abstract class WriterTestBase extends SparkTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String DESCRIBE =
      "a = np.load(sys.argv[1], mmap_mode='r')\n"
          + "def conv(v):\n"
          + "    if isinstance(v, float) and v != v: return 'nan'\n"
          + "    if isinstance(v, bytes): return 'b:' + v.hex()\n"
          + "    if isinstance(v, np.ndarray): return conv(v.tolist())\n"
          + "    if isinstance(v, (list, tuple)): return [conv(x) for x in v]\n"
          + "    if v is None: return 'NaT'\n"
          + "    return v if isinstance(v, (bool, int, float, str)) else str(v)\n"
          + "vals = a.tolist() if a.dtype.kind not in 'Mm' else"
          + " [x if x != np.iinfo(np.int64).min else None for x in a.astype('i8').ravel().tolist()]\n"
          + "print(json.dumps({'descr': np.lib.format.dtype_to_descr(a.dtype),"
          + " 'shape': list(a.shape), 'values': conv(vals),"
          + " 'appendable': len(np.lib.format.read_magic(open(sys.argv[1], 'rb')) or []) >= 0}))\n";

  /** numpy's {@code np.load(path, mmap_mode="r")}: descr (as JSON), shape and values. */
  static JsonNode numpy(Path file) {
    try {
      return JSON.readTree(Numpy.run(DESCRIBE, file.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The whole file is byte for byte what {@code np.save} writes for the array numpy loads. */
  static void assertNpSaveIdentical(Path file) {
    String same =
        Numpy.run(
            "import io\n"
                + "a = np.load(sys.argv[1])\n"
                + "b = io.BytesIO()\n"
                + "np.save(b, a)\n"
                + "print(b.getvalue() == open(sys.argv[1], 'rb').read())\n",
            file.toString());
    org.assertj.core.api.Assertions.assertThat(same.trim())
        .as("np.save-identical " + file)
        .isEqualTo("True");
  }

  static String descr(JsonNode n) {
    return n.get("descr").toString();
  }

  static String shape(JsonNode n) {
    return n.get("shape").toString();
  }

  static String values(JsonNode n) {
    return n.get("values").toString();
  }

  /** Names in {@code dir} starting with a dot (staging dirs, temp files). */
  static List<String> hiddenLeftovers(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
    }
  }
}
