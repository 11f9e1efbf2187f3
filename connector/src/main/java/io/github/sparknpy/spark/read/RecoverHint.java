package io.github.sparknpy.spark.read;

import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a message tells the user to do with a file that needs {@code npy recover}: the command with
 * the local path for files on this file system ({@code npy} takes {@code file:} URIs too), or the
 * copy-recover-copy-back steps for files on HDFS, S3 and other remote stores, which the CLI cannot
 * open.
 */
final class RecoverHint {
  /** Files already warned about (location and length), so a listing repeated per query is quiet. */
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private static final int MAX_REMEMBERED = 10_000;

  private RecoverHint() {}

  /** "run 'npy recover /tmp/x.npy'" or the steps for a remote file, to end a sentence. */
  static String recover(String location) {
    String local = localPath(location);
    if (local != null) {
      return "run 'npy recover " + local + "'";
    }
    return "copy it to a local disk (e.g. hdfs dfs -get, aws s3 cp), run 'npy recover' on the"
        + " copy and put the repaired file back ("
        + location
        + ")";
  }

  /** Whether to warn about {@code location} at {@code length}: once per file version per JVM. */
  static boolean firstWarning(String location, long length) {
    if (WARNED.size() >= MAX_REMEMBERED) {
      WARNED.clear();
    }
    return WARNED.add(location + "\u0000" + length);
  }

  /** The local path of a {@code file:} location (or a plain path), else null. */
  private static String localPath(String location) {
    if (location.startsWith("/")) {
      return location;
    }
    if (!location.regionMatches(true, 0, "file:", 0, 5)) {
      return null;
    }
    try {
      String path = new org.apache.hadoop.fs.Path(location).toUri().getPath();
      return path == null || path.isEmpty() ? location : path;
    } catch (IllegalArgumentException e) {
      return URI.create(location).getPath();
    }
  }
}
