package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.header.NpyHeader;
import java.io.Serializable;
import java.util.List;

/**
 * Where and how a write publishes, decided on the driver: the qualified target path, the save mode
 * as it applies to the target ({@link Mode#APPEND} only when the path exists), merge or parts,
 * whether a path that another write creates meanwhile fails the commit ({@code failIfExists}:
 * CREATE TABLE AS SELECT, which ErrorIfExists and Ignore run as; otherwise a created path is
 * appended to), and for Append the existing header the new rows must match. A partitioned write
 * names its partition columns; {@code dynamicOverwrite} (with {@link Mode#OVERWRITE}) replaces only
 * the partitions it writes; {@code commitCopy} says who copies a merged file's parts on a local or
 * shared POSIX file system ({@link ExecutorCopy}).
 */
record WriteTarget(
    String path,
    Mode mode,
    boolean merge,
    boolean failIfExists,
    boolean localFileSystem,
    String queryId,
    NpyHeader existingHeader,
    int firstPartNumber,
    List<String> partitionColumns,
    boolean dynamicOverwrite,
    String commitCopy)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  WriteTarget(
      String path,
      Mode mode,
      boolean merge,
      boolean failIfExists,
      boolean localFileSystem,
      String queryId,
      NpyHeader existingHeader,
      int firstPartNumber) {
    this(
        path,
        mode,
        merge,
        failIfExists,
        localFileSystem,
        queryId,
        existingHeader,
        firstPartNumber,
        List.of(),
        false,
        ExecutorCopy.AUTO);
  }

  WriteTarget(
      String path,
      Mode mode,
      boolean merge,
      boolean failIfExists,
      boolean localFileSystem,
      String queryId,
      NpyHeader existingHeader,
      int firstPartNumber,
      List<String> partitionColumns,
      boolean dynamicOverwrite) {
    this(
        path,
        mode,
        merge,
        failIfExists,
        localFileSystem,
        queryId,
        existingHeader,
        firstPartNumber,
        partitionColumns,
        dynamicOverwrite,
        ExecutorCopy.AUTO);
  }

  /** This target with the {@code commitCopy} option's value. */
  WriteTarget withCommitCopy(String value) {
    return new WriteTarget(
        path,
        mode,
        merge,
        failIfExists,
        localFileSystem,
        queryId,
        existingHeader,
        firstPartNumber,
        partitionColumns,
        dynamicOverwrite,
        value);
  }

  /** This target published under {@code tag} (temporary and part names) instead of the query id. */
  WriteTarget withQueryId(String tag) {
    return new WriteTarget(
        path,
        mode,
        merge,
        failIfExists,
        localFileSystem,
        tag,
        existingHeader,
        firstPartNumber,
        partitionColumns,
        dynamicOverwrite,
        commitCopy);
  }

  /** Written as {@code column=value} directories under the path ({@code partitionBy}). */
  boolean partitioned() {
    return !partitionColumns.isEmpty();
  }

  enum Mode {
    /** The path does not exist (ErrorIfExists, Ignore, CTAS, Append to a new path). */
    CREATE,
    /** Overwrite (truncate): replaced at job commit. */
    OVERWRITE,
    /** Append to an existing file or directory of parts. */
    APPEND
  }
}
