package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.dtype.Relayout;
import io.github.sparknpy.npy.header.NpyHeader;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One way of publishing a job's checked parts at the target (see {@link JobCommitter}), and what
 * every way shares: the target, its file system, the commit's {@link Checkpoint}, the copy of a
 * part's data (converting strings to the job's final width) and the names of temporary siblings.
 */
abstract class Publication {
  final WriteTarget target;
  final Configuration conf;
  final Path path;
  final FileSystem fs;
  final TargetFiles files;
  private final Checkpoint checkpoint;

  Publication(
      WriteTarget target,
      Configuration conf,
      FileSystem fs,
      TargetFiles files,
      Checkpoint checkpoint) {
    this.target = target;
    this.conf = conf;
    this.path = new Path(target.path());
    this.fs = fs;
    this.files = files;
    this.checkpoint = checkpoint;
  }

  /** The same target, file system and checkpoint as {@code other}. */
  Publication(Publication other) {
    this(other.target, other.conf, other.fs, other.files, other.checkpoint);
  }

  /**
   * One committed part, checked: where its data starts and how many bytes of it to take ({@code
   * partitionId} -1: a file the commit built).
   */
  record Part(int partitionId, Path file, NpyHeader header, long dataOffset) {
    long dataBytes() {
      return header.dataBytes();
    }
  }

  /**
   * Publishes {@code parts} (in partition order) under {@code header}, the job's final header for
   * their rows; undoes what it did if it fails. Returns the bytes written.
   */
  abstract long publish(List<Part> parts, NpyHeader header) throws IOException;

  Path tempSibling(String what) {
    return new Path(
        path.getParent(), "." + path.getName() + ".npy-" + what + "-" + target.queryId());
  }

  static java.nio.file.Path local(Path p) {
    return java.nio.file.Path.of(p.toUri());
  }

  long copyPart(Part p, NpyHeader header, WritableByteChannel out) throws IOException {
    Relayout relayout =
        p.header().dtype().equals(header.dtype())
            ? null
            : Relayout.plan(p.header().dtype(), header.dtype(), elementsPerRow(header));
    try (ReadableByteChannel in = files.open(p.file(), p.dataOffset())) {
      return TargetFiles.copy(in, p.dataBytes(), out, relayout);
    }
  }

  void reached(Checkpoint.Step step, Path at) throws IOException {
    checkpoint.reached(step, at);
  }

  private static long elementsPerRow(NpyHeader h) {
    long n = 1;
    for (long d : h.rowShape()) {
      n *= d;
    }
    return n;
  }
}
