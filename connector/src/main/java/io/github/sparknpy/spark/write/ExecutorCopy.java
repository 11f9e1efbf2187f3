package io.github.sparknpy.spark.write;

import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The parts of a merged file on a shared POSIX file system (NFS, Lustre, GPFS: {@code file:} paths
 * that every executor mounts) copied into it by the executors, one Spark task per part, each at the
 * part's offset in the file the driver has sized: the copy runs on as many machines as there are
 * executors instead of through one driver's network link. Copies are idempotent (same bytes at the
 * same offsets), so task retries and speculative copies are safe.
 */
final class ExecutorCopy {
  /** Values of the {@code commitCopy} write option. */
  static final String AUTO = "auto";

  static final String DRIVER = "driver";
  static final String EXECUTORS = "executors";

  /** Below this many bytes to copy a Spark job costs more than it saves. */
  static final long MIN_BYTES = 64L << 20;

  /** Spark's local property for the description the UI shows for a job. */
  private static final String JOB_DESCRIPTION = "spark.job.description";

  private ExecutorCopy() {}

  /** One part's data to {@code targetOffset} of the target. */
  record Task(String target, long targetOffset, String source, long sourceOffset, long length)
      implements Serializable {}

  /**
   * Whether {@code bytes} in {@code parts} parts are copied by the executors into {@code file}:
   * always with {@code commitCopy=executors}, never with {@code driver}; with {@code auto} when
   * Spark runs on a cluster (executors in other JVMs), the file is on a network file system (NFS,
   * Lustre, GPFS, …: {@link #onNetworkFileSystem}) and there is enough to copy. On a local disk the
   * driver's kernel copy is faster than any job (measured: docs/deploying.md).
   */
  static boolean applies(String mode, int parts, long bytes, Path file) {
    if (parts == 0 || DRIVER.equals(mode)) {
      return false;
    }
    if (EXECUTORS.equals(mode)) {
      return true;
    }
    return bytes >= MIN_BYTES
        && parts >= 2
        && !SparkContext.getOrCreate().isLocal()
        && onNetworkFileSystem(file);
  }

  /** File system types (as Linux names them) whose files every machine of a cluster may mount. */
  private static final List<String> NETWORK_TYPES =
      List.of(
          "nfs",
          "nfs4",
          "lustre",
          "gpfs",
          "cifs",
          "smb3",
          "smbfs",
          "beegfs",
          "ceph",
          "glusterfs",
          "fuse.glusterfs",
          "fuse.ceph",
          "fuse.beegfs",
          "panfs",
          "wekafs",
          "fuse.weka");

  static boolean onNetworkFileSystem(Path file) {
    try {
      Path existing = file;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      return existing != null
          && NETWORK_TYPES.contains(Files.getFileStore(existing).type().toLowerCase(Locale.ROOT));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Runs the copies as one Spark job; throws if any fails after Spark's retries. */
  static void run(List<Task> tasks, String description) {
    SparkContext sc = SparkContext.getOrCreate();
    String before = sc.getLocalProperty(JOB_DESCRIPTION);
    sc.setLocalProperty(JOB_DESCRIPTION, description);
    try {
      JavaSparkContext.fromSparkContext(sc)
          .parallelize(tasks, tasks.size())
          .foreach(ExecutorCopy::copy);
    } finally {
      sc.setLocalProperty(JOB_DESCRIPTION, before);
    }
  }

  static void copy(Task t) throws IOException {
    try (FileChannel in = FileChannel.open(Path.of(t.source()), StandardOpenOption.READ);
        FileChannel out = FileChannel.open(Path.of(t.target()), StandardOpenOption.WRITE)) {
      long done = 0;
      while (done < t.length()) {
        long n =
            in.transferTo(
                t.sourceOffset() + done, t.length() - done, out.position(t.targetOffset() + done));
        if (n <= 0) {
          throw new EOFException(
              t.source() + " ended after " + done + " of " + t.length() + " data bytes");
        }
        done += n;
      }
    }
  }
}
