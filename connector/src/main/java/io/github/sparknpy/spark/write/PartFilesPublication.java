package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.header.NpyHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
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
 * merge=false: the parts become numbered {@code .npy} files in the directory at the path, their
 * numbers claimed so that concurrent commits to one directory never interleave.
 */
final class PartFilesPublication extends Publication {
  private static final Logger LOG = LoggerFactory.getLogger(PartFilesPublication.class);
  static final String SUCCESS = "_SUCCESS";

  PartFilesPublication(
      WriteTarget target,
      Configuration conf,
      FileSystem fs,
      TargetFiles files,
      Checkpoint checkpoint) {
    super(target, conf, fs, files, checkpoint);
  }

  /**
   * merge=false: each part becomes {@code part-NNNNN-<queryId>.npy} in the directory. Until every
   * new part is in, a failure takes the new parts out again and puts back an old file that stood at
   * the path (Overwrite of a file moves it aside first); old parts are deleted only after that.
   */
  @Override
  long publish(List<Part> parts, NpyHeader header) throws IOException {
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
          // Everything there goes, whatever it is (as Parquet's Overwrite empties the directory):
          // old parts, _SUCCESS, stray files and directories. Hidden names stay: other commits'
          // claims and temporary files (and the checksums of the local file system).
          for (FileStatus s : fs.listStatus(path)) {
            if (!s.getPath().getName().startsWith(".")) {
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
        reached(Checkpoint.Step.PART_PUBLISHED, dest);
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
   * another's in name order. A claim lives until the part with its number is in; a commit that
   * claimed numbers another commit published meanwhile (it listed, claimed, published and released
   * them in between) sees those parts after claiming and claims again past them.
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
      // Another commit may have listed, claimed, published and released these numbers between
      // this listing and these claims: its parts then hold them. Listed again, past its parts.
      if (all && !publishedWithin(first, first + count)) {
        return claim;
      }
      release(claim); // another commit holds one of these numbers: list again past it
    }
    throw new NpyWriteException(
        "Cannot commit parts to %s: other writes kept claiming the same part numbers; nothing was written. Run the write again"
            .formatted(path));
  }

  /** True if a part (not a claim) numbered in {@code [from, to)} is in the directory. */
  private boolean publishedWithin(int from, int to) throws IOException {
    for (FileStatus s : fs.listStatus(path)) {
      String name = s.getPath().getName();
      Matcher m = NUMBERED.matcher(name);
      if (m.matches() && !name.startsWith(".")) {
        int n = Integer.parseInt(m.group(1));
        if (n >= from && n < to) {
          return true;
        }
      }
    }
    return false;
  }

  /** A claim older than this is left by a driver that died mid-commit: no longer waited for. */
  private static final long STALE_CLAIM_MILLIS = 60 * 60 * 1000L;

  /**
   * Overwrite with parts: once this commit's parts are in, the parts numbered below its own go, and
   * everything else found in the directory at the start (other files, {@code _SUCCESS},
   * subdirectories). Commits still holding lower numbers are waited for first, so that two
   * Overwrites at once leave exactly the parts of the one that claimed the higher numbers (the
   * later one), never a mix.
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
      for (Path o : older) {
        fs.delete(o, false);
      }
      for (Path o : listedAtStart) {
        fs.delete(o, true);
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
