package io.github.sparknpy.spark.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** The paths of a read or write: option {@code path}, or {@code paths} (a JSON array). */
public final class NpyPaths {
  /** One path (what {@code load(path)} and {@code save(path)} set). */
  public static final String PATH = "path";

  /** Several paths, as a JSON array of strings (what {@code load(p1, p2, …)} sets). */
  public static final String PATHS = "paths";

  private static final ObjectMapper JSON = new ObjectMapper();

  private NpyPaths() {}

  /** The paths named by {@code options}, in the order given; fails if there are none. */
  public static List<String> of(CaseInsensitiveStringMap options) {
    List<String> paths = new ArrayList<>();
    String json = options.get(PATHS);
    if (json != null && !json.isBlank()) {
      try {
        paths.addAll(Arrays.asList(JSON.readValue(json, String[].class)));
      } catch (JsonProcessingException e) {
        throw new NpyOptionException(
            "Invalid value for option 'paths': expected a JSON array of strings, got " + json);
      }
    }
    String path = options.get(PATH);
    if (path != null && !path.isBlank() && !paths.contains(path)) {
      paths.add(0, path);
    }
    if (paths.isEmpty()) {
      throw new NpyOptionException(
          "No path given: use load(path) / save(path) or option(\"path\", ...) with the npy format");
    }
    return paths;
  }

  /** {@code paths} as the value of option {@link #PATHS}. */
  public static String toJson(List<String> paths) {
    try {
      return JSON.writeValueAsString(paths);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
