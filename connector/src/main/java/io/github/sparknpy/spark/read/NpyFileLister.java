package io.github.sparknpy.spark.read;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobFilter;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the files of a read with Hadoop, as Spark's file sources do: globs, directories (hidden
 * {@code _}/{@code .} names skipped, subdirectories only with {@code recursiveFileLookup}), {@code
 * pathGlobFilter}; sorted by path. Beyond Spark's listing: a directory reached again through a
 * symbolic link (a loop) is not listed again, a file reached under two names through links is read
 * once (under the first name in path order), and names with {@code :} (no valid Hadoop path: the
 * local file system cannot even name their checksum files) are skipped with a warning.
 */
final class NpyFileLister {
  private static final Logger LOG = LoggerFactory.getLogger(NpyFileLister.class);

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
    Map<String, String> realPaths = new HashMap<>();
    Set<String> visited = new HashSet<>();
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
          Listing listing = new Listing(fs, filter, options.recursiveFileLookup, visited);
          listing.add(st, realPath(fs, st, null), found, realPaths);
        } else if (filter == null || filter.accept(st.getPath())) {
          found.put(st.getPath().toString(), st);
          realPaths.put(st.getPath().toString(), realPath(fs, st, null));
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
    List<FileStatus> files = new ArrayList<>(found.size());
    Map<String, String> firstName = new HashMap<>();
    for (FileStatus st : found.values()) {
      String name = st.getPath().toString();
      String first = firstName.putIfAbsent(realPaths.getOrDefault(name, name), name);
      if (first != null) {
        LOG.warn(
            "Skipped {}: it is the file {} again (reached through a symbolic link), read once",
            name,
            first);
        continue;
      }
      files.add(st);
    }
    return files;
  }

  /**
   * Where a listed entry really is: local paths resolved with {@code toRealPath} (a directory's
   * entries below an already resolved {@code realParent} only when they are links themselves),
   * other file systems' links with {@link FileSystem#resolvePath}; otherwise its own path.
   */
  private static String realPath(FileSystem fs, FileStatus st, String realParent)
      throws IOException {
    Path path = st.getPath();
    if (FileIdentity.isLocal(path)) {
      java.nio.file.Path local = java.nio.file.Path.of(path.toUri());
      if (realParent != null && !Files.isSymbolicLink(local)) {
        return realParent + "/" + path.getName();
      }
      try {
        return local.toRealPath().toString();
      } catch (IOException e) {
        return path.toString(); // a dangling link: the probe reports it
      }
    }
    return st.isSymlink() ? fs.resolvePath(path).toString() : path.toString();
  }

  private static boolean isGlob(String p) {
    for (char c : new char[] {'*', '?', '[', '{'}) {
      if (p.indexOf(c) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** One recursive listing under a root directory, remembering the directories it has been in. */
  private record Listing(FileSystem fs, GlobFilter filter, boolean recursive, Set<String> visited) {

    void add(
        FileStatus dir,
        String realDir,
        Map<String, FileStatus> found,
        Map<String, String> realPaths)
        throws IOException {
      if (!visited.add(realDir)) {
        LOG.warn(
            "Skipped directory {}: it is {} again (a symbolic link loop or alias), listed once",
            dir.getPath(),
            realDir);
        return;
      }
      for (FileStatus st : fs.listStatus(dir.getPath())) {
        String name = st.getPath().getName();
        if (name.startsWith("_") || name.startsWith(".")) {
          continue;
        }
        if (name.indexOf(':') >= 0) {
          LOG.warn(
              "Skipped {}: a ':' in a file name makes no valid Hadoop path, so it cannot be read;"
                  + " rename it (e.g. ':' to '_') to read it",
              st.getPath());
          continue;
        }
        if (st.isDirectory()) {
          if (recursive) {
            add(st, realPath(fs, st, realDir), found, realPaths);
          }
        } else if (filter == null || filter.accept(st.getPath())) {
          found.put(st.getPath().toString(), st);
          realPaths.put(st.getPath().toString(), realPath(fs, st, realDir));
        }
      }
    }
  }
}
