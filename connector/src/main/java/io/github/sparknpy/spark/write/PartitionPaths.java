package io.github.sparknpy.spark.write;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.Shell;

/**
 * Partition directories as Spark's file sources name them ({@code k=value/j=value/}): values
 * escaped as Spark's {@code ExternalCatalogUtils.escapePathName} escapes them, {@value
 * #DEFAULT_PARTITION} for null and empty values, and the file a merged partition is written to.
 */
public final class PartitionPaths {
  /** The directory name of a null (or empty string) partition value, as Hive and Spark name it. */
  public static final String DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__";

  /** The file of a partition directory written with {@code merge=true}. */
  public static final String MERGED_FILE = "data.npy";

  private static final BitSet ESCAPED = escapedChars();

  private PartitionPaths() {}

  private static BitSet escapedChars() {
    BitSet b = new BitSet(128);
    for (char c = '\u0001'; c <= '\u001F'; c++) {
      b.set(c);
    }
    for (char c : "\"#%'*/:=?\\\u007F{[]^".toCharArray()) {
      b.set(c);
    }
    if (Shell.WINDOWS) {
      for (char c : " <>|".toCharArray()) {
        b.set(c);
      }
    }
    return b;
  }

  /** {@code name} with the characters Spark escapes in partition paths as {@code %XX}. */
  public static String escape(String name) {
    StringBuilder sb = null;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 128 && ESCAPED.get(c)) {
        if (sb == null) {
          sb = new StringBuilder(name.length() + 8).append(name, 0, i);
        }
        sb.append('%').append(String.format(Locale.ROOT, "%02X", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? name : sb.toString();
  }

  /** The inverse of {@link #escape}, as Spark's {@code unescapePathName}. */
  public static String unescape(String path) {
    StringBuilder sb = new StringBuilder(path.length());
    int i = 0;
    while (i < path.length()) {
      char c = path.charAt(i);
      if (c == '%' && i + 2 < path.length()) {
        try {
          sb.append((char) Integer.parseInt(path.substring(i + 1, i + 3), 16));
          i += 3;
          continue;
        } catch (NumberFormatException e) {
          // not an escape: kept as it is
        }
      }
      sb.append(c);
      i++;
    }
    return sb.toString();
  }

  /** One directory level: {@code column=value} ({@value #DEFAULT_PARTITION} for null or ""). */
  public static String directory(String column, String value) {
    return escape(column)
        + "="
        + (value == null || value.isEmpty() ? DEFAULT_PARTITION : escape(value));
  }

  /**
   * The partition columns of the {@code column=value} directories under {@code root}, outermost
   * first, found along the first directory at each level (empty if {@code root} is not a directory
   * or holds none). A minimal discovery for writes, which only need the columns; the reader's
   * partition discovery (values, types, pruning) is its own.
   */
  public static List<String> discoverColumns(FileSystem fs, Path root) throws IOException {
    List<String> columns = new ArrayList<>();
    Path dir = root;
    while (true) {
      FileStatus[] children;
      try {
        if (!fs.getFileStatus(dir).isDirectory()) {
          return columns;
        }
        children = fs.listStatus(dir);
      } catch (FileNotFoundException e) {
        return columns;
      }
      Arrays.sort(children, Comparator.comparing(s -> s.getPath().getName()));
      Path next = null;
      for (FileStatus s : children) {
        String name = s.getPath().getName();
        int eq = name.indexOf('=');
        if (s.isDirectory() && eq > 0 && !name.startsWith(".") && !name.startsWith("_")) {
          columns.add(unescape(name.substring(0, eq)));
          next = s.getPath();
          break;
        }
      }
      if (next == null) {
        return columns;
      }
      dir = next;
    }
  }
}
