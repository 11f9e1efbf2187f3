package io.github.sparknpy.spark.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming sink's log of committed micro-batches, kept beside its target as Spark's file sink
 * keeps {@code _spark_metadata}: {@code <dir>/_npy_streaming/<file name>/} for a file, {@code
 * <dir>/_npy_streaming/} inside a directory of parts. Spark skips {@code _} names when it lists, so
 * readers of the directory never see it.
 *
 * <ul>
 *   <li>{@code pending}: the micro-batch being published, written before the target changes, with
 *       the target's rows and bytes before it. Present only while a commit runs, or after one was
 *       cut short (a killed driver): the next commit then puts the target back to those rows.
 *   <li>{@code <query id>/<epoch>}: one per committed micro-batch, with the target's rows and bytes
 *       after it; the last {@value #RETAIN} of each query are kept. An epoch Spark commits again
 *       after a restart is found here and skipped.
 * </ul>
 *
 * Each entry is written under a hidden name, then renamed into place.
 */
final class EpochLog {
  private static final Logger LOG = LoggerFactory.getLogger(EpochLog.class);
  static final String DIR = "_npy_streaming";
  private static final String PENDING = "pending";
  static final int VERSION = 1;

  /** Committed entries kept per query (as Spark's spark.sql.streaming.minBatchesToRetain). */
  static final int RETAIN = 100;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final FileSystem fs;
  private final TargetFiles files;
  private final boolean local;
  private final Path dir;

  /**
   * One micro-batch's effect on the target: {@code existed} whether the target was there before it,
   * and its rows and bytes before and after (after: -1 in a pending entry).
   */
  record Entry(
      String queryId,
      long epoch,
      boolean existed,
      long rowsBefore,
      long bytesBefore,
      long rowsAfter,
      long bytesAfter) {}

  EpochLog(FileSystem fs, TargetFiles files, boolean local, Path target, boolean merge) {
    this.fs = fs;
    this.files = files;
    this.local = local;
    this.dir =
        merge
            ? new Path(new Path(target.getParent(), DIR), target.getName())
            : new Path(target, DIR);
  }

  Path dir() {
    return dir;
  }

  Path pendingEntry() {
    return new Path(dir, PENDING);
  }

  /** The highest epoch of {@code queryId} committed to the target, if any. */
  OptionalLong lastEpoch(String queryId) throws IOException {
    List<Long> epochs = epochs(queryId);
    return epochs.isEmpty() ? OptionalLong.empty() : OptionalLong.of(epochs.get(epochs.size() - 1));
  }

  /** The micro-batch whose publication began and did not end, if any. */
  Optional<Entry> pending() throws IOException {
    return read(new Path(dir, PENDING));
  }

  /** Records that {@code e} is about to be published; fails if another is pending. */
  void begin(Entry e) throws IOException {
    Path pending = new Path(dir, PENDING);
    if (!write(pending, e, false)) {
      throw new NpyStreamingSinkException(
          ("Cannot commit micro-batch %s to the npy sink: another micro-batch is being published"
                  + " to the same target (%s exists). Only one streaming query may write to a"
                  + " target at a time; stop the other query")
              .formatted(e.epoch(), pending));
    }
  }

  /** Records {@code e} as committed, then ends its pending entry and forgets old entries. */
  void commit(Entry e) throws IOException {
    Path entry = new Path(new Path(dir, e.queryId()), Long.toString(e.epoch()));
    write(entry, e, true);
    fs.delete(new Path(dir, PENDING), false);
    List<Long> epochs = epochs(e.queryId());
    for (int i = 0; i < epochs.size() - RETAIN; i++) {
      files.deleteQuietly(new Path(new Path(dir, e.queryId()), Long.toString(epochs.get(i))));
    }
  }

  /** Ends the pending entry once the target is back to its rows before the micro-batch. */
  void clearPending() throws IOException {
    fs.delete(new Path(dir, PENDING), false);
  }

  private List<Long> epochs(String queryId) throws IOException {
    List<Long> out = new ArrayList<>();
    FileStatus[] all;
    try {
      all = fs.listStatus(new Path(dir, queryId));
    } catch (FileNotFoundException e) {
      return out;
    }
    for (FileStatus s : all) {
      String name = s.getPath().getName();
      if (s.isFile() && !name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
        out.add(Long.parseLong(name));
      }
    }
    out.sort(null);
    return out;
  }

  private Optional<Entry> read(Path p) throws IOException {
    JsonNode n;
    try (InputStream in = fs.open(p)) {
      n = JSON.readTree(in);
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
    if (n == null || !n.has("version") || n.get("version").asInt() != VERSION) {
      throw new NpyStreamingSinkException(
          ("Cannot read the npy sink's log entry %s: it is not version %s of the log this"
                  + " connector writes (written by a newer version?). Use that version, or delete"
                  + " %s if no query writes to the target any more")
              .formatted(p, VERSION, dir));
    }
    return Optional.of(
        new Entry(
            n.get("query").asText(),
            n.get("epoch").asLong(),
            n.get("existed").asBoolean(),
            n.get("rowsBefore").asLong(),
            n.get("bytesBefore").asLong(),
            n.get("rowsAfter").asLong(),
            n.get("bytesAfter").asLong()));
  }

  /**
   * Writes {@code e} to {@code p} through a hidden sibling; false if {@code p} exists (!replace).
   */
  private boolean write(Path p, Entry e, boolean replace) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("version", VERSION);
    n.put("query", e.queryId());
    n.put("epoch", e.epoch());
    n.put("existed", e.existed());
    n.put("rowsBefore", e.rowsBefore());
    n.put("bytesBefore", e.bytesBefore());
    n.put("rowsAfter", e.rowsAfter());
    n.put("bytesAfter", e.bytesAfter());
    byte[] bytes = JSON.writeValueAsString(n).getBytes(StandardCharsets.UTF_8);
    Path tmp = new Path(p.getParent(), "." + p.getName() + ".tmp");
    if (!local) {
      fs.mkdirs(p.getParent());
    }
    try (WritableByteChannel ch = files.create(tmp)) {
      TargetFiles.writeFully(ch, ByteBuffer.wrap(bytes));
      if (ch instanceof FileChannel f) {
        f.force(true); // the entry must survive what the target's data survives
      }
    }
    try {
      if (replace) {
        files.rename(tmp, p);
        return true;
      }
      return files.renameIfAbsent(tmp, p);
    } finally {
      if (fs.exists(tmp)) {
        files.deleteQuietly(tmp);
        LOG.debug("Deleted {}", tmp);
      }
    }
  }
}
