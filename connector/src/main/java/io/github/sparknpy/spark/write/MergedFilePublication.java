package io.github.sparknpy.spark.write;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import io.github.sparknpy.npy.ExclusiveFile;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
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
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * merge=true: one {@code .npy} at the path, by the save mode as it stands at commit time. Create
 * and Overwrite build the complete new file beside the path and rename it into place; Append adds
 * the rows to the file at the path now, in place for an appendable local file ({@link
 * InPlaceAppendPublication}) and otherwise by a rewritten copy renamed over it (elsewhere than on
 * the local file system only if the file is unchanged since it was read: compare and swap).
 */
final class MergedFilePublication extends Publication {
  private static final Logger LOG = LoggerFactory.getLogger(MergedFilePublication.class);

  MergedFilePublication(
      WriteTarget target,
      Configuration conf,
      FileSystem fs,
      TargetFiles files,
      Checkpoint checkpoint) {
    super(target, conf, fs, files, checkpoint);
  }

  @Override
  long publish(List<Part> parts, NpyHeader header) throws IOException {
    return switch (target.mode()) {
      case OVERWRITE -> replace(parts, header);
      case APPEND -> {
        if (target.failIfExists()) { // planned as a creation, the path existing: never extend it
          throw createdMeanwhile();
        }
        yield append(parts, header);
      }
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
        throw createdMeanwhile();
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
      List<Part> rest = parts.subList(1, parts.size());
      long end = first.dataOffset() + first.dataBytes();
      long restBytes = rest.stream().mapToLong(Part::dataBytes).sum();
      boolean sameDtype = rest.stream().allMatch(p -> p.header().dtype().equals(header.dtype()));
      boolean byExecutors =
          sameDtype
              && ExecutorCopy.applies(target.commitCopy(), rest.size(), restBytes, local(path));
      if (byExecutors) {
        copyOnExecutors(first.file(), end, rest);
      }
      try (FileChannel ch = FileChannel.open(local(first.file()), READ, WRITE)) {
        if (!byExecutors) {
          ch.truncate(end);
          ch.position(end);
          for (Part p : rest) {
            copyPart(p, header, ch);
          }
        }
        TargetFiles.writeFully(ch.position(0), ByteBuffer.wrap(header.encode()));
      }
      reached(Checkpoint.Step.DATA_WRITTEN, first.file());
      return new Part(-1, first.file(), header, first.dataOffset());
    }
    Path tmp = tempSibling("commit");
    if (!target.localFileSystem()) {
      ConcatMerge concat = new ConcatMerge(fs, files);
      String refusal = concat.refusal(path, parts, header);
      if (refusal == null && concat.build(tmp, parts, header)) {
        try {
          reached(Checkpoint.Step.DATA_WRITTEN, tmp);
        } catch (IOException | RuntimeException e) {
          files.deleteQuietly(tmp);
          throw e;
        }
        return new Part(-1, tmp, header, header.encode().length);
      }
      if (refusal != null) {
        LOG.info(
            "Merging {} parts for {} by copying {} bytes through the driver: {}",
            parts.size(),
            path,
            header.dataBytes(),
            refusal);
      }
    }
    try {
      byte[] encoded = header.encode();
      try (WritableByteChannel ch = files.create(tmp)) {
        TargetFiles.writeFully(ch, ByteBuffer.wrap(encoded));
        for (Part p : parts) {
          copyPart(p, header, ch);
        }
      }
      reached(Checkpoint.Step.DATA_WRITTEN, tmp);
      return new Part(-1, tmp, header, encoded.length);
    } catch (IOException | RuntimeException e) {
      files.deleteQuietly(tmp);
      throw e;
    }
  }

  /**
   * Grows {@code file} (the first part) to hold every part and has the executors copy the others
   * into it at their offsets ({@link ExecutorCopy}); the driver writes the header afterwards.
   */
  private void copyOnExecutors(Path file, long end, List<Part> rest) throws IOException {
    long start = System.nanoTime();
    List<ExecutorCopy.Task> tasks = new ArrayList<>(rest.size());
    long at = end;
    for (Part p : rest) {
      tasks.add(
          new ExecutorCopy.Task(
              local(file).toString(),
              at,
              local(p.file()).toString(),
              p.dataOffset(),
              p.dataBytes()));
      at += p.dataBytes();
    }
    try (FileChannel ch = FileChannel.open(local(file), READ, WRITE)) {
      ch.truncate(end);
      if (at > end) {
        ch.write(ByteBuffer.wrap(new byte[1]), at - 1); // sized (sparse) before the copies
      }
    }
    ExecutorCopy.run(tasks, "npy commit: copy " + rest.size() + " parts into " + path);
    LOG.info(
        "Executors copied {} parts ({} bytes) into {} in {} ms",
        rest.size(),
        at - end,
        path,
        (System.nanoTime() - start) / 1_000_000);
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
          return new InPlaceAppendPublication(this, locked, old).publish(parts, header);
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
      EncodedHeader old =
          EncodedHeader.read(HadoopInputFile.fromStatus(before, conf).forFewReads());
      checkAppendable(old, before.getLen(), header);
      long bytes;
      try (ReadableByteChannel source = files.open(path, old.dataOffset())) {
        bytes = rewriteWith(old, parts, header, source, () -> unchanged(before));
      }
      if (bytes >= 0) {
        return bytes;
      }
      if (attempt == MAX_APPEND_ATTEMPTS) {
        throw changedTooOften(attempt);
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
    if (!target.localFileSystem()) {
      LOG.info(
          "Appending to {} by copying its {} bytes and the {} new ones through the driver: {} cannot"
              + " rewrite the header at the start of an existing file",
          path,
          existing.dataBytes(),
          header.dataBytes(),
          fs.getScheme());
    }
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
      reached(Checkpoint.Step.DATA_WRITTEN, tmp);
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
  void checkAppendable(EncodedHeader old, long length, NpyHeader header) {
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

  private NpyWriteException changedMeanwhile(NpyHeader now, NpyHeader planned, NpyHeader produced) {
    return new NpyWriteException(
        ("Cannot append to %s: another write replaced it while this job ran; it now holds %s"
                + " (planned against %s), which does not take this job's rows (%s). Nothing was"
                + " written; run the write again")
            .formatted(path, now, planned == null ? "no file" : planned, produced));
  }

  NpyWriteException deletedMeanwhile(IOException cause) {
    return new NpyWriteException(
        "Cannot append to %s: it was deleted while this job ran; nothing was written. Run the write again"
            .formatted(path),
        cause);
  }

  /** A creation (ErrorIfExists, Ignore) found the path created by another write. */
  NpyWriteException createdMeanwhile() {
    return new NpyWriteException(
        "Cannot create %s: another write created it while this job ran, and the save mode"
                .formatted(path)
            + " (ErrorIfExists or Ignore) does not replace or extend an existing path. Nothing was"
            + " written; run the write again with mode append or overwrite if intended");
  }

  NpyWriteException changedTooOften(int attempts) {
    return new NpyWriteException(
        "Cannot append to %s: it changed %s times while this commit copied it (other writes to"
                .formatted(path, attempts)
            + " the same file); nothing was written. Run the write again, or let one job"
            + " append at a time");
  }
}
