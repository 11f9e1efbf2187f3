package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.ExclusiveFile;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.spark.hadoop.HadoopInputFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a streaming sink's target back to what it held before a micro-batch whose publication was
 * cut short (its {@link EpochLog} entry is pending, not committed), so that Spark's replay of the
 * micro-batch adds its rows exactly once: the file is cut back to its rows before (a local file in
 * place under the appenders' lock: length, then the header; elsewhere by a copy of those rows
 * renamed over it), a file the micro-batch created is deleted, and the part files it published
 * (merge=false, named by the micro-batch) are deleted.
 */
final class EpochRollback {
  private static final Logger LOG = LoggerFactory.getLogger(EpochRollback.class);

  private final Path target;
  private final boolean merge;
  private final boolean local;
  private final FileSystem fs;
  private final Configuration conf;
  private final TargetFiles files;
  private final Path pendingEntry;

  /**
   * @param pendingEntry the log's pending entry, named in messages
   */
  EpochRollback(
      Path target,
      boolean merge,
      boolean local,
      FileSystem fs,
      Configuration conf,
      TargetFiles files,
      Path pendingEntry) {
    this.pendingEntry = pendingEntry;
    this.target = target;
    this.merge = merge;
    this.local = local;
    this.fs = fs;
    this.conf = conf;
    this.files = files;
  }

  /**
   * @param tag the name the micro-batch published under ({@link NpyStreamingWrite#tag})
   * @return whether the target had changed (else the micro-batch was cut short before it published
   *     anything)
   */
  boolean restore(EpochLog.Entry before, String tag) throws IOException {
    if (!merge) {
      return deleteParts(tag);
    }
    if (!before.existed()) {
      if (!fs.exists(target)) {
        return false;
      }
      files.deleteQuietly(target);
      LOG.warn("Deleted {}: its first micro-batch {} was not committed", target, before.epoch());
      return true;
    }
    return local ? cutBackLocal(before) : cutBackByCopy(before);
  }

  private boolean deleteParts(String tag) throws IOException {
    FileStatus[] all;
    try {
      all = fs.listStatus(target);
    } catch (FileNotFoundException e) {
      return false;
    }
    boolean deleted = false;
    String suffix = "-" + tag + ".npy";
    for (FileStatus s : all) {
      String name = s.getPath().getName();
      if (name.startsWith("part-") && name.endsWith(suffix)) {
        files.deleteQuietly(s.getPath());
        LOG.warn("Deleted {}: its micro-batch was not committed", s.getPath());
        deleted = true;
      }
    }
    return deleted;
  }

  private boolean cutBackLocal(EpochLog.Entry before) throws IOException {
    java.nio.file.Path file = java.nio.file.Path.of(target.toUri());
    try (ExclusiveFile locked = ExclusiveFile.open(file)) {
      EncodedHeader h = locked.readHeader(EncodedHeader.DEFAULT_MAX_HEADER_BYTES);
      long size = locked.size();
      if (h.header().rowCount() == before.rowsBefore() && size == before.bytesBefore()) {
        return false;
      }
      NpyHeader back = checkedBack(h, size, before);
      FileChannel ch = locked.channel();
      ch.truncate(before.bytesBefore());
      ch.force(true);
      TargetFiles.writeFully(
          ch.position(0), ByteBuffer.wrap(back.encode(h.version(), h.dataOffset())));
      ch.force(true);
    } catch (NoSuchFileException e) {
      throw changed(before, "it was deleted", e);
    }
    LOG.warn(
        "Cut {} back to {} rows: micro-batch {} was not committed",
        target,
        before.rowsBefore(),
        before.epoch());
    return true;
  }

  private boolean cutBackByCopy(EpochLog.Entry before) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileStatus(target);
    } catch (FileNotFoundException e) {
      throw changed(before, "it was deleted", e);
    }
    EncodedHeader h = EncodedHeader.read(HadoopInputFile.fromStatus(status, conf).forFewReads());
    if (h.header().rowCount() == before.rowsBefore() && status.getLen() == before.bytesBefore()) {
      return false;
    }
    NpyHeader back = checkedBack(h, status.getLen(), before);
    Path tmp = new Path(target.getParent(), "." + target.getName() + ".npy-cutback");
    try {
      try (WritableByteChannel out = files.create(tmp);
          ReadableByteChannel in = files.open(target, h.dataOffset())) {
        TargetFiles.writeFully(out, ByteBuffer.wrap(back.encode(h.version(), h.dataOffset())));
        TargetFiles.copy(in, back.dataBytes(), out, null);
      }
      files.rename(tmp, target);
    } finally {
      if (fs.exists(tmp)) {
        files.deleteQuietly(tmp);
      }
    }
    LOG.warn(
        "Cut {} back to {} rows (by a copy): micro-batch {} was not committed",
        target,
        before.rowsBefore(),
        before.epoch());
    return true;
  }

  /** The header for the rows before; the file must still hold them where they were. */
  private NpyHeader checkedBack(EncodedHeader h, long size, EpochLog.Entry before) {
    NpyHeader back = h.header().withRowCount(before.rowsBefore());
    if (h.header().rowCount() < before.rowsBefore()
        || size < before.bytesBefore()
        || h.dataOffset() + back.dataBytes() != before.bytesBefore()) {
      throw changed(
          before, "it holds %s rows in %s bytes now".formatted(h.header().rowCount(), size), null);
    }
    return back;
  }

  private NpyStreamingSinkException changed(EpochLog.Entry before, String what, Exception cause) {
    return new NpyStreamingSinkException(
        ("Cannot restart the npy sink at %s: micro-batch %s of query %s was cut short while it"
                + " was published, and the file should hold the %s rows (%s bytes) it had before,"
                + " but %s: another program changed it. Check the file (python -m numpy, or 'npy"
                + " info'), then delete %s to let the query append to the file as it is")
            .formatted(
                target,
                before.epoch(),
                before.queryId(),
                before.rowsBefore(),
                before.bytesBefore(),
                what,
                pendingEntry),
        cause);
  }
}
