package io.github.sparknpy.spark.read;

import io.github.sparknpy.spark.hadoop.SerializableHadoopConf;
import io.github.sparknpy.spark.metrics.NpyBytesReadMetric;
import io.github.sparknpy.spark.metrics.NpyFilesOpenedMetric;
import io.github.sparknpy.spark.metrics.NpyRowsProducedMetric;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.Statistics;
import org.apache.spark.sql.connector.read.SupportsReportStatistics;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.types.StructType;

/**
 * A planned read: files cut into row ranges sized as Spark sizes file splits ({@link
 * #maxSplitBytes}: at most {@code maxPartitionBytes}, smaller to give every core a split), always
 * on row boundaries, small files packed together as Spark's file sources do; restricted to the
 * pushed {@code _row_index} range and limit.
 */
final class NpyScan implements Scan, Batch, SupportsReportStatistics {
  /** Most slices one file is cut into (a 1 TiB file at 128 MiB per slice is 8192). */
  static final long MAX_SLICES_PER_FILE = 10_000;

  private final NpyFileIndex index;
  private final NpyReadOptions options;
  private final StructType readSchema;
  private final List<OutputColumn> columns;
  private final long fromRow;
  private final long toRowExclusive;
  private final long limit;
  private final List<String> paths;

  /** A micro-batch's rows {@code [start, end)} of each file, by path; null for a batch scan. */
  private final Map<String, long[]> batchRows;

  private List<InputPartition> partitions;

  NpyScan(
      List<String> paths,
      NpyFileIndex index,
      NpyReadOptions options,
      StructType readSchema,
      List<OutputColumn> columns,
      long fromRow,
      long toRowExclusive,
      long limit) {
    this(paths, index, options, readSchema, columns, fromRow, toRowExclusive, limit, null);
  }

  private NpyScan(
      List<String> paths,
      NpyFileIndex index,
      NpyReadOptions options,
      StructType readSchema,
      List<OutputColumn> columns,
      long fromRow,
      long toRowExclusive,
      long limit,
      Map<String, long[]> batchRows) {
    this.paths = paths;
    this.index = index;
    this.options = options;
    this.readSchema = readSchema;
    this.columns = columns;
    this.fromRow = fromRow;
    this.toRowExclusive = toRowExclusive;
    this.limit = limit;
    this.batchRows = batchRows;
  }

  /**
   * This scan's columns over {@code files} (headers read for a micro-batch), reading rows {@code
   * [start, end)} of each as {@code rows} gives them by path.
   */
  NpyScan microBatch(NpyFileIndex files, Map<String, long[]> rows) {
    return new NpyScan(
        paths, files, options, readSchema, columns, fromRow, toRowExclusive, limit, rows);
  }

  List<String> paths() {
    return paths;
  }

  NpyFileIndex index() {
    return index;
  }

  NpyReadOptions options() {
    return options;
  }

  /** The first row of {@code f} this scan reads. */
  private long startOf(NpyFileSpec f) {
    long[] r = batchRows == null ? null : batchRows.get(f.path());
    return Math.min(r == null ? fromRow : Math.max(fromRow, r[0]), f.rowCount());
  }

  /** One past the last row of {@code f} this scan reads (at most its header's count). */
  private long endOf(NpyFileSpec f) {
    long[] r = batchRows == null ? null : batchRows.get(f.path());
    return Math.min(f.rowCount(), r == null ? toRowExclusive : Math.min(toRowExclusive, r[1]));
  }

  /**
   * Reads the rows appended to the files (and new files) from one micro-batch to the next ({@link
   * NpyMicroBatchStream}).
   */
  @Override
  public MicroBatchStream toMicroBatchStream(String checkpointLocation) {
    return new NpyMicroBatchStream(this, checkpointLocation);
  }

  @Override
  public StructType readSchema() {
    return readSchema;
  }

  @Override
  public String description() {
    StringBuilder sb = new StringBuilder("NpyScan[").append(index.files.size()).append(" files");
    if (fromRow > 0 || toRowExclusive < Long.MAX_VALUE) {
      sb.append(", _row_index in [")
          .append(fromRow)
          .append(", ")
          .append(toRowExclusive)
          .append(')');
    }
    if (limit < Long.MAX_VALUE) {
      sb.append(", limit ").append(limit);
    }
    return sb.append(']').toString();
  }

  @Override
  public Batch toBatch() {
    return this;
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return new CustomMetric[] {
      new NpyBytesReadMetric(), new NpyFilesOpenedMetric(), new NpyRowsProducedMetric()
    };
  }

  @Override
  public Statistics estimateStatistics() {
    long bytes = 0;
    long rows = 0;
    for (NpyFileSpec f : index.files) {
      long r = Math.max(0, endOf(f) - startOf(f));
      rows += r;
      bytes += r * f.rowBytes();
    }
    long size = bytes;
    long numRows = Math.min(rows, limit);
    return new Statistics() {
      @Override
      public OptionalLong sizeInBytes() {
        return OptionalLong.of(size);
      }

      @Override
      public OptionalLong numRows() {
        return OptionalLong.of(numRows);
      }
    };
  }

  @Override
  public synchronized InputPartition[] planInputPartitions() {
    if (partitions == null) {
      partitions = plan();
    }
    return partitions.toArray(new InputPartition[0]);
  }

  private List<InputPartition> plan() {
    long openCost = options.openCostInBytes;
    long total = 0;
    for (NpyFileSpec f : index.files) {
      long rows = Math.max(0, endOf(f) - startOf(f));
      total += rows * f.rowBytes() + openCost;
    }
    long target = maxSplitBytes(total, options);
    List<InputPartition> out = plan(target);
    if (options.maxPartitionNum > 0 && out.size() > options.maxPartitionNum) {
      // Spark's spark.sql.files.maxPartitionNum: bigger splits, so that about that many remain
      long wider = (total + options.maxPartitionNum - 1) / options.maxPartitionNum;
      out = plan(Math.max(target, wider));
    }
    return out;
  }

  /**
   * Bytes per split, as Spark's {@code FilePartition.maxSplitBytes}: the bytes to read (plus {@code
   * openCostInBytes} per file) spread over {@code minPartitionNum} partitions, at least {@code
   * openCostInBytes}, at most {@code maxPartitionBytes}.
   */
  static long maxSplitBytes(long totalBytes, NpyReadOptions options) {
    long perCore = totalBytes / options.minPartitionNum;
    return Math.min(options.maxPartitionBytes, Math.max(options.openCostInBytes, perCore));
  }

  /**
   * Row-aligned slices of about {@code target} bytes, packed in file order into partitions as Spark
   * packs file splits: a partition is closed when the next slice would take it past {@code target},
   * and every slice counts {@code openCostInBytes} more.
   */
  private List<InputPartition> plan(long target) {
    long openCost = options.openCostInBytes;
    List<InputPartition> out = new ArrayList<>();
    List<NpyInputPartition.Slice> current = new ArrayList<>();
    long currentBytes = 0;
    long planned = 0;
    for (NpyFileSpec f : index.files) {
      long start = startOf(f);
      long end = endOf(f);
      if (limit < Long.MAX_VALUE) {
        end = Math.min(end, start + (limit - planned));
      }
      if (end <= start) {
        continue;
      }
      long rowsPerSlice = rowsPerSlice(f, end - start, target);
      for (long r = start; r < end; ) {
        long e = r + Math.min(rowsPerSlice, end - r);
        long bytes = (e - r) * f.rowBytes();
        if (!current.isEmpty() && currentBytes + bytes > target) {
          out.add(partition(current));
          current = new ArrayList<>();
          currentBytes = 0;
        }
        current.add(new NpyInputPartition.Slice(f, r, e));
        currentBytes += bytes + openCost;
        planned += e - r;
        r = e;
      }
      if (planned >= limit) {
        break;
      }
    }
    if (!current.isEmpty()) {
      out.add(partition(current));
    }
    return out;
  }

  /**
   * Rows per slice of about {@code target} bytes. Rows of no bytes (shape {@code (n, 0)}) do not
   * split: one slice per file, however many rows its header counts. At most {@link
   * #MAX_SLICES_PER_FILE} slices per file; beyond that slices get bigger.
   */
  static long rowsPerSlice(NpyFileSpec f, long rows, long target) {
    if (!f.splittable() || f.rowBytes() == 0) {
      return Long.MAX_VALUE;
    }
    long perSlice = Math.max(1, target / f.rowBytes());
    long capped = rows / MAX_SLICES_PER_FILE + (rows % MAX_SLICES_PER_FILE == 0 ? 0 : 1);
    return Math.max(perSlice, capped);
  }

  /** A partition with the hosts that hold most of its bytes (none for the local file system). */
  private NpyInputPartition partition(List<NpyInputPartition.Slice> slices) {
    Map<String, Long> hostBytes = new HashMap<>();
    for (NpyInputPartition.Slice s : slices) {
      NpyFileSpec f = s.file();
      NpyPart first = f.parts().get(0);
      // a column set's hosts are those of its first member file
      Path path = new Path(first.file() != null ? first.file() : f.path());
      if ("file".equals(path.toUri().getScheme()) || !f.splittable()) {
        continue;
      }
      long rowBytes = first.file() != null ? first.header().rowBytes() : f.rowBytes();
      long offset = first.dataOffset() + s.startRow() * rowBytes;
      long len = Math.max(1, (s.endRow() - s.startRow()) * rowBytes);
      try {
        FileSystem fs = path.getFileSystem(index.conf);
        for (BlockLocation b : fs.getFileBlockLocations(path, offset, len)) {
          for (String host : b.getHosts()) {
            hostBytes.merge(host, b.getLength(), Long::sum);
          }
        }
      } catch (IOException e) {
        // locality is a hint; without it the task runs anywhere
      }
    }
    String[] hosts =
        hostBytes.entrySet().stream()
            .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
            .limit(3)
            .map(Map.Entry::getKey)
            .toArray(String[]::new);
    return new NpyInputPartition(List.copyOf(slices), hosts);
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    // Broadcast, as Spark's file sources do: each executor deserializes the configuration once,
    // not every task (the factory travels in every task's closure).
    Broadcast<SerializableHadoopConf> conf =
        JavaSparkContext.fromSparkContext(SparkContext.getOrCreate())
            .broadcast(new SerializableHadoopConf(index.conf));
    return new NpyPartitionReaderFactory(conf, columns, options.forTasks(), limit);
  }
}
