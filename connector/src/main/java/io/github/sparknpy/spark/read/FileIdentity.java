package io.github.sparknpy.spark.read;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What a file was when a scan was planned: its length, modification time and, where the file system
 * has one, a key that changes when another file is published at the path (a local file's inode, an
 * object store's etag). Local files are stated with {@code java.nio} (nanosecond times and the
 * inode); other file systems through their Hadoop {@link FileStatus}.
 *
 * @param modificationTime nanoseconds since the epoch
 * @param key {@code inode …} for a local file, {@code etag …} where the status has one, else null
 */
record FileIdentity(long length, long modificationTime, String key) implements Serializable {

  /** Whether {@code path} is on the local file system (stated with java.nio). */
  static boolean isLocal(Path path) {
    return "file".equals(path.toUri().getScheme());
  }

  /**
   * The identity of a listed file: local files are stated again (the listing's status has no
   * inode), other file systems use the listed status as it is (no extra call).
   */
  static FileIdentity of(FileStatus listed) throws IOException {
    if (isLocal(listed.getPath())) {
      return local(listed.getPath());
    }
    return fromStatus(listed);
  }

  /** The identity of the file at {@code path} now (one status call). */
  static FileIdentity now(Path path, FileSystem fs) throws IOException {
    if (isLocal(path)) {
      return local(path);
    }
    return fromStatus(fs.getFileStatus(path));
  }

  private static FileIdentity local(Path path) throws IOException {
    java.nio.file.Path p = java.nio.file.Path.of(path.toUri());
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(p, BasicFileAttributes.class);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new java.io.FileNotFoundException("File " + path + " does not exist");
    }
    Object key = a.fileKey();
    return new FileIdentity(
        a.size(),
        a.lastModifiedTime().to(TimeUnit.NANOSECONDS),
        key == null ? null : "inode " + key);
  }

  private static FileIdentity fromStatus(FileStatus st) {
    String etag = st instanceof EtagSource e ? e.getEtag() : null;
    return new FileIdentity(
        st.getLen(),
        TimeUnit.MILLISECONDS.toNanos(st.getModificationTime()),
        etag == null || etag.isEmpty() ? null : "etag " + etag);
  }

  /** Same length, time and key: nothing was written since. */
  boolean unchanged(FileIdentity now) {
    return length == now.length
        && modificationTime == now.modificationTime
        && java.util.Objects.equals(key, now.key);
  }

  /** The same file object, written in place (a local append): same non-null key. */
  boolean sameObject(FileIdentity now) {
    return key != null && key.startsWith("inode ") && key.equals(now.key);
  }

  @Override
  public String toString() {
    return length
        + " bytes, modified "
        + java.time.Instant.ofEpochSecond(0, modificationTime)
        + (key == null ? "" : ", " + key);
  }
}
