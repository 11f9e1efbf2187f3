package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.header.NpyHeader;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A merged file built without copying its data, on file systems with {@link FileSystem#concat}
 * (HDFS): a new file holding only the final header, to which the tasks' staged data sections
 * (staged without headers, {@link WriteJob#dataOnlyParts}) are concatenated, a NameNode operation
 * that moves block references, not bytes. HDFS takes sources only from the target's directory, so
 * the parts are first renamed beside it under hidden names, and the header file takes their block
 * size and replication. If the file system refuses (erasure coding policies that differ, a source
 * in a snapshot, an encryption zone), nothing has changed and the caller copies instead.
 */
final class ConcatMerge {
  private static final Logger LOG = LoggerFactory.getLogger(ConcatMerge.class);

  private final FileSystem fs;
  private final TargetFiles files;

  ConcatMerge(FileSystem fs, TargetFiles files) {
    this.fs = fs;
    this.files = files;
  }

  /**
   * Why the parts cannot be concatenated under {@code header}, or null if they can be tried: they
   * must be staged data only, in the final dtype (strings of a narrower part are rewritten), on a
   * file system that has {@code concat}.
   */
  String refusal(Path target, List<Publication.Part> parts, NpyHeader header) throws IOException {
    if (parts.isEmpty()) {
      return "no rows";
    }
    for (Publication.Part p : parts) {
      if (p.dataOffset() != 0) {
        return "the parts were staged with headers";
      }
      if (!p.header().dtype().equals(header.dtype())) {
        return "part "
            + p.partitionId()
            + " has strings narrower than the longest of the job ("
            + p.header().dtype().descr()
            + ", widened to "
            + header.dtype().descr()
            + ")";
      }
    }
    if (!hasConcat(fs, target)) {
      return fs.getScheme() + " has no HDFS concat";
    }
    return null;
  }

  /**
   * Whether tasks should stage data only for a merged write to {@code target}: on HDFS (directly or
   * through WebHDFS) when it says it has concat. Other file systems that claim it do not all keep
   * the target's bytes (Hadoop 3.4's local file system overwrites it with the sources).
   */
  static boolean hasConcat(FileSystem fs, Path target) {
    if (!Set.of("hdfs", "webhdfs", "swebhdfs").contains(fs.getScheme())) {
      return false;
    }
    try {
      return fs.hasPathCapability(target.getParent(), CommonPathCapabilities.FS_CONCAT);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * {@code tmp} (created here: the header) with every part's data appended in order; the parts are
   * consumed. Returns false, with {@code tmp} deleted and the parts where they were, if the file
   * system refused the concat (the reason logged at INFO).
   */
  boolean build(Path tmp, List<Publication.Part> parts, NpyHeader header) throws IOException {
    byte[] encoded = header.encode();
    // HDFS refuses sources with a larger block size than the target's: the header file takes the
    // parts' (written with the executors' configuration, which may differ from the driver's)
    long blockSize = 0;
    short replication = 0;
    for (Publication.Part p : parts) {
      FileStatus status = fs.getFileStatus(p.file());
      blockSize = Math.max(blockSize, status.getBlockSize());
      replication = (short) Math.max(replication, status.getReplication());
    }
    List<Path> beside = new ArrayList<>();
    boolean concatenated = false;
    try {
      try (OutputStream out =
          fs.create(
              tmp,
              true,
              fs.getConf().getInt("io.file.buffer.size", 4096),
              replication,
              blockSize)) {
        out.write(encoded);
      }
      for (Publication.Part p : parts) {
        Path to =
            new Path(
                tmp.getParent(),
                tmp.getName() + "-" + String.format(Locale.ROOT, "%05d", beside.size()));
        if (!fs.rename(p.file(), to)) {
          throw new IOException("Cannot move the staged part " + p.file() + " to " + to);
        }
        beside.add(to);
      }
      try {
        fs.concat(tmp, beside.toArray(new Path[0]));
      } catch (UnsupportedOperationException | IOException | IllegalArgumentException e) {
        LOG.info(
            "{} refused to concatenate the {} staged parts into {} ({}); copying them instead",
            fs.getScheme(),
            parts.size(),
            tmp,
            e.toString());
        return false;
      }
      concatenated = true;
    } finally {
      if (!concatenated) {
        for (int i = beside.size() - 1; i >= 0; i--) {
          try {
            if (!fs.rename(beside.get(i), parts.get(i).file())) {
              LOG.warn("Could not move {} back to {}", beside.get(i), parts.get(i).file());
            }
          } catch (IOException e) {
            LOG.warn("Could not move {} back to {}", beside.get(i), parts.get(i).file(), e);
          }
        }
        files.deleteQuietly(tmp);
      }
    }
    long expected = encoded.length + header.dataBytes();
    long length = fs.getFileStatus(tmp).getLen();
    if (length != expected) {
      files.deleteQuietly(tmp);
      throw new IOException(
          "Concatenating the staged parts into "
              + tmp
              + " gave "
              + length
              + " bytes, not "
              + expected);
    }
    return true;
  }
}
