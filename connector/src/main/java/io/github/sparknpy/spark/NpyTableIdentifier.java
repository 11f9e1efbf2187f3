package io.github.sparknpy.spark;

import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.config.NpyPaths;
import io.github.sparknpy.spark.read.NpyReadOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Encodes a path and the options that shape a table (its file set and schema) as an {@link
 * Identifier} of the {@code npy} path catalog: the name is the path, the namespace holds {@code
 * key=value} entries. Spark asks the catalog for the table before it passes the read options on, so
 * options such as {@code layout} must travel inside the identifier (Iceberg's source encodes
 * snapshot selectors the same way). SQL can use it too: {@code npy.`layout=matrix`.`/data/X.npy`}.
 */
final class NpyTableIdentifier {
  /** Options that change which files a table has or what its schema is. */
  static final List<String> TABLE_SHAPING_OPTIONS =
      List.of(
          NpyReadOptions.LAYOUT,
          NpyReadOptions.ROW_AXIS,
          NpyReadOptions.MEMBER,
          NpyReadOptions.PATH_GLOB_FILTER,
          NpyReadOptions.RECURSIVE_FILE_LOOKUP,
          NpyReadOptions.BASE_PATH,
          NpyReadOptions.IGNORE_CORRUPT_FILES,
          NpyReadOptions.IGNORE_MISSING_FILES,
          NpyReadOptions.MAX_HEADER_BYTES,
          NpyReadOptions.MODIFIED_BEFORE,
          NpyReadOptions.MODIFIED_AFTER,
          NpyReadOptions.TIME_ZONE);

  /** {@link #TABLE_SHAPING_OPTIONS} in lower case: the spelling of the namespace entries. */
  private static final Set<String> SHAPING_KEYS =
      TABLE_SHAPING_OPTIONS.stream()
          .map(k -> k.toLowerCase(Locale.ROOT))
          .collect(Collectors.toUnmodifiableSet());

  private NpyTableIdentifier() {}

  static Identifier encode(CaseInsensitiveStringMap options) {
    List<String> paths = NpyPaths.of(options);
    TreeMap<String, String> shaping = new TreeMap<>();
    for (Map.Entry<String, String> e : options.entrySet()) {
      String key = e.getKey().toLowerCase(Locale.ROOT);
      if (SHAPING_KEYS.contains(key) && e.getValue() != null) {
        shaping.put(key, e.getValue());
      }
    }
    if (paths.size() > 1) {
      shaping.put(NpyPaths.PATHS, NpyPaths.toJson(paths));
    }
    List<String> namespace = new ArrayList<>();
    shaping.forEach((k, v) -> namespace.add(k + "=" + v));
    return Identifier.of(namespace.toArray(new String[0]), paths.get(0));
  }

  static CaseInsensitiveStringMap decode(Identifier ident) {
    Map<String, String> options = new HashMap<>();
    for (String entry : ident.namespace()) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new NpyOptionException(
            "Cannot resolve npy table "
                + ident
                + ": namespace entry '"
                + entry
                + "' is not key=value (use npy.`key=value`.`/path/to/file.npy`)");
      }
      options.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
    if (!options.containsKey(NpyPaths.PATHS)) {
      options.put(NpyPaths.PATH, ident.name());
    }
    return new CaseInsensitiveStringMap(options);
  }
}
