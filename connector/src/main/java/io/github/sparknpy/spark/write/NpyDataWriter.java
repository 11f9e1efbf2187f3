package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.NpyAppendArray;
import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.error.NpyDiskFullException;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.spark.compat.ScalaInterop;
import io.github.sparknpy.spark.metrics.NpyBytesWrittenMetric;
import io.github.sparknpy.spark.metrics.NpyRowsWrittenMetric;
import io.github.sparknpy.spark.metrics.NpyTaskMetric;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.EvalMode$;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.types.StructField;
import scala.Option;

/**
 * One task attempt: converts rows into little-endian bytes in a reusable batch buffer and appends
 * whole batches to a local appendable .npy under the executor's local dirs (header deferred, fixed
 * on close); at commit the file moves to the job's staging directory on the target file system.
 *
 * <p>With automatic string widths the rows are first spilled locally in Spark's own binary row
 * format while the longest value is measured, then converted at commit with that width; the job
 * commit widens parts to the longest width of all tasks.
 */
final class NpyDataWriter implements DataWriter<InternalRow> {
  private final WriteJob job;
  private final WriteLayout layout;
  private final int partitionId;
  private final long taskId;
  private final WriteState st;
  private final UnsafeProjection cast;
  private final Path localDir;
  private final Path localFile;
  private final String partitionDir;

  private final boolean spilling;
  private Path spillFile;
  private DataOutputStream spill;
  private UnsafeProjection toUnsafe;
  private byte[] spillBuffer;

  private NpyAppendArray out;
  private DType dtype;
  private long[] rowShape;
  private int rowBytes;
  private ByteBuffer batch;
  private int batchRows;
  private int inBatch;
  private long rows;
  private long stagedBytes;
  private org.apache.hadoop.fs.Path staged;
  private boolean done;

  NpyDataWriter(WriteJob job, int partitionId, long taskId) {
    this(job, partitionId, taskId, null);
  }

  /**
   * @param partitionDir the partition directory ({@code k=1/j=a}) of a partitioned write whose rows
   *     this writer takes (without the partition columns), or null
   */
  NpyDataWriter(WriteJob job, int partitionId, long taskId, String partitionDir) {
    this.job = job;
    this.partitionDir = partitionDir;
    this.layout = job.layout();
    this.partitionId = partitionId;
    this.taskId = taskId;
    this.st = layout.newState(partitionId, job.fillNulls(), job.truncateStrings());
    this.cast = layout.needsCast() ? castProjection(layout) : null;
    this.spilling = layout.hasAutoWidth(st);
    try {
      this.localDir = Files.createTempDirectory(LocalScratch.root(partitionId), "npy-write-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a local directory for npy part files", e);
    }
    this.localFile = localDir.resolve("part-" + partitionId + "-" + taskId + ".npy");
  }

  private static UnsafeProjection castProjection(WriteLayout layout) {
    List<Expression> exprs = new ArrayList<>();
    StructField[] fields = layout.inputSchema.fields();
    for (int i = 0; i < fields.length; i++) {
      Expression e = new BoundReference(i, fields[i].dataType(), fields[i].nullable());
      if (layout.castTo[i] != null) {
        e =
            new Cast(
                e,
                layout.castTo[i],
                Option.apply(layout.timeZone),
                layout.ansi ? EvalMode$.MODULE$.ANSI() : EvalMode$.MODULE$.LEGACY());
      }
      exprs.add(e);
    }
    return UnsafeProjection.create(ScalaInterop.toScalaList(exprs));
  }

  @Override
  public void write(InternalRow record) throws IOException {
    InternalRow row = cast != null ? cast.apply(record) : record;
    try {
      if (spilling) {
        spill(row);
      } else {
        append(row);
      }
    } catch (IOException e) {
      throw localDiskFull(e, spillFile != null ? spillFile : localFile, partitionId, localDir);
    }
  }

  /**
   * {@code e} restated if the local disk is full: it names the file, the partition and Spark's
   * local directory, and says to free space or move {@code spark.local.dir}; otherwise {@code e}.
   */
  static IOException localDiskFull(IOException e, Path file, int partition, Path localDir) {
    if (!NpyDiskFullException.isDiskFull(e)) {
      return e;
    }
    return new NpyDiskFullException(
        "Cannot write "
            + file
            + ", the local file of partition "
            + partition
            + ": the disk is full ("
            + systemMessage(e)
            + "). Tasks write their rows under Spark's local directory ("
            + localDir.getParent()
            + ") before staging them: free space there, or point spark.local.dir"
            + " (SPARK_LOCAL_DIRS on a cluster) at a disk with room for the partition, or"
            + " write more, smaller partitions",
        e);
  }

  /**
   * {@code e} restated if the target's file system is full while a task stages its part there;
   * otherwise {@code e}.
   */
  static IOException stagingDiskFull(IOException e, String staged, int partition) {
    if (!NpyDiskFullException.isDiskFull(e)) {
      return e;
    }
    return new NpyDiskFullException(
        "Cannot stage "
            + staged
            + ", the part of partition "
            + partition
            + ": the target's disk is full ("
            + systemMessage(e)
            + "). Tasks stage their parts beside the target before the job commit publishes"
            + " them: free space there, or write to another file system",
        e);
  }

  /** The operating system's text, e.g. "No space left on device", under any restatement. */
  private static String systemMessage(Throwable e) {
    Throwable t = e;
    while (t instanceof NpyDiskFullException && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  private void spill(InternalRow row) throws IOException {
    if (spill == null) {
      spillFile = localDir.resolve("rows.spill");
      spill =
          new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(spillFile), 1 << 20));
      spillBuffer = new byte[4096];
    }
    layout.measureRow(row, st);
    UnsafeRow u;
    if (row instanceof UnsafeRow r) {
      u = r;
    } else {
      if (toUnsafe == null) {
        toUnsafe = UnsafeProjection.create(castOrInputSchema());
      }
      u = toUnsafe.apply(row);
    }
    spill.writeInt(u.getSizeInBytes());
    u.writeToStream(spill, spillBuffer);
    rows++;
  }

  private org.apache.spark.sql.types.StructType castOrInputSchema() {
    StructField[] fs = layout.inputSchema.fields().clone();
    for (int i = 0; i < fs.length; i++) {
      if (layout.castTo[i] != null) {
        fs[i] = new StructField(fs[i].name(), layout.castTo[i], true, fs[i].metadata());
      }
    }
    return new org.apache.spark.sql.types.StructType(fs);
  }

  private void append(InternalRow row) throws IOException {
    if (out == null) {
      open(row);
    }
    if (inBatch == batchRows) {
      flushBatch();
    }
    layout.writeRow(row, batch, inBatch * rowBytes, st);
    inBatch++;
    st.row++;
  }

  private void open(InternalRow first) throws IOException {
    layout.resolveRow(first, st);
    NpyHeader header = layout.partHeader(st, 0);
    dtype = header.dtype();
    rowShape = header.shape();
    rowBytes = layout.rowBytes(st);
    batchRows = Math.max(1, job.batchBytes() / Math.max(1, rowBytes));
    batch = ByteBuffer.allocateDirect(batchRows * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
    out =
        NpyAppendArray.builder(localFile)
            .deleteIfExists(true)
            .rewriteHeaderOnAppend(false)
            .bufferBytes(0)
            .open();
  }

  private void flushBatch() throws IOException {
    if (inBatch > 0) {
      rowShape[0] = inBatch;
      out.append(batch.slice(0, inBatch * rowBytes), dtype, rowShape.clone());
      inBatch = 0;
    }
  }

  @Override
  public NpyCommitMessage commit() throws IOException {
    try {
      if (spilling && spill != null) {
        replaySpill();
      }
      if (out != null) {
        flushBatch();
        out.close();
      }
    } catch (IOException e) {
      throw localDiskFull(e, localFile, partitionId, localDir);
    }
    long written = spilling ? rows : st.row;
    String header = null;
    String stagedPath = null;
    byte[] detachedHeader = null;
    if (written > 0) {
      staged = job.stagedPart(partitionId, taskId, partitionDir);
      stagedBytes = Files.size(localFile);
      header = out.header().dictText();
      try {
        if (job.dataOnlyParts()) {
          detachedHeader = stageData(stagedBytes - out.header().dataBytes());
        } else {
          stage();
        }
      } catch (IOException e) {
        throw stagingDiskFull(e, staged.toString(), partitionId);
      }
      stagedPath = staged.toString();
    }
    done = true;
    deleteLocal();
    return new NpyCommitMessage(
        partitionId,
        taskId,
        stagedPath,
        written,
        stagedBytes,
        header,
        st.dims,
        st.widths,
        partitionDir,
        detachedHeader);
  }

  /** Converts the spilled rows, now that the longest string is known. */
  private void replaySpill() throws IOException {
    spill.close();
    spill = null;
    int numFields = layout.inputSchema.fields().length;
    UnsafeRow row = new UnsafeRow(numFields);
    byte[] buf = new byte[4096];
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(spillFile), 1 << 20))) {
      for (long i = 0; i < rows; i++) {
        int size;
        try {
          size = in.readInt();
        } catch (EOFException e) {
          throw new IOException("Spill file " + spillFile + " ends after " + i + " rows", e);
        }
        if (size > buf.length) {
          buf = new byte[Math.max(size, buf.length * 2)];
        }
        in.readFully(buf, 0, size);
        row.pointTo(buf, size);
        append(row);
      }
    }
    Files.deleteIfExists(spillFile);
  }

  /** Moves the local part to the staging directory on the target file system. */
  private void stage() throws IOException {
    if (job.localFileSystem()) {
      Path target = Path.of(staged.toUri());
      Files.createDirectories(target.getParent());
      Files.move(localFile, target, StandardCopyOption.REPLACE_EXISTING);
    } else {
      FileSystem fs = staged.getFileSystem(job.hadoopConf().get());
      fs.copyFromLocalFile(true, true, new org.apache.hadoop.fs.Path(localFile.toUri()), staged);
    }
  }

  /**
   * Copies the local part's data (from {@code dataOffset}) to the staging directory on the target
   * file system and returns the header bytes it left out.
   */
  private byte[] stageData(long dataOffset) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(Math.toIntExact(dataOffset));
    org.apache.hadoop.conf.Configuration conf = job.hadoopConf().get();
    FileSystem fs = staged.getFileSystem(conf);
    // the job's block size (e.g. a dfs.blocksize write option), not the cached instance's default:
    // the concatenated file keeps the parts' blocks
    long blockSize = conf.getLongBytes("dfs.blocksize", fs.getDefaultBlockSize(staged));
    try (FileChannel in = FileChannel.open(localFile, StandardOpenOption.READ);
        WritableByteChannel to =
            Channels.newChannel(
                fs.create(
                    staged,
                    true,
                    conf.getInt("io.file.buffer.size", 4096),
                    fs.getDefaultReplication(staged),
                    blockSize))) {
      while (header.hasRemaining()) {
        if (in.read(header) < 0) {
          throw new EOFException(localFile + " ends inside its header");
        }
      }
      TargetFiles.copy(in, stagedBytes - dataOffset, to, null);
    }
    stagedBytes -= dataOffset;
    Files.delete(localFile);
    return header.array();
  }

  @Override
  public void abort() throws IOException {
    done = true;
    try {
      closeQuietly();
      deleteLocal();
    } finally {
      if (staged != null) {
        staged.getFileSystem(job.hadoopConf().get()).delete(staged, false);
      }
    }
  }

  /** Aborts every writer, even when one fails; throws the first failure, the others suppressed. */
  static void abortAll(Iterable<NpyDataWriter> writers) throws IOException {
    IOException first = null;
    for (NpyDataWriter w : writers) {
      try {
        w.abort();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void closeQuietly() {
    try {
      if (spill != null) {
        spill.close();
      }
    } catch (IOException e) {
      // aborting anyway
    }
    try {
      if (out != null) {
        out.close();
      }
    } catch (IOException | RuntimeException e) {
      // aborting anyway
    }
  }

  private void deleteLocal() throws IOException {
    Files.deleteIfExists(localFile);
    if (spillFile != null) {
      Files.deleteIfExists(spillFile);
    }
    Files.deleteIfExists(localDir);
  }

  @Override
  public void close() throws IOException {
    if (!done) {
      closeQuietly();
      deleteLocal();
    }
  }

  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    long r = spilling ? rows : st.row;
    long b = stagedBytes > 0 ? stagedBytes : (long) rowBytes * st.row;
    return new CustomTaskMetric[] {
      new NpyTaskMetric(NpyRowsWrittenMetric.NAME, r),
      new NpyTaskMetric(NpyBytesWrittenMetric.NAME, b)
    };
  }
}
