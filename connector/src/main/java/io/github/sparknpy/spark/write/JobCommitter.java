package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.EncodedHeader;
import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.NpyHeader;
import io.github.sparknpy.npy.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.io.LocalInputFile;
import io.github.sparknpy.spark.hadoop.HadoopInputFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job commit: checks the committed parts against each other, then concatenates them in
 * partition order behind one header into a temporary sibling of the target and renames it over the
 * target (merge=true), appends them in place (Append on the local file system), or publishes them
 * as part files (merge=false). Nothing partial ever appears under the final name, and a commit that
 * fails before it has published everything undoes what it did: the temp file is deleted, an
 * in-place Append gets its old header and length back, published parts are taken out again and an
 * overwritten file moved aside is moved back.
 */
final class JobCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(JobCommitter.class);
  static final String SUCCESS = "_SUCCESS";

  /** The commit's steps a test can fail at (see {@link #checkpoint}). */
  enum Step {
    /** All new data is written (temp file, grown first part, or appended in place). */
    DATA_WRITTEN,
    /** Local Append: the header with the new row count is written, not yet forced. */
    HEADER_WRITTEN,
    /** merge=false: one more part is in the target directory. */
    PART_PUBLISHED
  }

  /** Fault injection at a commit step (tests only; null otherwise), as core's InPlaceMove has. */
  interface Checkpoint {
    void reached(Step step, Path target) throws IOException;
  }

  static volatile Checkpoint checkpoint;

  private final WriteJob job;
  private final WriteTarget target;
  private final Configuration conf;
  private final Path path;
  private final FileSystem fs;
  private final TargetFiles files;

  JobCommitter(WriteJob job, WriteTarget target) throws IOException {
    this.job = job;
    this.target = target;
    this.conf = job.hadoopConf().get();
    this.path = new Path(target.path());
    this.fs = path.getFileSystem(conf);
    this.files = new TargetFiles(fs, conf, target.localFileSystem());
  }

  /** One committed part, checked: where its data starts and how many bytes of it to take. */
  private record Part(NpyCommitMessage message, Path file, NpyHeader header, long dataOffset) {
    long dataBytes() {
      return header.dataBytes();
    }
  }

  void commit(NpyCommitMessage[] messages) throws IOException {
    long start = System.nanoTime();
    List<NpyCommitMessage> committed = new ArrayList<>();
    for (NpyCommitMessage m : messages) {
      if (m != null && m.rows() > 0) {
        committed.add(m);
      }
    }
    committed.sort(Comparator.comparingInt(NpyCommitMessage::partitionId));
    for (int i = 1; i < committed.size(); i++) {
      if (committed.get(i).partitionId() == committed.get(i - 1).partitionId()) {
        throw new NpyWriteException(
            "Cannot commit the npy write to "
                + path
                + ": partition "
                + committed.get(i).partitionId()
                + " was committed twice (attempts "
                + committed.get(i - 1).taskAttemptId()
                + " and "
                + committed.get(i).taskAttemptId()
                + "); keep spark.sql commit coordination on");
      }
    }
    WriteState fin = finalState(committed);
    long rows = committed.stream().mapToLong(NpyCommitMessage::rows).sum();
    NpyHeader header = job.layout().prepare(fin, rows);
    List<Part> parts = new ArrayList<>();
    for (NpyCommitMessage m : committed) {
      parts.add(checkPart(m));
    }
    long bytes;
    if (!target.merge()) {
      bytes = publishParts(parts, header);
    } else if (target.mode() == WriteTarget.Mode.APPEND
        && target.localFileSystem()
        && Npy.isAppendable(java.nio.file.Path.of(path.toUri()))) {
      bytes = appendInPlace(parts, header);
    } else {
      bytes = writeMerged(parts, header);
    }
    // Published: what follows must not fail the job (a failure here would make Spark abort a
    // write whose output is already in place).
    Path staging = new Path(job.stagingDir());
    try {
      fs.delete(staging, true);
    } catch (IOException e) {
      LOG.warn("Committed, but could not delete the npy staging directory {}", staging, e);
    }
    LOG.info(
        "Committed npy write to {} ({}, merge={}): {} parts, {} rows, {} bytes in {} ms",
        path,
        target.mode(),
        target.merge(),
        parts.size(),
        rows,
        bytes,
        (System.nanoTime() - start) / 1_000_000);
  }

  /** Array lengths must agree across parts; strings take the longest width of any part. */
  private WriteState finalState(List<NpyCommitMessage> committed) {
    WriteState fin = job.layout().newState(-1, job.fillNulls(), job.truncateStrings());
    NpyCommitMessage[] firstWith = new NpyCommitMessage[fin.dims.length];
    for (NpyCommitMessage m : committed) {
      for (ColumnNode node : job.layout().nodes) {
        int id = node.id;
        if (node instanceof ColumnNode.ArrayNode || node instanceof ColumnNode.VectorNode) {
          if (firstWith[id] == null) {
            firstWith[id] = m;
            fin.dims[id] = m.dims()[id];
          } else if (m.dims()[id] != fin.dims[id]) {
            throw new NpyWriteException(
                "Cannot commit the npy write to "
                    + path
                    + ": column '"
                    + node.column
                    + "' has arrays of length "
                    + fin.dims[id]
                    + " in partition "
                    + firstWith[id].partitionId()
                    + " but "
                    + m.dims()[id]
                    + " in partition "
                    + m.partitionId()
                    + ". A .npy array needs the same length in every row: pad or slice the"
                    + " arrays, or filter the rows");
          }
        } else if (node instanceof StringNode && fin.widths[id] < 0) {
          fin.widths[id] = Math.min(fin.widths[id], -1 - m.widths()[id]);
        }
      }
    }
    return fin;
  }

  /** Reads a staged part's header; a part whose data disagrees with it is recovered first. */
  private Part checkPart(NpyCommitMessage m) throws IOException {
    Path file = new Path(m.stagedPath());
    EncodedHeader h;
    long length;
    if (target.localFileSystem()) {
      java.nio.file.Path local = java.nio.file.Path.of(file.toUri());
      h = EncodedHeader.read(new LocalInputFile(local));
      length = Files.size(local);
      if (length - h.dataOffset() != h.header().dataBytes()) {
        Npy.recover(local, false);
        h = EncodedHeader.read(new LocalInputFile(local));
        length = Files.size(local);
      }
    } else {
      HadoopInputFile in = HadoopInputFile.fromPath(file, conf);
      h = EncodedHeader.read(in);
      length = in.getLength();
    }
    NpyHeader header = h.header();
    long data = length - h.dataOffset();
    long rowBytes = header.rowBytes();
    long usable = rowBytes == 0 ? m.rows() : data / rowBytes;
    if (usable != m.rows()) {
      throw new NpyWriteException(
          "Cannot commit the npy write to "
              + path
              + ": the staged part "
              + file
              + " of partition "
              + m.partitionId()
              + " holds "
              + usable
              + " complete rows ("
              + data
              + " data bytes) but its task committed "
              + m.rows()
              + ". The part is damaged; run the write again");
    }
    return new Part(m, file, header.withRowCount(m.rows()), h.dataOffset());
  }

  // ------------------------------------------------------------------------------------ merge

  /** Header, then (Append) the old data, then every part: into a temp sibling, renamed over. */
  private long writeMerged(List<Part> parts, NpyHeader header) throws IOException {
    NpyHeader existing = target.mode() == WriteTarget.Mode.APPEND ? target.existingHeader() : null;
    if (existing == null
        && target.localFileSystem()
        && !parts.isEmpty()
        && parts.get(0).header().dtype().equals(header.dtype())
        && header.encode().length == parts.get(0).dataOffset()) {
      return growFirstPart(parts, header);
    }
    NpyHeader out =
        existing == null ? header : header.withRowCount(existing.rowCount() + header.rowCount());
    Path tmp = new Path(path.getParent(), "." + path.getName() + ".npy-commit-" + target.queryId());
    long bytes = 0;
    try {
      try (WritableByteChannel ch = files.create(tmp)) {
        bytes += TargetFiles.writeFully(ch, ByteBuffer.wrap(out.encode()));
        if (existing != null) {
          EncodedHeader old = EncodedHeader.read(HadoopInputFile.fromPath(path, conf));
          if (!old.header().equals(existing)) {
            throw changedMeanwhile(old.header(), existing);
          }
          try (ReadableByteChannel in = files.open(path, old.dataOffset())) {
            bytes += TargetFiles.copy(in, existing.dataBytes(), ch, null);
          }
        }
        for (Part p : parts) {
          bytes += copyPart(p, header, ch);
        }
      }
      reached(Step.DATA_WRITTEN, tmp);
      files.rename(tmp, path);
      return bytes;
    } catch (IOException | RuntimeException e) {
      files.deleteQuietly(tmp);
      throw e;
    }
  }

  /**
   * Local file system, new content: the first part (staged beside the target, same file system)
   * becomes the result. The other parts' data is appended to it with {@code transferTo}, then its
   * header is rewritten for the total row count (same length: its spare space absorbs the extra
   * digits, so the bytes are what {@code np.save} writes), then it is renamed over the target. Only
   * parts 2…n are copied.
   */
  private long growFirstPart(List<Part> parts, NpyHeader header) throws IOException {
    Part first = parts.get(0);
    java.nio.file.Path file = java.nio.file.Path.of(first.file().toUri());
    long bytes;
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long end = first.dataOffset() + first.dataBytes();
      ch.truncate(end);
      ch.position(end);
      bytes = end;
      for (Part p : parts.subList(1, parts.size())) {
        bytes += copyPart(p, header, ch);
      }
      TargetFiles.writeFully(ch.position(0), ByteBuffer.wrap(header.encode()));
    }
    reached(Step.DATA_WRITTEN, first.file());
    files.rename(first.file(), path);
    return bytes;
  }

  private long copyPart(Part p, NpyHeader header, WritableByteChannel out) throws IOException {
    Relayout relayout =
        p.header().dtype().equals(header.dtype())
            ? null
            : Relayout.plan(p.header().dtype(), header.dtype(), elementsPerRow(header));
    try (ReadableByteChannel in = files.open(p.file(), p.dataOffset())) {
      return TargetFiles.copy(in, p.dataBytes(), out, relayout);
    }
  }

  private static void reached(Step step, Path target) throws IOException {
    Checkpoint c = checkpoint;
    if (c != null) {
      c.reached(step, target);
    }
  }

  private static long elementsPerRow(NpyHeader h) {
    long n = 1;
    for (long d : h.rowShape()) {
      n *= d;
    }
    return n;
  }

  /**
   * Local Append to an appendable file (one without numpy's spare header space is rewritten by
   * {@link #writeMerged} instead, so a failed commit leaves it byte for byte as it was, not
   * converted): the parts' data goes after the file's data first (forced to disk), then the header
   * is rewritten in place with the new row count and forced. Until this returns, any failure puts
   * the old header bytes back and cuts the file back to its old length, so a failed commit leaves
   * the file as it was, byte for byte; the old header never describes data that is not there.
   */
  private long appendInPlace(List<Part> parts, NpyHeader header) throws IOException {
    java.nio.file.Path file = java.nio.file.Path.of(path.toUri());
    try (FileChannel ch =
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      EncodedHeader old = EncodedHeader.read(new LocalInputFile(file));
      NpyHeader existing = old.header();
      if (!existing.dtype().equals(header.dtype())
          || !Arrays.equals(existing.rowShape(), header.rowShape())
          || existing.fortranOrder()) {
        throw changedMeanwhile(existing, target.existingHeader());
      }
      long end = old.dataOffset() + existing.dataBytes();
      if (ch.size() != end) {
        throw new NpyNeedsRecoveryException(
            "Cannot append to "
                + file
                + ": its header says "
                + existing.dataBytes()
                + " bytes of data but the file has "
                + (ch.size() - old.dataOffset())
                + ". Run 'npy recover "
                + file
                + "' (or Npy.recover) and write again; nothing was written");
      }
      ByteBuffer oldHeader = ByteBuffer.allocate((int) old.dataOffset());
      while (oldHeader.hasRemaining()) {
        if (ch.read(oldHeader, oldHeader.position()) < 0) {
          throw new java.io.EOFException("Cannot append to " + file + ": its header is cut short");
        }
      }
      long bytes = 0;
      try {
        ch.position(end);
        for (Part p : parts) {
          bytes += copyPart(p, header, ch);
        }
        ch.force(false);
        reached(Step.DATA_WRITTEN, path);
        NpyHeader grown = existing.withRowCount(existing.rowCount() + header.rowCount());
        byte[] encoded = grown.encode(old.version(), old.dataOffset());
        TargetFiles.writeFully(ch.position(0), ByteBuffer.wrap(encoded));
        reached(Step.HEADER_WRITTEN, path);
        ch.force(false);
        return bytes;
      } catch (IOException | RuntimeException e) {
        restore(ch, file, oldHeader.flip(), end, e);
        throw e;
      }
    }
  }

  /** Puts the old header back and cuts the appended bytes off; a failure here is reported too. */
  private static void restore(
      FileChannel ch, java.nio.file.Path file, ByteBuffer oldHeader, long end, Exception cause) {
    try {
      TargetFiles.writeFully(ch.position(0), oldHeader);
      ch.truncate(end);
      ch.force(false);
      LOG.info("Failed append to {} rolled back to its old {} bytes", file, end);
    } catch (IOException | RuntimeException r) {
      cause.addSuppressed(
          new NpyWriteException(
              "Cannot roll back the failed append to "
                  + file
                  + " (old length "
                  + end
                  + "): run 'npy recover "
                  + file
                  + "' to keep the rows its header counts",
              r));
    }
  }

  private NpyWriteException changedMeanwhile(NpyHeader now, NpyHeader before) {
    return new NpyWriteException(
        "Cannot append to "
            + path
            + ": the file changed while the job ran (header was "
            + before
            + ", is now "
            + now
            + "); nothing was written. Run the write again");
  }

  // ------------------------------------------------------------------------------------ parts

  /**
   * merge=false: each part becomes {@code part-NNNNN-<queryId>.npy} in the directory. Until every
   * new part is in, a failure takes the new parts out again and puts back an old file that stood at
   * the path (Overwrite of a file moves it aside first); old parts are deleted only after that.
   */
  private long publishParts(List<Part> parts, NpyHeader header) throws IOException {
    List<Path> old = new ArrayList<>();
    List<Path> published = new ArrayList<>();
    Path aside = null;
    boolean created = false;
    Path tmp = null;
    long bytes = 0;
    try {
      if (target.mode() == WriteTarget.Mode.OVERWRITE && fs.exists(path)) {
        if (fs.getFileStatus(path).isFile()) {
          aside = new Path(path.getParent(), "." + path.getName() + ".npy-old-" + target.queryId());
          files.rename(path, aside);
        } else {
          for (FileStatus s : fs.listStatus(path)) {
            String name = s.getPath().getName();
            if (s.isFile() && (name.equals(SUCCESS) || name.endsWith(".npy"))) {
              old.add(s.getPath());
            }
          }
        }
      }
      if (!fs.exists(path)) {
        fs.mkdirs(path);
        created = true;
      }
      int n = target.firstPartNumber();
      for (Part p : parts) {
        Path dest =
            new Path(path, String.format(Locale.ROOT, "part-%05d-%s.npy", n++, target.queryId()));
        if (p.header().dtype().equals(header.dtype())) {
          files.rename(p.file(), dest);
          published.add(dest);
          bytes += p.dataOffset() + p.dataBytes();
        } else {
          tmp = new Path(path, "." + dest.getName() + ".tmp");
          try (WritableByteChannel ch = files.create(tmp)) {
            bytes +=
                TargetFiles.writeFully(
                    ch, ByteBuffer.wrap(header.withRowCount(p.message().rows()).encode()));
            bytes += copyPart(p, header, ch);
          }
          files.rename(tmp, dest);
          tmp = null;
          published.add(dest);
        }
        reached(Step.PART_PUBLISHED, dest);
      }
    } catch (IOException | RuntimeException e) {
      unpublish(published, tmp, created, aside, e);
      throw e;
    }
    for (Path o : old) {
      fs.delete(o, false);
    }
    if (aside != null) {
      files.deleteQuietly(aside);
    }
    files.createEmpty(new Path(path, SUCCESS)); // as Hadoop's FileOutputCommitter does
    return bytes;
  }

  /** Undoes a failed publication; what cannot be undone is reported with the failure. */
  private void unpublish(
      List<Path> published, Path tmp, boolean created, Path aside, Exception cause) {
    try {
      if (tmp != null) {
        fs.delete(tmp, false);
      }
      for (Path p : published) {
        fs.delete(p, false);
      }
      if (created) {
        fs.delete(path, false);
      }
      if (aside != null) {
        files.rename(aside, path);
      }
      LOG.info(
          "Failed npy commit to {}: took {} published parts out again", path, published.size());
    } catch (IOException | RuntimeException r) {
      cause.addSuppressed(
          new NpyWriteException(
              "Cannot undo the failed commit to "
                  + path
                  + ": remove the parts named part-*-"
                  + target.queryId()
                  + ".npy"
                  + (aside == null ? "" : " and rename " + aside + " back to " + path),
              r));
    }
  }
}
