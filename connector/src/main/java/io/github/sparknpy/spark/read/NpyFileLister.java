package io.github.sparknpy.spark.read;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobFilter;
import org.apache.hadoop.fs.Path;

/**
 * Lists the files of a read with Hadoop, as Spark's file sources do: globs, directories (hidden
 * {@code _}/{@code .} names skipped, subdirectories only with {@code recursiveFileLookup}), {@code
 * pathGlobFilter}; sorted by path.
 */
final class NpyFileLister {
  private NpyFileLister() {}

  /**
   * The files under {@code paths}, or null when none exists and {@code requireExisting} is false.
   *
   * @throws NpyPathException naming the paths that do not exist
   */
  static List<FileStatus> list(
      List<String> paths, Configuration conf, NpyReadOptions options, boolean requireExisting)
      throws IOException {
    GlobFilter filter =
        options.pathGlobFilter == null ? null : new GlobFilter(options.pathGlobFilter);
    TreeMap<String, FileStatus> found = new TreeMap<>();
    List<String> missing = new ArrayList<>();
    boolean anyExists = false;
    for (String p : paths) {
      Path path = new Path(p);
      FileSystem fs = path.getFileSystem(conf);
      FileStatus[] matches;
      if (isGlob(p)) {
        matches = fs.globStatus(path);
      } else {
        try {
          matches = new FileStatus[] {fs.getFileStatus(path)};
        } catch (FileNotFoundException e) {
          matches = null;
        }
      }
      if (matches == null || matches.length == 0) {
        missing.add(fs.makeQualified(path).toString());
        continue;
      }
      anyExists = true;
      for (FileStatus st : matches) {
        if (st.isDirectory()) {
          addDirectory(fs, st, filter, options.recursiveFileLookup, found);
        } else if (filter == null || filter.accept(st.getPath())) {
          found.put(st.getPath().toString(), st);
        }
      }
    }
    if (!anyExists && !requireExisting) {
      return null;
    }
    if (!missing.isEmpty()) {
      throw new NpyPathException(
          "Path does not exist: "
              + String.join(", ", missing)
              + (paths.size() > 1 ? " (of the paths " + String.join(", ", paths) + ")" : ""));
    }
    return new ArrayList<>(found.values());
  }

  private static boolean isGlob(String p) {
    for (char c : new char[] {'*', '?', '[', '{'}) {
      if (p.indexOf(c) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static void addDirectory(
      FileSystem fs,
      FileStatus dir,
      GlobFilter filter,
      boolean recursive,
      Map<String, FileStatus> found)
      throws IOException {
    for (FileStatus st : fs.listStatus(dir.getPath())) {
      String name = st.getPath().getName();
      if (name.startsWith("_") || name.startsWith(".")) {
        continue;
      }
      if (st.isDirectory()) {
        if (recursive) {
          addDirectory(fs, st, filter, true, found);
        }
      } else if (filter == null || filter.accept(st.getPath())) {
        found.put(st.getPath().toString(), st);
      }
    }
  }
}
