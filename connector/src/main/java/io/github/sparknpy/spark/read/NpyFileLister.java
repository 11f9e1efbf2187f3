package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.error.NpyException;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobFilter;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the files of a read with Hadoop, as Spark's file sources do: globs, directories, names
 * Spark skips ({@link #skippedName}), subdirectories only with {@code recursiveFileLookup}, {@code
 * pathGlobFilter}, {@code modifiedBefore}/{@code modifiedAfter}; a level of more directories than
 * {@code spark.sql.sources.parallelPartitionDiscovery.threshold} is listed on a driver thread pool;
 * sorted by path. Beyond Spark's listing: a directory reached again through a symbolic link (a
 * loop) is not listed again, a file reached under two names through links is read once (under the
 * first name in path order), and names with {@code :} (no valid Hadoop path: the local file system
 * cannot even name their checksum files) are skipped with a warning.
 */
final class NpyFileLister {
  private static final Logger LOG = LoggerFactory.getLogger(NpyFileLister.class);

  private NpyFileLister() {}

  /**
   * Names Spark's file listing skips ({@code HadoopFSUtils.shouldFilterOutPathName}) and Spark's
   * file index does not read as data: names starting with {@code .}, names starting with {@code _}
   * unless they contain {@code =} (partition directories), and in-progress copies ending in {@code
   * ._COPYING_} ({@code hadoop fs -put}). Spark keeps Parquet's {@code _metadata} summaries in the
   * listing for Parquet only; they are not data, so they are skipped here.
   */
  static boolean skippedName(String name) {
    return name.startsWith(".")
        || (name.startsWith("_") && !name.contains("="))
        || name.endsWith("._COPYING_");
  }

  /**
   * The files under {@code paths}, or null when none exists and {@code requireExisting} is false.
   *
   * @throws org.apache.spark.sql.AnalysisException PATH_NOT_FOUND naming the first path in order
   *     that does not exist (thrown unchecked), as Spark's file sources
   */
  static Listing list(
      List<String> paths, Configuration conf, NpyReadOptions options, boolean requireExisting)
      throws IOException {
    GlobFilter filter =
        options.pathGlobFilter == null ? null : new GlobFilter(options.pathGlobFilter);
    List<Root> roots = parallel(paths, options, p -> resolve(p, conf));
    String missing = null;
    boolean anyExists = false;
    for (Root root : roots) {
      if (root.matches == null || root.matches.length == 0) {
        missing = missing == null ? root.qualified : missing;
      } else {
        anyExists = true;
      }
    }
    if (!anyExists && !requireExisting) {
      return null;
    }
    if (missing != null) {
      throw PathErrors.notFound(missing);
    }
    Set<Path> basePaths = basePaths(roots, conf, options);
    Selection selection = new Selection(filter, options.modifiedTime);
    TreeMap<String, FileStatus> found = new TreeMap<>();
    Map<String, String> realPaths = new HashMap<>();
    Set<String> visited = new HashSet<>();
    List<Dir> level = new ArrayList<>();
    for (Root root : roots) {
      for (FileStatus st : root.matches) {
        String realPath = realPath(root.fs, st, null);
        if (st.isDirectory()) {
          if (visited.add(realPath)) {
            level.add(new Dir(root.fs, st, realPath));
          }
        } else if (skippedName(st.getPath().getName())) {
          LOG.warn(
              "Skipped {}: Spark's file sources skip names starting with _ or . and ending in"
                  + " ._COPYING_; rename the file to read it",
              st.getPath());
        } else if (selection.accept(st)) {
          found.put(st.getPath().toString(), st);
          realPaths.put(st.getPath().toString(), realPath);
        }
      }
    }
    while (!level.isEmpty()) {
      List<List<Entry>> listed =
          parallel(level, options, d -> listDir(d, options.ignoreMissingFiles));
      List<Dir> next = new ArrayList<>();
      for (int i = 0; i < level.size(); i++) {
        Dir dir = level.get(i);
        for (Entry e : listed.get(i)) {
          if (e.status.isDirectory()) {
            if (!options.recursiveFileLookup
                && !PartitionDiscovery.isPartitionDirectory(e.status.getPath().getName())) {
              continue;
            }
            if (!visited.add(e.realPath)) {
              LOG.warn(
                  "Skipped directory {}: it is {} again (a symbolic link loop or alias), listed"
                      + " once",
                  e.status.getPath(),
                  e.realPath);
              continue;
            }
            next.add(new Dir(dir.fs, e.status, e.realPath));
          } else if (selection.accept(e.status)) {
            found.put(e.status.getPath().toString(), e.status);
            realPaths.put(e.status.getPath().toString(), e.realPath);
          }
        }
      }
      level = next;
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
    return new Listing(files, basePaths);
  }

  /**
   * The files of a read, and the directories partition columns are found below: option {@code
   * basePath}, else each path that is a directory and the parent of each path that is a file (as
   * Spark's {@code PartitioningAwareFileIndex.basePaths}).
   */
  record Listing(List<FileStatus> files, Set<Path> basePaths) {}

  private static Set<Path> basePaths(List<Root> roots, Configuration conf, NpyReadOptions options)
      throws IOException {
    Set<Path> out = new HashSet<>();
    if (options.basePath == null) {
      for (Root root : roots) {
        for (FileStatus st : root.matches) {
          Path q = root.fs.makeQualified(st.getPath());
          out.add(st.isDirectory() ? q : q.getParent());
        }
      }
      return out;
    }
    Path base = new Path(options.basePath);
    FileSystem fs = base.getFileSystem(conf);
    Path qualified = fs.makeQualified(base);
    FileStatus st;
    try {
      st = fs.getFileStatus(base);
    } catch (FileNotFoundException e) {
      st = null;
    }
    if (st == null || !st.isDirectory()) {
      throw new NpyOptionException(
          "Invalid value '"
              + options.basePath
              + "' for option 'basePath': "
              + (st == null ? "it does not exist" : "it is a file")
              + "; basePath must be the directory above the partition directories (column=value)"
              + " of the paths read, as in Spark's file sources");
    }
    for (Root root : roots) {
      for (FileStatus match : root.matches) {
        String p = root.fs.makeQualified(match.getPath()).toString();
        if (!p.startsWith(qualified.toString())) {
          throw new NpyOptionException(
              "Wrong basePath "
                  + qualified
                  + " for the path "
                  + p
                  + ": basePath must be a directory above every path read. Give the table's root"
                  + " directory, or remove the option");
        }
      }
    }
    out.add(qualified);
    return out;
  }

  /** A path of the read: what it matches (null or empty when nothing), on its file system. */
  private record Root(FileSystem fs, String qualified, FileStatus[] matches) {}

  /** A directory to list and where it really is. */
  private record Dir(FileSystem fs, FileStatus status, String realPath) {}

  /** An entry of a directory (a name Spark would not skip) and where it really is. */
  private record Entry(FileStatus status, String realPath) {}

  /** The filters on files: {@code pathGlobFilter} and the modification times. */
  private record Selection(GlobFilter glob, ModifiedTimeFilter modified) {
    boolean accept(FileStatus st) {
      return (glob == null || glob.accept(st.getPath()))
          && (modified == null || modified.accept(st));
    }
  }

  private static Root resolve(String p, Configuration conf) throws IOException {
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
    return new Root(fs, fs.makeQualified(path).toString(), matches);
  }

  /**
   * The directory's statuses. Hadoop's local file system reports a directory that was there when it
   * checked and gone when it listed (a directory another write is replacing) as "Permission
   * denied": such a listing is made once more, which lists the replacement or finds the directory
   * gone (FileNotFoundException); a second refusal is a real one.
   */
  private static FileStatus[] listStatus(Dir dir) throws IOException {
    try {
      return dir.fs.listStatus(dir.status.getPath());
    } catch (java.nio.file.AccessDeniedException e) {
      LOG.info("Listing {} again: {}", dir.status.getPath(), e.getMessage());
      return dir.fs.listStatus(dir.status.getPath());
    }
  }

  /**
   * The entries of one directory, without the names Spark skips and names with {@code :}. A
   * directory deleted since it was found is empty under {@code ignoreMissingFiles} (Spark's
   * semantics), and fails otherwise.
   */
  private static List<Entry> listDir(Dir dir, boolean ignoreMissingFiles) throws IOException {
    FileStatus[] statuses;
    try {
      statuses = listStatus(dir);
    } catch (FileNotFoundException e) {
      if (ignoreMissingFiles) {
        LOG.warn("Skipped directory {}: it was deleted while it was listed", dir.status.getPath());
        return List.of();
      }
      throw e;
    }
    List<Entry> out = new ArrayList<>(statuses.length);
    for (FileStatus st : statuses) {
      String name = st.getPath().getName();
      if (skippedName(name)) {
        continue;
      }
      if (name.indexOf(':') >= 0) {
        LOG.warn(
            "Skipped {}: a ':' in a file name makes no valid Hadoop path, so it cannot be read;"
                + " rename it (e.g. ':' to '_') to read it",
            st.getPath());
        continue;
      }
      out.add(new Entry(st, realPath(dir.fs, st, dir.realPath)));
    }
    return out;
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

  /** A listing step that may fail with an {@link IOException}. */
  private interface IoFunction<T, R> {
    R apply(T t) throws IOException;
  }

  /**
   * {@code fn} over {@code items}, in order: on the calling thread for up to {@code
   * spark.sql.sources.parallelPartitionDiscovery.threshold} items (Spark lists as many serially),
   * else on a pool of at most {@link NpyReadOptions#listingParallelism} driver threads (Spark runs
   * a job; listing is I/O-bound, and a pool avoids the job's scheduling cost).
   */
  private static <T, R> List<R> parallel(List<T> items, NpyReadOptions options, IoFunction<T, R> fn)
      throws IOException {
    List<R> out = new ArrayList<>(items.size());
    if (items.size() <= options.parallelListingThreshold || options.listingParallelism < 2) {
      for (T item : items) {
        out.add(fn.apply(item));
      }
      return out;
    }
    int threads = Math.min(options.listingParallelism, items.size());
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "npy-file-lister");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<R>> futures = new ArrayList<>(items.size());
      for (T item : items) {
        futures.add(pool.submit(() -> fn.apply(item)));
      }
      for (Future<R> f : futures) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NpyException("Interrupted while listing files", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new UncheckedIOException(new IOException(cause));
    } finally {
      pool.shutdownNow();
    }
  }
}
