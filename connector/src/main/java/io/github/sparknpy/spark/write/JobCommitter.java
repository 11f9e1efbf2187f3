package io.github.sparknpy.spark.write;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import io.github.sparknpy.npy.ExclusiveFile;
import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.error.NpyDiskFullException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.io.LocalInputFile;
import io.github.sparknpy.spark.hadoop.HadoopInputFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /**
   * One committed part, checked: where its data starts and how many bytes of it to take ({@code
   * partitionId} -1: a file the commit built).
   */
  private record Part(int partitionId, Path file, NpyHeader header, long dataOffset) {
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
    try {
      bytes = target.merge() ? publishMerged(parts, header) : publishParts(parts, header);
    } catch (IOException e) {
      throw diskFull(e, header);
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

  /**
   * A full disk during publication, restated: the commit undid what it did, so the target is as it
   * was. Other errors unchanged.
   */
  private IOException diskFull(IOException e, NpyHeader header) {
    if (e instanceof NpyDiskFullException || !NpyDiskFullException.isDiskFull(e)) {
      return e;
    }
    return new NpyDiskFullException(
        ("Cannot commit the npy write to %s: the disk is full (%s). Nothing was published and the"
                + " target is as it was: free space on its file system (the commit writes up to %s"
                + " bytes of new data beside it, or into it for a local Append) and run the write"
                + " again")
            .formatted(path, e.getMessage(), header.dataBytes()),
        e);
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
    return new Part(m.partitionId(), file, header.withRowCount(m.rows()), h.dataOffset());
  }

  // ------------------------------------------------------------------------------------ merge

  /** merge=true: one {@code .npy} at the path, by the save mode as it stands at commit time. */
  private long publishMerged(List<Part> parts, NpyHeader header) throws IOException {
    return switch (target.mode()) {
      case OVERWRITE -> replace(parts, header);
      case APPEND -> append(parts, header);
      case CREATE -> create(parts, header);
    };
  }

  /**
   * The new file is built beside the path and published only if the path is still free (a rename
   * that fails on an existing target). If another write created the path meanwhile, CREATE TABLE AS
   * SELECT (ErrorIfExists, Ignore) fails; an Append appends the new file's rows to it.
   */
  private long create(List<Part> parts, NpyHeader header) throws IOException {
    Part result = buildNew(parts, header);
    try {
      if (files.renameIfAbsent(result.file(), path)) {
        return result.dataOffset() + result.dataBytes();
      }
      if (target.failIfExists()) {
        throw new NpyWriteException(
            "Cannot create %s: another write created it while this job ran, and the save mode"
                    .formatted(path)
                + " (ErrorIfExists or Ignore) does not replace or extend an existing path. Nothing"
                + " was written; run the write again with mode append or overwrite if intended");
      }
      LOG.info("{} was created by another write while this Append ran: appending to it", path);
      return append(List.of(result), header);
    } finally {
      files.deleteQuietly(result.file());
    }
  }

  /**
   * The complete new file (header, then every part's data) under a temporary name beside the
   * target, returned as a single part. On the local file system the first part (staged beside the
   * target) becomes it: the other parts' data is appended with {@code transferTo} and its header is
   * rewritten for the total row count (same length: its spare space absorbs the extra digits, so
   * the bytes are what {@code np.save} writes). Only parts 2…n are copied then.
   */
  private Part buildNew(List<Part> parts, NpyHeader header) throws IOException {
    Part first = parts.isEmpty() ? null : parts.get(0);
    if (target.localFileSystem()
        && first != null
        && first.header().dtype().equals(header.dtype())
        && header.encode().length == first.dataOffset()) {
      try (FileChannel ch = FileChannel.open(local(first.file()), READ, WRITE)) {
        long end = first.dataOffset() + first.dataBytes();
        ch.truncate(end);
        ch.position(end);
        for (Part p : parts.subList(1, parts.size())) {
          copyPart(p, header, ch);
        }
        TargetFiles.writeFully(ch.position(0), ByteBuffer.wrap(header.encode()));
      }
      reached(Step.DATA_WRITTEN, first.file());
      return new Part(-1, first.file(), header, first.dataOffset());
    }
    Path tmp = tempSibling("commit");
    try {
      byte[] encoded = header.encode();
      try (WritableByteChannel ch = files.create(tmp)) {
        TargetFiles.writeFully(ch, ByteBuffer.wrap(encoded));
        for (Part p : parts) {
          copyPart(p, header, ch);
        }
      }
      reached(Step.DATA_WRITTEN, tmp);
      return new Part(-1, tmp, header, encoded.length);
    } catch (IOException | RuntimeException e) {
      files.deleteQuietly(tmp);
      throw e;
    }
  }

  /**
   * Overwrite: the new file replaces the path in one rename. A local file is replaced while its
   * appenders' lock is held, so no append of another program is half done when it goes.
   */
  private long replace(List<Part> parts, NpyHeader header) throws IOException {
    Part result = buildNew(parts, header);
    try {
      if (target.localFileSystem() && Files.isRegularFile(local(path))) {
        ExclusiveFile old = null;
        try {
          old = ExclusiveFile.open(local(path));
        } catch (NoSuchFileException | AccessDeniedException e) {
          // deleted meanwhile, or read-only (no appender can hold it): nothing to wait for
        }
        try {
          files.rename(result.file(), path);
        } finally {
          if (old != null) {
            old.close();
          }
        }
      } else {
        files.rename(result.file(), path);
      }
      return result.dataOffset() + result.dataBytes();
    } finally {
      files.deleteQuietly(result.file());
    }
  }

  /**
   * Append: the parts' rows go after the rows the file holds at commit time (not at planning:
   * another write may have appended since; its dtype and row shape must still be the planned ones).
   * On the local file system under the appenders' exclusive lock, held from reading the header to
   * publishing: in place for an appendable file, else by a rewritten copy renamed over it.
   * Elsewhere by a rewritten copy, published only if the file is unchanged since it was read
   * (length and modification time), else read again.
   */
  private long append(List<Part> parts, NpyHeader header) throws IOException {
    if (target.localFileSystem()) {
      java.nio.file.Path file = local(path);
      try (ExclusiveFile locked = ExclusiveFile.open(file)) {
        EncodedHeader old = locked.readHeader(EncodedHeader.DEFAULT_MAX_HEADER_BYTES);
        checkAppendable(old, locked.size(), header);
        if (old.isAppendable()) {
          return appendInPlace(locked.channel(), old, parts, header);
        }
        FileChannel source = locked.channel().position(old.dataOffset());
        return rewriteWith(old, parts, header, source, () -> true);
      } catch (NoSuchFileException e) {
        throw deletedMeanwhile(e);
      }
    }
    for (int attempt = 1; ; attempt++) {
      FileStatus before;
      try {
        before = fs.getFileStatus(path);
      } catch (FileNotFoundException e) {
        throw deletedMeanwhile(e);
      }
      EncodedHeader old = EncodedHeader.read(HadoopInputFile.fromStatus(before, conf));
      checkAppendable(old, before.getLen(), header);
      long bytes;
      try (ReadableByteChannel source = files.open(path, old.dataOffset())) {
        bytes = rewriteWith(old, parts, header, source, () -> unchanged(before));
      }
      if (bytes >= 0) {
        return bytes;
      }
      if (attempt == MAX_APPEND_ATTEMPTS) {
        throw new NpyWriteException(
            "Cannot append to %s: it changed %s times while this commit copied it (other writes to"
                    .formatted(path, attempt)
                + " the same file); nothing was written. Run the write again, or let one job"
                + " append at a time");
      }
      LOG.info("{} changed while the Append copied it; reading it again", path);
    }
  }

  private static final int MAX_APPEND_ATTEMPTS = 5;

  /** The last check before a rewritten copy is published; false: do not publish. */
  private interface PublishCheck {
    boolean stillValid() throws IOException;
  }

  private boolean unchanged(FileStatus before) throws IOException {
    try {
      FileStatus now = fs.getFileStatus(path);
      return now.getLen() == before.getLen()
          && now.getModificationTime() == before.getModificationTime();
    } catch (FileNotFoundException e) {
      return false;
    }
  }

  /**
   * Header (old rows plus new), the old data read from {@code source} (positioned at it), then
   * every part, into a temp sibling renamed over the path if {@code check} still holds. Returns the
   * bytes written, or -1 if the check failed (nothing published).
   */
  private long rewriteWith(
      EncodedHeader old,
      List<Part> parts,
      NpyHeader header,
      ReadableByteChannel source,
      PublishCheck check)
      throws IOException {
    NpyHeader existing = old.header();
    NpyHeader out = header.withRowCount(existing.rowCount() + header.rowCount());
    Path tmp = tempSibling("commit");
    long bytes = 0;
    try {
      try (WritableByteChannel ch = files.create(tmp)) {
        bytes += TargetFiles.writeFully(ch, ByteBuffer.wrap(out.encode()));
        bytes += TargetFiles.copy(source, existing.dataBytes(), ch, null);
        for (Part p : parts) {
          bytes += copyPart(p, header, ch);
        }
      }
      reached(Step.DATA_WRITTEN, tmp);
      if (!check.stillValid()) {
        return -1;
      }
      files.rename(tmp, path);
      return bytes;
    } finally {
      files.deleteQuietly(tmp);
    }
  }

  /**
   * The file at the path now must take the new rows: the planned dtype and row shape in C order,
   * and data matching its header.
   */
  private void checkAppendable(EncodedHeader old, long length, NpyHeader header) {
    NpyHeader existing = old.header();
    if (!existing.dtype().equals(header.dtype())
        || !Arrays.equals(existing.rowShape(), header.rowShape())
        || existing.fortranOrder()
        || existing.ndim() == 0) {
      throw changedMeanwhile(existing, target.existingHeader(), header);
    }
    long data = length - old.dataOffset();
    if (data != existing.dataBytes()) {
      throw NpyNeedsRecoveryException.beforeAppend(
          target.localFileSystem() ? local(path) : path, existing.dataBytes(), data);
    }
  }

  private Path tempSibling(String what) {
    return new Path(
        path.getParent(), "." + path.getName() + ".npy-" + what + "-" + target.queryId());
  }

  private static java.nio.file.Path local(Path p) {
    return java.nio.file.Path.of(p.toUri());
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

  private void reached(Step step, Path at) throws IOException {
    if (checkpoint != null) {
      checkpoint.reached(step, at);
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
   * Local Append to an appendable file, under its lock: the parts' data goes after the file's data
   * first (forced to disk), then the header is rewritten in place with the new row count and
   * forced. Until this returns, any failure puts the old header bytes back and cuts the file back
   * to its old length, so a failed commit leaves the file as it was, byte for byte; the old header
   * never describes data that is not there.
   */
  private long appendInPlace(FileChannel ch, EncodedHeader old, List<Part> parts, NpyHeader header)
      throws IOException {
    java.nio.file.Path file = local(path);
    NpyHeader existing = old.header();
    long end = old.dataOffset() + existing.dataBytes();
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

  private NpyWriteException changedMeanwhile(NpyHeader now, NpyHeader planned, NpyHeader produced) {
    return new NpyWriteException(
        ("Cannot append to %s: another write replaced it while this job ran; it now holds %s"
                + " (planned against %s), which does not take this job's rows (%s). Nothing was"
                + " written; run the write again")
            .formatted(path, now, planned == null ? "no file" : planned, produced));
  }

  private NpyWriteException deletedMeanwhile(IOException cause) {
    return new NpyWriteException(
        "Cannot append to %s: it was deleted while this job ran; nothing was written. Run the write again"
            .formatted(path),
        cause);
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
    PartNumbers claimed = null;
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
      created = files.mkdirIfAbsent(path);
      if (!created && target.failIfExists()) {
        throw new NpyWriteException(
            "Cannot create %s: another write created it while this job ran, and the save mode"
                    .formatted(path)
                + " (ErrorIfExists or Ignore) does not add to an existing path. Nothing was"
                + " written; run the write again with mode append or overwrite if intended");
      }
      claimed = claimPartNumbers(parts.size());
      int n = claimed.first();
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
                    ch, ByteBuffer.wrap(header.withRowCount(p.header().rowCount()).encode()));
            bytes += copyPart(p, header, ch);
          }
          files.rename(tmp, dest);
          tmp = null;
          published.add(dest);
        }
        reached(Step.PART_PUBLISHED, dest);
      }
    } catch (IOException | RuntimeException e) {
      if (claimed != null) {
        release(claimed);
      }
      unpublish(published, tmp, created, aside, e);
      throw e;
    }
    release(claimed);
    if (target.mode() == WriteTarget.Mode.OVERWRITE) {
      deleteOlderParts(claimed.first(), old);
    }
    if (aside != null) {
      files.deleteQuietly(aside);
    }
    files.createEmpty(new Path(path, SUCCESS)); // as Hadoop's FileOutputCommitter does
    return bytes;
  }

  /**
   * The numbers of this commit's parts, after every part and claim in the directory now (not when
   * the job was planned: another query may have appended since), claimed by creating hidden {@code
   * .part-NNNNN.claim} files that fail on an existing name. Two queries committing parts to one
   * directory at once so get disjoint, ordered numbers: one query's parts never interleave with
   * another's in name order. A claim lives until the part with its number is in.
   */
  private PartNumbers claimPartNumbers(int count) throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int first = target.firstPartNumber();
      for (FileStatus s : fs.listStatus(path)) {
        Matcher m = NUMBERED.matcher(s.getPath().getName());
        if (m.matches()) {
          first = Math.max(first, Integer.parseInt(m.group(1)) + 1);
        }
      }
      PartNumbers claim = new PartNumbers(first, new ArrayList<>());
      boolean all = true;
      for (int i = 0; i < count && all; i++) {
        Path marker = new Path(path, String.format(Locale.ROOT, ".part-%05d.claim", first + i));
        all = files.createIfAbsent(marker);
        if (all) {
          claim.markers().add(marker);
        }
      }
      if (all) {
        return claim;
      }
      release(claim); // another commit holds one of these numbers: list again past its claims
    }
    throw new NpyWriteException(
        "Cannot commit parts to %s: other writes kept claiming the same part numbers; nothing was written. Run the write again"
            .formatted(path));
  }

  /** A claim older than this is left by a driver that died mid-commit: no longer waited for. */
  private static final long STALE_CLAIM_MILLIS = 60 * 60 * 1000L;

  /**
   * Overwrite with parts: once this commit's parts are in, the parts numbered below its own go, and
   * the other {@code .npy} files and the {@code _SUCCESS} found at the start. Commits still holding
   * lower numbers are waited for first, so that two Overwrites at once leave exactly the parts of
   * the one that claimed the higher numbers (the later one), never a mix.
   */
  private void deleteOlderParts(int first, List<Path> listedAtStart) throws IOException {
    while (true) {
      boolean lowerClaimPending = false;
      List<Path> older = new ArrayList<>();
      for (FileStatus s : fs.listStatus(path)) {
        Matcher m = NUMBERED.matcher(s.getPath().getName());
        if (!m.matches() || Integer.parseInt(m.group(1)) >= first) {
          continue;
        }
        if (s.getPath().getName().startsWith(".")) {
          boolean stale = System.currentTimeMillis() - s.getModificationTime() > STALE_CLAIM_MILLIS;
          lowerClaimPending |= !stale;
        } else {
          older.add(s.getPath());
        }
      }
      if (lowerClaimPending) {
        sleep(200);
        continue;
      }
      older.addAll(listedAtStart);
      for (Path o : older) {
        fs.delete(o, false);
      }
      return;
    }
  }

  private static void sleep(long millis) throws java.io.InterruptedIOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("Interrupted while waiting for another npy commit");
    }
  }

  private static final Pattern NUMBERED = Pattern.compile("\\.?part-(\\d+)[-.].*");

  /** Claimed part numbers {@code first, first + 1, …} and the marker files that hold them. */
  private record PartNumbers(int first, List<Path> markers) {}

  private void release(PartNumbers claim) {
    for (Path marker : claim.markers()) {
      files.deleteQuietly(marker);
    }
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
