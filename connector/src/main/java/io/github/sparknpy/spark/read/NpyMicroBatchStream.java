package io.github.sparknpy.spark.read;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.streaming.CompositeReadLimit;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.connector.read.streaming.Offset;
import org.apache.spark.sql.connector.read.streaming.ReadAllAvailable;
import org.apache.spark.sql.connector.read.streaming.ReadLimit;
import org.apache.spark.sql.connector.read.streaming.ReadMaxFiles;
import org.apache.spark.sql.connector.read.streaming.ReadMaxRows;
import org.apache.spark.sql.connector.read.streaming.SupportsAdmissionControl;
import org.apache.spark.sql.connector.read.streaming.SupportsTriggerAvailableNow;

/**
 * {@code spark.readStream.format("npy").load(path)}: each micro-batch reads the rows appended to
 * the files since the previous one, and the files that appeared (in modification-time order, as
 * Spark's file stream source). An offset is the row count delivered of every file ({@link
 * NpyStreamOffset}); a batch reads rows {@code [start, end)} of each file, up to the count its
 * header declared when the batch was planned, so a file an appender is writing is read to its last
 * complete, counted row, and a batch replayed after a restart reads exactly the same rows.
 *
 * <p>The schema is the one of the files present when the query starts; a file that appears with
 * another layout fails the query naming it. A file whose header counts fewer rows than already
 * delivered (rewritten, truncated) fails the query too: a stream only reads appended rows.
 */
final class NpyMicroBatchStream
    implements MicroBatchStream, SupportsAdmissionControl, SupportsTriggerAvailableNow {
  private final NpyScan template;
  private final String checkpointLocation;
  private final NpyReadOptions streamOptions;

  /** With {@code Trigger.AvailableNow}: the rows present when the query started; else null. */
  private NpyStreamOffset availableNow;

  /** The last listing: its headers are reused for files whose length and mtime are unchanged. */
  private NpyFileIndex lastListing;

  NpyMicroBatchStream(NpyScan template, String checkpointLocation) {
    this.template = template;
    this.checkpointLocation = checkpointLocation;
    this.streamOptions = template.options();
  }

  @Override
  public Offset initialOffset() {
    return NpyStreamOffset.EMPTY;
  }

  @Override
  public Offset deserializeOffset(String json) {
    return NpyStreamOffset.fromJson(json);
  }

  @Override
  public ReadLimit getDefaultReadLimit() {
    return streamOptions.maxFilesPerTrigger > 0
        ? ReadLimit.maxFiles(streamOptions.maxFilesPerTrigger)
        : ReadLimit.allAvailable();
  }

  @Override
  public Offset latestOffset() {
    throw new UnsupportedOperationException(
        "The npy stream takes a read limit: latestOffset(Offset, ReadLimit)");
  }

  @Override
  public void prepareForTriggerAvailableNow() {
    // every row there now, whatever the per-batch limits (they cut it into batches later)
    SortedMap<String, Long> present = new TreeMap<>();
    for (NpyFileSpec f : currentFiles()) {
      present.put(f.path(), f.rowCount());
    }
    availableNow = new NpyStreamOffset(present);
  }

  @Override
  public Offset latestOffset(Offset startOffset, ReadLimit limit) {
    NpyStreamOffset start = (NpyStreamOffset) startOffset;
    int[] maxFiles = {Integer.MAX_VALUE};
    long[] maxRows = {Long.MAX_VALUE};
    limits(limit, maxFiles, maxRows);
    List<NpyFileSpec> files = currentFiles();
    for (NpyFileSpec f : files) {
      long delivered = start.rowsOf(f.path());
      if (f.rowCount() < delivered) {
        throw shrank(f, delivered);
      }
    }
    return admit(start, files, maxFiles[0], maxRows[0]);
  }

  private static void limits(ReadLimit limit, int[] maxFiles, long[] maxRows) {
    if (limit instanceof ReadMaxFiles m) {
      maxFiles[0] = Math.min(maxFiles[0], m.maxFiles());
    } else if (limit instanceof ReadMaxRows r) {
      maxRows[0] = Math.min(maxRows[0], r.maxRows());
    } else if (limit instanceof CompositeReadLimit c) {
      for (ReadLimit l : c.getReadLimits()) {
        limits(l, maxFiles, maxRows);
      }
    } else if (!(limit instanceof ReadAllAvailable)) {
      // ReadMinRows and limits of later Spark releases: read what is there, as with no limit
      return;
    }
  }

  /**
   * The offset after {@code start} that reads at most {@code maxFiles} new files, {@code maxRows}
   * rows and about {@code maxBytesPerTrigger} bytes (at least one row when there is one): files
   * already read first, then new ones, each in modification-time order; never past {@link
   * #availableNow}.
   */
  private NpyStreamOffset admit(
      NpyStreamOffset start, List<NpyFileSpec> files, int maxFiles, long maxRows) {
    SortedMap<String, Long> next = new TreeMap<>(start.rows());
    List<NpyFileSpec> ordered = new ArrayList<>(files);
    ordered.sort(
        Comparator.comparing((NpyFileSpec f) -> !start.rows().containsKey(f.path()))
            .thenComparingLong(NpyMicroBatchStream::modificationTime)
            .thenComparing(NpyFileSpec::path));
    long maxBytes = streamOptions.maxBytesPerTrigger;
    long bytes = 0;
    long rows = 0;
    int newFiles = 0;
    for (NpyFileSpec f : ordered) {
      boolean isNew = !start.rows().containsKey(f.path());
      long from = start.rowsOf(f.path());
      long to = f.rowCount();
      if (availableNow != null) {
        Long cap = availableNow.rows().get(f.path());
        to = cap == null ? from : Math.min(to, cap);
      }
      if (to <= from && !isNew) {
        continue;
      }
      if (isNew && newFiles >= maxFiles) {
        continue;
      }
      long room = Math.min(maxRows - rows, to - from);
      if (f.rowBytes() > 0 && maxBytes < Long.MAX_VALUE) {
        long byBytes = Math.max(0, (maxBytes - bytes + f.rowBytes() - 1) / f.rowBytes());
        room = Math.min(room, rows == 0 ? Math.max(1, byBytes) : byBytes);
      }
      if (room <= 0 && to > from) {
        break;
      }
      if (isNew) {
        if (availableNow != null && !availableNow.rows().containsKey(f.path())) {
          continue;
        }
        newFiles++;
      }
      next.put(f.path(), from + room);
      rows += room;
      bytes += room * f.rowBytes();
    }
    return new NpyStreamOffset(next);
  }

  private static long modificationTime(NpyFileSpec f) {
    return f.identity() == null ? 0 : f.identity().modificationTime();
  }

  /** The files under the stream's paths now, headers read; each must have the query's layout. */
  private List<NpyFileSpec> currentFiles() {
    NpyFileIndex now =
        NpyFileIndex.build(
            template.paths(),
            template.options(),
            template.index().conf,
            true,
            lastListing == null ? template.index() : lastListing);
    lastListing = now;
    if (now.files.isEmpty()) {
      return List.of();
    }
    for (NpyFileSpec f : now.files) {
      if (f.parts().stream().anyMatch(p -> p.file() != null)) {
        throw new NpyStreamException(
            "Cannot stream "
                + f.path()
                + ": it is a column set (layout=columns), which a write replaces whole instead of"
                + " appending to. Read it with spark.read, or stream its member files'"
                + " directory of appended .npy files instead");
      }
    }
    if (!now.schema.equals(template.index().schema)) {
      throw new NpyStreamException(
          "Cannot stream "
              + String.join(", ", template.paths())
              + ": "
              + now.files.get(0).path()
              + " (or another file that appeared) gives the columns "
              + now.schema.simpleString()
              + ", but the query started with "
              + template.index().schema.simpleString()
              + ". A stream's files must keep the layout of the files present when it started:"
              + " move the file elsewhere, or start a new query (new checkpointLocation)");
    }
    return now.files;
  }

  @Override
  public InputPartition[] planInputPartitions(Offset startOffset, Offset endOffset) {
    NpyStreamOffset start = (NpyStreamOffset) startOffset;
    NpyStreamOffset end = (NpyStreamOffset) endOffset;
    Map<String, NpyFileSpec> listed = new HashMap<>();
    for (NpyFileSpec f : currentFiles()) {
      listed.put(f.path(), f);
    }
    List<NpyFileSpec> files = new ArrayList<>();
    Map<String, long[]> rows = new HashMap<>();
    for (Map.Entry<String, Long> e : end.rows().entrySet()) {
      long from = start.rowsOf(e.getKey());
      long to = e.getValue();
      if (to <= from) {
        continue;
      }
      NpyFileSpec f = listed.get(e.getKey());
      if (f == null) {
        if (template.options().ignoreMissingFiles) {
          continue;
        }
        throw new NpyStreamException(
            "Cannot stream rows "
                + from
                + " to "
                + to
                + " of "
                + e.getKey()
                + ": it is gone from "
                + String.join(", ", template.paths())
                + " (deleted or renamed before this micro-batch read them). Restore it, or set"
                + " ignoreMissingFiles=true to skip them");
      }
      if (f.rowCount() < to) {
        throw shrank(f, to);
      }
      files.add(f);
      rows.put(f.path(), new long[] {from, to});
    }
    return template.microBatch(template.index().withFiles(files), rows).planInputPartitions();
  }

  private NpyStreamException shrank(NpyFileSpec f, long delivered) {
    return new NpyStreamException(
        "Cannot stream "
            + f.path()
            + ": its header now counts "
            + f.rowCount()
            + " rows, but "
            + delivered
            + " were already read by this query (checkpoint "
            + checkpointLocation
            + "). A stream reads only rows appended to a file; this one was rewritten or"
            + " truncated. Restore it, or start a new query with a new checkpointLocation");
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    return template.createReaderFactory();
  }

  @Override
  public void commit(Offset end) {
    // nothing to clean up: offsets are row counts, the files are the user's
  }

  @Override
  public void stop() {
    // no resources held between batches
  }

  @Override
  public String toString() {
    return "NpyMicroBatchStream[" + String.join(", ", template.paths()) + "]";
  }
}
