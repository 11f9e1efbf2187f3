package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.spark.hadoop.HadoopInputFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partitioned write ({@code partitionBy}): one target per partition directory under the root
 * ({@code root/k=1/j=a/}), {@value PartitionPaths#MERGED_FILE} there with merge=true, numbered part
 * files with merge=false. The job commit publishes the partitions one by one, in directory name
 * order, and keeps what it needs to undo them until every partition is in:
 *
 * <ol>
 *   <li>Each partition's new file is built completely under a hidden name in its directory and
 *       renamed into place: locally over the old file in one {@code rename(2)} after a hard link
 *       has kept the old file aside; on Hadoop file systems the old file is renamed aside first,
 *       then the new one in (a reader may briefly find that one partition without its file). An
 *       Append builds the old rows and the new ones into the new file (the old file is not changed
 *       in place) and publishes it only if the old file has not changed meanwhile.
 *   <li>If any partition fails, every partition published so far is put back as it was (old files
 *       moved back, new files and directories removed) and the commit fails: the root is as it was.
 *   <li>Once all are in, what the save mode replaces goes: with a static Overwrite everything
 *       visible under the root that this write did not publish (other partitions, files, the old
 *       {@code _SUCCESS}); with a dynamic Overwrite (and with merge=false Overwrite) everything
 *       visible in the partition directories written that this write did not publish; nothing with
 *       Append. Then {@code _SUCCESS} is written at the root.
 * </ol>
 *
 * A concurrent reader so sees every file whole, partitions change one by one, and during a static
 * Overwrite old partitions that the write does not rewrite stay visible until every new one is in.
 */
final class PartitionedPublication extends Publication {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionedPublication.class);
  private static final Pattern PART = Pattern.compile("part-(\\d+)-.*\\.npy");

  /** What to undo if the commit fails before every partition is in. */
  private sealed interface Undo {}

  /** A new file or directory (and what is below it), deleted on undo. */
  private record Created(Path path) implements Undo {}

  /** An old file kept at {@code aside}, renamed back over {@code original} on undo. */
  private record Replaced(Path original, Path aside) implements Undo {}

  private final List<Undo> undo = new ArrayList<>();
  private final List<Path> asides = new ArrayList<>();
  private final Set<Path> published = new HashSet<>();

  PartitionedPublication(
      WriteTarget target,
      Configuration conf,
      FileSystem fs,
      TargetFiles files,
      Checkpoint checkpoint) {
    super(target, conf, fs, files, checkpoint);
  }

  @Override
  long publish(List<Part> parts, NpyHeader header) {
    throw new IllegalStateException("a partitioned write publishes by partition directory");
  }

  /**
   * Publishes every partition directory's parts (each list in partition order) under {@code
   * header}'s dtype, then removes what the save mode replaces and writes {@code _SUCCESS}.
   */
  long publish(SortedMap<String, List<Part>> partitions, NpyHeader header) throws IOException {
    long bytes = 0;
    try {
      prepareRoot();
      for (Map.Entry<String, List<Part>> e : partitions.entrySet()) {
        Path dir = new Path(path, e.getKey());
        bytes +=
            target.merge()
                ? publishMerged(dir, e.getValue(), header)
                : publishParts(dir, e.getValue(), header);
        reached(Checkpoint.Step.PART_PUBLISHED, dir);
      }
    } catch (IOException | RuntimeException e) {
      rollBack(e);
      throw e;
    }
    for (Path aside : asides) {
      files.deleteQuietly(aside);
    }
    if (target.mode() == WriteTarget.Mode.OVERWRITE) {
      List<String> written = new ArrayList<>(partitions.keySet());
      if (target.dynamicOverwrite()) {
        for (String dir : written) {
          deleteUnpublished(new Path(path, dir));
        }
      } else {
        deleteOutside(path, "", written);
      }
    }
    files.createEmpty(new Path(path, PartFilesPublication.SUCCESS));
    return bytes;
  }

  /**
   * The root: created if absent (CREATE TABLE AS SELECT fails if another write created it
   * meanwhile); a file standing where an Overwrite writes directories is moved aside until the
   * commit is done.
   */
  private void prepareRoot() throws IOException {
    FileStatus status = statusOrNull(path);
    if (status != null && status.isFile() && target.mode() == WriteTarget.Mode.OVERWRITE) {
      Path aside =
          new Path(path.getParent(), "." + path.getName() + ".npy-old-" + target.queryId());
      files.rename(path, aside);
      undo.add(new Replaced(path, aside));
      asides.add(aside);
      status = null;
    } else if (status != null && status.isFile()) {
      throw new NpyWriteException(
          ("Cannot write partition directories under %s: it is a file (another write replaced the"
                  + " directory while this job ran?). Nothing was written; write with"
                  + " mode(\"overwrite\") to replace it, or choose another path")
              .formatted(path));
    }
    if (status == null) {
      if (files.mkdirIfAbsent(path)) {
        undo.add(new Created(path));
      } else if (target.failIfExists()) {
        throw createdMeanwhile(path);
      }
    } else if (target.mode() == WriteTarget.Mode.CREATE && target.failIfExists()) {
      throw createdMeanwhile(path);
    }
  }

  private NpyWriteException createdMeanwhile(Path p) {
    return new NpyWriteException(
        "Cannot create %s: another write created it while this job ran, and the save mode"
                .formatted(p)
            + " (ErrorIfExists or Ignore) does not replace or extend an existing path. Nothing"
            + " was written; run the write again with mode append or overwrite if intended");
  }

  /** Creates {@code dir} and its missing parents below the root, recording the topmost created. */
  private void makeDirectory(Path dir) throws IOException {
    Path topmostMissing = null;
    for (Path p = dir; p != null && !p.equals(path); p = p.getParent()) {
      if (statusOrNull(p) == null) {
        topmostMissing = p;
      } else {
        break;
      }
    }
    if (topmostMissing != null) {
      fs.mkdirs(dir);
      undo.add(new Created(topmostMissing));
    }
  }

  /**
   * merge=true: the partition's {@value PartitionPaths#MERGED_FILE}, built complete under a hidden
   * name beside it (for Append: its old rows, then the new ones) and renamed into place.
   */
  private long publishMerged(Path dir, List<Part> parts, NpyHeader header) throws IOException {
    makeDirectory(dir);
    Path file = new Path(dir, PartitionPaths.MERGED_FILE);
    Path tmp = new Path(dir, "." + PartitionPaths.MERGED_FILE + ".npy-commit-" + target.queryId());
    long rows = 0;
    for (Part p : parts) {
      rows += p.header().rowCount();
    }
    FileStatus old = statusOrNull(file);
    boolean append = target.mode() == WriteTarget.Mode.APPEND && old != null;
    long bytes = 0;
    try {
      try (WritableByteChannel out = files.create(tmp)) {
        if (append) {
          EncodedHeader existing =
              EncodedHeader.read(HadoopInputFile.fromStatus(old, conf).forFewReads());
          checkAppendable(file, existing, old.getLen(), header);
          NpyHeader grown = header.withRowCount(existing.header().rowCount() + rows);
          bytes += TargetFiles.writeFully(out, ByteBuffer.wrap(grown.encode()));
          try (ReadableByteChannel in = files.open(file, existing.dataOffset())) {
            bytes += TargetFiles.copy(in, existing.header().dataBytes(), out, null);
          }
        } else {
          bytes += TargetFiles.writeFully(out, ByteBuffer.wrap(header.withRowCount(rows).encode()));
        }
        for (Part p : parts) {
          bytes += copyPart(p, header, out);
        }
      }
      reached(Checkpoint.Step.DATA_WRITTEN, tmp);
      if (old == null) {
        if (!files.renameIfAbsent(tmp, file)) {
          throw new NpyWriteException(
              ("Cannot publish %s: another write created it while this job ran. Nothing was"
                      + " written; run the write again")
                  .formatted(file));
        }
        undo.add(new Created(file));
      } else {
        if (append && !unchanged(file, old)) {
          throw new NpyWriteException(
              ("Cannot append to %s: another write changed it while this job copied it. Nothing"
                      + " was written; run the write again")
                  .formatted(file));
        }
        replaceKeepingOld(tmp, file);
      }
      published.add(file);
      return bytes;
    } finally {
      files.deleteQuietly(tmp);
    }
  }

  /**
   * Renames {@code tmp} over {@code file}, keeping the old file under a hidden name until the
   * commit is done: locally a hard link keeps it and one {@code rename(2)} replaces it (readers see
   * the old file or the new one), elsewhere it is renamed aside before the new one comes in.
   */
  private void replaceKeepingOld(Path tmp, Path file) throws IOException {
    Path aside = new Path(file.getParent(), "." + file.getName() + ".npy-old-" + target.queryId());
    if (target.localFileSystem()) {
      java.nio.file.Path a = local(aside);
      Files.deleteIfExists(a);
      try {
        Files.createLink(a, local(file));
      } catch (UnsupportedOperationException | FileSystemException e) {
        if (e instanceof FileAlreadyExistsException) {
          throw (FileAlreadyExistsException) e;
        }
        Files.copy(local(file), a);
      }
      asides.add(aside);
      undo.add(new Replaced(file, aside));
      files.rename(tmp, file);
    } else {
      files.rename(file, aside);
      asides.add(aside);
      undo.add(new Replaced(file, aside));
      if (!files.renameIfAbsent(tmp, file)) {
        throw new NpyWriteException(
            ("Cannot publish %s: another write created it while this job replaced it. Nothing was"
                    + " written; run the write again")
                .formatted(file));
      }
    }
  }

  /** merge=false: the parts become numbered files in the partition directory, after its parts. */
  private long publishParts(Path dir, List<Part> parts, NpyHeader header) throws IOException {
    makeDirectory(dir);
    int next = 0;
    for (FileStatus s : fs.listStatus(dir)) {
      Matcher m = PART.matcher(s.getPath().getName());
      if (m.matches()) {
        next = Math.max(next, Integer.parseInt(m.group(1)) + 1);
      }
    }
    long bytes = 0;
    for (Part p : parts) {
      Path dest =
          new Path(dir, String.format(Locale.ROOT, "part-%05d-%s.npy", next++, target.queryId()));
      if (p.header().dtype().equals(header.dtype())) {
        if (!files.renameIfAbsent(p.file(), dest)) {
          throw new NpyWriteException(
              "Cannot publish %s: another write created it. Nothing was written; run the write again"
                  .formatted(dest));
        }
        bytes += p.dataOffset() + p.dataBytes();
      } else {
        Path tmp = new Path(dir, "." + dest.getName() + ".tmp");
        try {
          try (WritableByteChannel ch = files.create(tmp)) {
            bytes +=
                TargetFiles.writeFully(
                    ch, ByteBuffer.wrap(header.withRowCount(p.header().rowCount()).encode()));
            bytes += copyPart(p, header, ch);
          }
          if (!files.renameIfAbsent(tmp, dest)) {
            throw new NpyWriteException(
                "Cannot publish %s: another write created it. Nothing was written; run the write again"
                    .formatted(dest));
          }
        } finally {
          files.deleteQuietly(tmp);
        }
      }
      undo.add(new Created(dest));
      published.add(dest);
    }
    return bytes;
  }

  /** The partition file at the path now must take the new rows, as planned. */
  private void checkAppendable(Path file, EncodedHeader old, long length, NpyHeader header) {
    NpyHeader existing = old.header();
    if (!existing.dtype().equals(header.dtype())
        || !Arrays.equals(existing.rowShape(), header.rowShape())
        || existing.fortranOrder()
        || existing.ndim() == 0) {
      throw new NpySchemaMismatchException(
          ("Cannot append to %s: it holds %s, which does not take this write's rows (%s). Every"
                  + " partition file of an npy directory needs the same dtype and row shape;"
                  + " nothing was written. Write with mode(\"overwrite\") to replace the"
                  + " directory, or select and cast the columns to match")
              .formatted(file, existing, header));
    }
    if (length - old.dataOffset() != existing.dataBytes()) {
      throw io.github.sparknpy.npy.error.NpyNeedsRecoveryException.beforeAppend(
          target.localFileSystem() ? local(file) : file,
          existing.dataBytes(),
          length - old.dataOffset());
    }
  }

  private boolean unchanged(Path file, FileStatus before) throws IOException {
    FileStatus now = statusOrNull(file);
    return now != null
        && now.getLen() == before.getLen()
        && now.getModificationTime() == before.getModificationTime();
  }

  private FileStatus statusOrNull(Path p) throws IOException {
    try {
      return fs.getFileStatus(p);
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  /** Puts every partition published so far back as it was, newest first. */
  private void rollBack(Exception cause) {
    for (int i = undo.size() - 1; i >= 0; i--) {
      Undo u = undo.get(i);
      try {
        if (u instanceof Created c) {
          fs.delete(c.path(), true);
        } else if (u instanceof Replaced r) {
          files.rename(r.aside(), r.original());
        }
      } catch (IOException | RuntimeException e) {
        cause.addSuppressed(
            new NpyWriteException(
                "Cannot undo the failed commit to "
                    + path
                    + ": "
                    + (u instanceof Replaced r
                        ? "rename " + r.aside() + " back to " + r.original()
                        : "delete " + ((Created) u).path()),
                e));
      }
    }
    LOG.info("Failed npy commit to {}: took {} published changes back", path, undo.size());
  }

  /**
   * Deletes the visible entries of a written partition directory that this write did not publish.
   */
  private void deleteUnpublished(Path dir) throws IOException {
    for (FileStatus s : fs.listStatus(dir)) {
      if (!s.getPath().getName().startsWith(".") && !published.contains(s.getPath())) {
        fs.delete(s.getPath(), true);
      }
    }
  }

  /**
   * Static Overwrite: deletes everything visible below {@code dir} ({@code rel} under the root)
   * that is not on the way to a written partition directory, and in written partition directories
   * what this write did not publish. Hidden names (other commits' temporary files) stay.
   */
  private void deleteOutside(Path dir, String rel, List<String> written) throws IOException {
    for (FileStatus s : fs.listStatus(dir)) {
      String name = s.getPath().getName();
      if (name.startsWith(".")) {
        continue;
      }
      String childRel = rel.isEmpty() ? name : rel + "/" + name;
      if (s.isDirectory() && written.contains(childRel)) {
        deleteUnpublished(s.getPath());
      } else if (s.isDirectory() && written.stream().anyMatch(w -> w.startsWith(childRel + "/"))) {
        deleteOutside(s.getPath(), childRel, written);
      } else {
        fs.delete(s.getPath(), true);
      }
    }
  }
}
