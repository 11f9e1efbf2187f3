package io.github.sparknpy.spark.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.connector.read.streaming.Offset;

/**
 * A position of the npy streaming source: for every file seen so far, the rows delivered up to this
 * offset (rows count along the row axis, as in the header). Written by Spark to the query's offset
 * log as {@code {"version":1,"rows":{"<path>":<rows>,…}}}.
 */
final class NpyStreamOffset extends Offset {
  static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  static final NpyStreamOffset EMPTY = new NpyStreamOffset(new TreeMap<>());

  private final SortedMap<String, Long> rows;

  NpyStreamOffset(SortedMap<String, Long> rows) {
    this.rows = Collections.unmodifiableSortedMap(new TreeMap<>(rows));
  }

  /** Rows delivered of each file, by path. */
  SortedMap<String, Long> rows() {
    return rows;
  }

  /** Rows of {@code path} delivered up to this offset (0 for a file not seen yet). */
  long rowsOf(String path) {
    Long n = rows.get(path);
    return n == null ? 0 : n;
  }

  @Override
  public String json() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    ObjectNode files = root.putObject("rows");
    rows.forEach(files::put);
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * @throws NpyStreamException when {@code json} is not an offset this source wrote (another
   *     source's checkpoint, or a newer version of this one)
   */
  static NpyStreamOffset fromJson(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw notOurs(json, e.getOriginalMessage());
    }
    if (root == null || !root.path("version").canConvertToInt() || !root.path("rows").isObject()) {
      throw notOurs(json, "it has no version and rows");
    }
    int version = root.get("version").asInt();
    if (version != VERSION) {
      throw notOurs(json, "version " + version + " is not " + VERSION);
    }
    SortedMap<String, Long> rows = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = root.get("rows").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().canConvertToLong() || e.getValue().asLong() < 0) {
        throw notOurs(json, "the row count of " + e.getKey() + " is " + e.getValue());
      }
      rows.put(e.getKey(), e.getValue().asLong());
    }
    return new NpyStreamOffset(rows);
  }

  private static NpyStreamException notOurs(String json, String why) {
    return new NpyStreamException(
        "Cannot resume the npy stream from offset "
            + json
            + ": "
            + why
            + ". The checkpoint was written by another source or another version of spark-npy;"
            + " start the query with a new checkpointLocation");
  }
}
