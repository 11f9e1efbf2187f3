package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.spark.hadoop.HadoopInputFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.apache.spark.sql.connector.write.streaming.StreamingDataWriterFactory;
import org.apache.spark.sql.connector.write.streaming.StreamingWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming sink: each micro-batch (epoch) is a batch Append of its rows to the target, staged
 * and published by the same {@link JobCommitter}, made exactly-once by the {@link EpochLog} kept
 * beside the target:
 *
 * <ol>
 *   <li>An epoch already in the log (Spark commits the last epoch again when it restarts before it
 *       recorded the commit) is skipped.
 *   <li>A pending entry left by a commit that was cut short is undone first ({@link
 *       EpochRollback}): the target gets back the rows it had before that epoch.
 *   <li>The epoch is logged as pending with the target's rows and bytes before it, published, then
 *       logged as committed with the rows and bytes after it.
 * </ol>
 *
 * Each epoch's tasks stage under their own directory ({@code .npy-staging-<query id>-e<epoch>}) and
 * publish under their own name, so parts of two epochs never meet. The layout is pinned to the
 * target at each epoch, as a batch Append pins it: later epochs must produce the file's dtype. One
 * streaming query may write to a target at a time (as with Spark's file sink).
 */
final class NpyStreamingWrite implements StreamingWrite {
  private static final Logger LOG = LoggerFactory.getLogger(NpyStreamingWrite.class);

  private final NpyWriteBuilder.FilePlanner planner;
  private final String queryId;
  private final Path target;
  private final boolean merge;
  private final boolean local;
  private final FileSystem fs;
  private final Configuration conf;
  private final EpochLog log;
  private final EpochRollback rollback;

  /** The plan of the epoch whose tasks run now (made when Spark asks for their factory). */
  private PlannedWrite current;

  NpyStreamingWrite(NpyWriteBuilder.FilePlanner planner) {
    this.planner = planner;
    this.queryId = planner.queryId();
    this.target = planner.target();
    this.merge = planner.options().merge;
    this.conf = planner.conf();
    try {
      this.fs = target.getFileSystem(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot plan the npy streaming write to " + target, e);
    }
    this.local = "file".equals(fs.getUri().getScheme());
    TargetFiles files = new TargetFiles(fs, conf, local);
    this.log = new EpochLog(fs, files, local, target, merge);
    this.rollback = new EpochRollback(target, merge, local, fs, conf, files, log.pendingEntry());
    try {
      refuseAutomaticWidths();
      undoPending();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the npy streaming write to " + target, e);
    }
  }

  /** The name one epoch publishes under: its part files (merge=false) and temporary files. */
  static String tag(String queryId, long epochId) {
    return queryId + "-e" + epochId;
  }

  /**
   * A new target's string widths must be fixed by {@code stringLength}: later micro-batches cannot
   * widen a column of the file the first one creates.
   */
  private void refuseAutomaticWidths() throws IOException {
    List<String> auto = planner.layout().autoWidthColumns();
    if (auto.isEmpty() || fs.exists(target)) {
      return;
    }
    throw new NpyStreamingSinkException(
        ("Cannot write the stream to %s: string column(s) %s need a fixed width. A batch write"
                + " sizes a <U column by its longest value, but the stream's first micro-batch"
                + " creates the file and later ones cannot widen it. Set option stringLength (or"
                + " stringLength.<column>) to the widest value the stream will carry; option"
                + " stringOverflow=truncate cuts longer ones")
            .formatted(target, String.join(", ", auto)));
  }

  @Override
  public StreamingDataWriterFactory createStreamingWriterFactory(PhysicalWriteInfo info) {
    current = planner.plan(queryId, false);
    return new NpyStreamingWriterFactory(current.job());
  }

  @Override
  public boolean useCommitCoordinator() {
    return true;
  }

  @Override
  public void commit(long epochId, WriterCommitMessage[] messages) {
    long start = System.nanoTime();
    try {
      OptionalLong last = log.lastEpoch(queryId);
      if (last.isPresent() && last.getAsLong() >= epochId) {
        LOG.info(
            "Micro-batch {} of query {} is committed to {} already (last: {}); skipped",
            epochId,
            queryId,
            target,
            last.getAsLong());
        deleteStaging(epochId);
        return;
      }
      undoPending();
      List<NpyCommitMessage> parts = new ArrayList<>();
      long rows = 0;
      for (WriterCommitMessage m : messages) {
        if (m instanceof NpyCommitMessage p) {
          parts.add(p);
          rows += p.rows();
        }
      }
      Size before = merge ? sizeOfFile() : Size.PARTS;
      log.begin(
          new EpochLog.Entry(
              queryId, epochId, before.exists(), before.rows(), before.bytes(), -1, -1));
      if (rows > 0) {
        PlannedWrite plan = current != null ? current : planner.plan(queryId, false);
        String tag = tag(queryId, epochId);
        new JobCommitter(
                plan.job().withStagingDir(epochStaging(plan.job().stagingDir(), epochId)),
                plan.target().withQueryId(tag),
                CommitFaults.current())
            .commit(parts.toArray(new NpyCommitMessage[0]));
      }
      Size after = merge ? sizeOfFile() : new Size(true, rows, -1);
      log.commit(
          new EpochLog.Entry(
              queryId,
              epochId,
              before.exists(),
              before.rows(),
              before.bytes(),
              after.rows(),
              after.bytes()));
      deleteStaging(epochId);
      LOG.info(
          "Committed micro-batch {} of query {} to {}: {} rows in {} ms",
          epochId,
          queryId,
          target,
          rows,
          (System.nanoTime() - start) / 1_000_000);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot commit micro-batch " + epochId + " of the npy stream to " + target, e);
    } finally {
      current = null;
    }
  }

  /**
   * The epoch's tasks failed, or its commit did: its staged parts go, and a publication the commit
   * began is undone (so the target holds the committed epochs' rows only).
   */
  @Override
  public void abort(long epochId, WriterCommitMessage[] messages) {
    current = null;
    try {
      undoPending();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not undo micro-batch {} at {}; the next start will", epochId, target, e);
    }
    deleteStaging(epochId);
  }

  /**
   * Undoes the publication of a pending epoch that is not committed; forgets a pending entry whose
   * epoch is committed (the commit was cut short after it logged the epoch).
   */
  private void undoPending() throws IOException {
    var pending = log.pending();
    if (pending.isEmpty()) {
      return;
    }
    EpochLog.Entry p = pending.get();
    OptionalLong last = log.lastEpoch(p.queryId());
    boolean committed = last.isPresent() && last.getAsLong() >= p.epoch();
    if (!committed && !p.queryId().equals(queryId)) {
      throw new NpyStreamingSinkException(
          ("Cannot write the stream to %s: micro-batch %s of another query (%s) was being"
                  + " committed to it and has not finished. One streaming query may write to a"
                  + " target at a time. If that query runs, stop this one; if it died, restart it"
                  + " from its checkpoint (it repairs the file), or, to drop it for good, delete %s"
                  + " and check the file's last rows (they may hold part of its micro-batch)")
              .formatted(target, p.epoch(), p.queryId(), log.pendingEntry()));
    }
    if (committed) {
      LOG.info("Micro-batch {} of query {} is committed to {}", p.epoch(), p.queryId(), target);
    } else if (!rollback.restore(p, tag(p.queryId(), p.epoch()))) {
      LOG.info(
          "Micro-batch {} of query {} was cut short before it changed {}",
          p.epoch(),
          p.queryId(),
          target);
    }
    log.clearPending();
  }

  /** Where one epoch's tasks stage, under the query's staging directory name. */
  static String epochStaging(String queryStaging, long epochId) {
    return queryStaging + "-e" + epochId;
  }

  private void deleteStaging(long epochId) {
    Path staging =
        new Path(
            epochStaging(
                new Path(target.getParent(), ".npy-staging-" + queryId).toString(), epochId));
    try {
      fs.delete(staging, true);
    } catch (IOException e) {
      LOG.warn("Could not delete the npy staging directory {}", staging, e);
    }
  }

  /** The target's rows and length (a directory of parts: not counted, -1). */
  private record Size(boolean exists, long rows, long bytes) {
    static final Size PARTS = new Size(true, -1, -1);
  }

  private Size sizeOfFile() throws IOException {
    if (local) {
      try (NpyFile f = NpyFile.openBetweenAppends(java.nio.file.Path.of(target.toUri()))) {
        return new Size(true, f.encodedHeader().header().rowCount(), f.fileLength());
      } catch (NoSuchFileException e) {
        return new Size(false, 0, 0);
      }
    }
    FileStatus status;
    try {
      status = fs.getFileStatus(target);
    } catch (FileNotFoundException e) {
      return new Size(false, 0, 0);
    }
    EncodedHeader h = EncodedHeader.read(HadoopInputFile.fromStatus(status, conf).forFewReads());
    return new Size(true, h.header().rowCount(), status.getLen());
  }

  @Override
  public String toString() {
    return "NpyStreamingWrite(" + target + ", query " + queryId + ")";
  }
}
