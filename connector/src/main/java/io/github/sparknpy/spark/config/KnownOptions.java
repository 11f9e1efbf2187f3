package io.github.sparknpy.spark.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every option key of the npy source, read and write, and what is done with the others: options of
 * other formats that a write cannot honour are refused ({@link #refuseForeignWriteOptions}), any
 * other unknown key gets one warning naming the nearest known option ({@link #warnUnknown}). Keys
 * with a dot ({@code fs.s3a.endpoint}, {@code spark.…}) and {@code path}/{@code paths} pass: they
 * go to the Hadoop configuration, as in Spark's file sources.
 *
 * <p>The lists are checked against {@code NpyReadOptions} and {@code NpyWriteOptions} by a test: an
 * option added there must be added here.
 */
public final class KnownOptions {
  private static final Logger LOG = LoggerFactory.getLogger(KnownOptions.class);

  /** The read options (docs/reading.md, Options). */
  public static final List<String> READ =
      List.of(
          "layout",
          "rowAxis",
          "member",
          "pathGlobFilter",
          "recursiveFileLookup",
          "basePath",
          "ignoreCorruptFiles",
          "ignoreMissingFiles",
          "modifiedBefore",
          "modifiedAfter",
          "timeZone",
          "maxPartitionBytes",
          "batchSize",
          "maxHeaderBytes",
          "memoryMap",
          "vectoredReads",
          "maxFilesPerTrigger",
          "maxBytesPerTrigger");

  /** The write options (docs/writing.md, Options); {@code stringLength.<column>} too. */
  public static final List<String> WRITE =
      List.of(
          "merge",
          "layout",
          "members",
          "container",
          "compression",
          "dtype",
          "stringLength",
          "stringOverflow",
          "nulls",
          "allowPrecisionLoss",
          "allowLargeHeader",
          "batchBytes",
          "partitionOverwriteMode",
          "commitCopy");

  /** A streaming query's own settings, which Spark passes to the sink with its options. */
  private static final List<String> STREAMING_QUERY_KEYS =
      List.of("checkpointlocation", "queryname");

  /**
   * Keys that Spark or the connector itself set on a write ({@code __partition_columns} of Spark's
   * V1 save route, the connector's {@code __npy_save}): never a user's typo.
   */
  private static final String INTERNAL_PREFIX = "__";

  /** Per-column write options: {@code stringLength.<column>}. */
  private static final String COLUMN_PREFIX = "stringlength.";

  private static final String UNCOMPRESSED =
      " does not apply: .npy files are uncompressed, so that numpy can memory-map them (np.load(path,"
          + " mmap_mode='r')). Remove the option, or write an .npz archive (container=npz, or a"
          + " path ending in .npz), which takes compression=deflate as np.savez_compressed";

  private static final String TEXT =
      " is an option of text formats (CSV, JSON); .npy is binary: a header with the dtype and"
          + " shape, then fixed-width values, with no header line, separator, quoting or text"
          + " encoding. Remove the option";

  /** Options of Parquet, ORC, Avro, CSV and JSON writers, lower-cased, with what npy offers. */
  private static final Map<String, String> FOREIGN_WRITE = foreignWrite();

  /** Key prefixes (lower-cased) of other formats' settings. */
  private static final List<String> FOREIGN_PREFIXES = List.of("parquet.", "orc.", "avro.");

  private static Map<String, String> foreignWrite() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("compression", UNCOMPRESSED);
    m.put("codec", UNCOMPRESSED);
    for (String k : List.of("header", "sep", "delimiter", "quote", "escape", "quoteAll")) {
      m.put(k, TEXT);
    }
    for (String k : List.of("lineSep", "encoding", "charset")) {
      m.put(k, TEXT + " (strings are written as numpy's fixed-width UTF-32 <U, see stringLength)");
    }
    m.put("nullValue", TEXT + " (nulls: option nulls=error or nulls=fill)");
    m.put("emptyValue", TEXT);
    for (String k : List.of("dateFormat", "timestampFormat", "timestampNTZFormat")) {
      m.put(
          k,
          TEXT
              + " (dates are written as numpy datetime64 <M8[D], timestamps as <M8[us]: they have"
              + " no text format)");
    }
    m.put(
        "maxRecordsPerFile",
        " does not apply: merge=true writes one .npy file, merge=false one part per task."
            + " Remove the option; repartition the DataFrame to choose the number of parts");
    Map<String, String> lower = new LinkedHashMap<>();
    m.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    return lower;
  }

  private KnownOptions() {}

  /**
   * Refuses options of other formats' writers that would be silently ignored: {@code
   * compression}/{@code codec}, CSV and JSON text options, {@code parquet.*}, {@code orc.*}, {@code
   * avro.*} and {@code maxRecordsPerFile}.
   *
   * @param path the path written
   * @throws NpyOptionException naming the first such option and what npy offers instead
   */
  public static void refuseForeignWriteOptions(Map<String, String> options, String path) {
    for (String key : options.keySet()) {
      String lower = key.toLowerCase(Locale.ROOT);
      if (lower.equals("compression") && isNpzWrite(options, path)) {
        continue; // an .npz archive's own option
      }
      String advice = FOREIGN_WRITE.get(lower);
      if (advice == null && isForeignPrefixed(lower)) {
        advice =
            " is a setting of the "
                + key.substring(0, key.indexOf('.'))
                + " format and has no effect on .npy files. Remove the option";
      }
      if (advice != null) {
        throw new NpyOptionException(
            "Cannot write npy to " + path + ": option '" + key + "'" + advice);
      }
    }
  }

  /** An .npz write: option container=npz, or no container option and a path ending in .npz. */
  private static boolean isNpzWrite(Map<String, String> options, String path) {
    for (Map.Entry<String, String> e : options.entrySet()) {
      if (e.getKey().equalsIgnoreCase("container")) {
        return e.getValue() != null && e.getValue().trim().equalsIgnoreCase("npz");
      }
    }
    return path != null && path.toLowerCase(Locale.ROOT).endsWith(".npz");
  }

  private static boolean isForeignPrefixed(String lowerKey) {
    for (String prefix : FOREIGN_PREFIXES) {
      if (lowerKey.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** True for keys of the npy source or passed on to Hadoop: no warning. */
  static boolean isKnown(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    if (lower.equals("path")
        || lower.equals("paths")
        || STREAMING_QUERY_KEYS.contains(lower)
        || lower.startsWith(INTERNAL_PREFIX)
        || lower.startsWith(COLUMN_PREFIX)) {
      return true;
    }
    if (lower.contains(".")) {
      return true; // fs.*, spark.*, hadoop.*, dfs.*: the Hadoop configuration of the read/write
    }
    for (String k : READ) {
      if (k.equalsIgnoreCase(key)) {
        return true;
      }
    }
    for (String k : WRITE) {
      if (k.equalsIgnoreCase(key)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Logs one WARN per key of {@code options} that is no npy option (read or write), no Hadoop key
   * (one with a dot) and not {@code path}/{@code paths}, naming the nearest known option. The keys
   * {@link #refuseForeignWriteOptions} refuses are left to it on writes.
   *
   * @param write a write (else a read): the options listed and searched first
   * @param what the read or write, e.g. {@code "the npy read of /data/x.npy"}
   * @return the keys warned about
   */
  public static List<String> warnUnknown(Map<String, String> options, boolean write, String what) {
    List<String> warned = new ArrayList<>();
    for (String key : new TreeSet<>(options.keySet())) {
      String lower = key.toLowerCase(Locale.ROOT);
      if (isKnown(key)
          || (write && (FOREIGN_WRITE.containsKey(lower) || isForeignPrefixed(lower)))) {
        continue;
      }
      List<String> own = write ? WRITE : READ;
      String nearest = nearest(key, own);
      if (nearest == null) {
        nearest = nearest(key, write ? READ : WRITE);
      }
      LOG.warn(
          "Ignoring option '{}' of {}: it is not an npy option{}. The npy {} options are {};"
              + " keys with a '.' go to the Hadoop configuration",
          key,
          what,
          nearest == null ? "" : " (did you mean '" + nearest + "'?)",
          write ? "write" : "read",
          String.join(", ", own));
      warned.add(key);
    }
    return warned;
  }

  /** The option of {@code candidates} closest to {@code key}, or null if none is close. */
  static String nearest(String key, List<String> candidates) {
    String lower = key.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(lower, c.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    // a typo, not another word: at most a third of the key's letters, and at most 3
    return bestDistance <= Math.min(3, Math.max(1, key.length() / 3)) ? best : null;
  }

  /** Edit distance with transpositions (optimal string alignment): {@code layuot} → 1. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }
}
