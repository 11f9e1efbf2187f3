package io.github.sparknpy.spark.read;

import io.github.sparknpy.spark.compat.ScalaInterop;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;

/**
 * The errors of paths that Spark's file sources report with Spark's own {@link AnalysisException}
 * and error class, so that code catching them for Parquet catches them for npy too.
 */
final class PathErrors {
  private PathErrors() {}

  /**
   * Throws Spark's {@code [PATH_NOT_FOUND] Path does not exist: <path>.} ({@code
   * AnalysisException}, error class {@code PATH_NOT_FOUND}, SQLSTATE 42K03), as Parquet does for a
   * missing path. {@code AnalysisException} is a checked exception to Java, so it is thrown
   * unchecked.
   *
   * @param qualifiedPath the path as the file system qualifies it ({@code file:/tmp/x.npy})
   * @return never returns; declared so callers can write {@code throw PathErrors.notFound(p)}
   */
  static RuntimeException notFound(String qualifiedPath) {
    throw PathErrors.<RuntimeException>unchecked(
        new AnalysisException(
            "PATH_NOT_FOUND", ScalaInterop.toScalaMap(Map.of("path", qualifiedPath))));
  }

  /**
   * Spark's {@code UNABLE_TO_INFER_SCHEMA} for paths that exist but hold no file to read, naming
   * the paths and what the reader looks for.
   */
  static NpyPathException noFiles(List<String> paths, NpyReadOptions options) {
    return new NpyPathException(
        "Unable to infer schema for npy: no .npy or .npz file found in "
            + String.join(", ", paths)
            + ". The reader reads every file there except names starting with _ or . and"
            + " ending in ._COPYING_ (skipped as by Spark's file sources)"
            + (options.pathGlobFilter == null
                ? ""
                : "; only names matching pathGlobFilter " + options.pathGlobFilter)
            + (options.modifiedTime == null
                ? ""
                : "; only files modified within modifiedBefore/modifiedAfter")
            + (options.recursiveFileLookup
                ? ""
                : "; set recursiveFileLookup=true to read subdirectories")
            + (options.ignoreCorruptFiles
                ? "; unreadable files skipped (ignoreCorruptFiles)"
                : ""));
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E unchecked(Throwable t) throws E {
    throw (E) t;
  }
}
