package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.error.NpyException;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.spark.metrics.NpyBytesReadMetric;
import io.github.sparknpy.spark.metrics.NpyFilesOpenedMetric;
import io.github.sparknpy.spark.metrics.NpyRowsProducedMetric;
import io.github.sparknpy.spark.metrics.NpyTaskMetric;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.execution.vectorized.ConstantColumnVector;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.types.UTF8String;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the row ranges of one partition into one reused {@link ColumnarBatch}. Per batch and array
 * it reads one byte range (contiguous rows: a mapped slice or one positioned read) or one run per
 * needed column (interleaved rows, e.g. Fortran order), then decodes only the requested columns and
 * record fields. Memory is bounded by the batch size; columns that need no data (count, {@code
 * _row_index}) open no file.
 */
final class NpyColumnarReader implements PartitionReader<ColumnarBatch> {
  private static final Logger LOG = LoggerFactory.getLogger(NpyColumnarReader.class);

  private final List<NpyInputPartition.Slice> slices;
  private final List<OutputColumn> columns;
  private final ReadTaskOptions options;
  private final Configuration conf;
  private final long limit;
  private final int batchRows;
  private final WritableColumnVector[] writable;

  /**
   * Columns read in place ({@link StridedColumnVector}), where the first file's dtype reads as the
   * column's type as it is; null elsewhere.
   */
  private final StridedColumnVector[] strided;

  private final ConstantColumnVector fileVector;

  /** The partition columns' vectors (null elsewhere), set once per slice. */
  private final ConstantColumnVector[] partitionVectors;

  /** The batch with the in-place columns. */
  private final ColumnarBatch batch;

  /** Every data column decoded, for a file whose dtype does not suit the in-place columns. */
  private ColumnarBatch copyBatch;

  private WritableColumnVector[] copyWritable;

  /** Whether the current slice's file suits the in-place columns. */
  private boolean inPlace;

  private final boolean[] partNeeded;
  private final boolean[][] combosNeeded;
  private final VectorFill fill = new VectorFill();

  private int sliceIndex;
  private NpyInputPartition.Slice slice;
  private long row;
  private ByteSource[] sources;
  private RowGeometry[] geometries;
  private DType[] dtypes;
  private byte[] gather = new byte[0];
  private long[] runOffsets = new long[0];
  private int[] runTargets = new int[0];
  private long produced;
  private long bytesRead;
  private long filesOpened;
  private boolean closed;

  NpyColumnarReader(
      NpyInputPartition partition,
      List<OutputColumn> columns,
      ReadTaskOptions options,
      Configuration conf,
      long limit) {
    this.slices = partition.slices;
    this.columns = columns;
    this.options = options;
    this.conf = conf;
    this.limit = limit;
    int parts = slices.isEmpty() ? 0 : slices.get(0).file().parts().size();
    partNeeded = new boolean[parts];
    combosNeeded = new boolean[parts][];
    boolean anyColumn = false;
    for (OutputColumn c : columns) {
      anyColumn = true;
      if (c.kind() == OutputColumn.Kind.DATA) {
        partNeeded[c.source().part()] = true;
      }
    }
    long neededRowBytes = 0;
    for (int p = 0; p < parts; p++) {
      if (!partNeeded[p]) {
        continue;
      }
      NpyPart part = slices.get(0).file().parts().get(p);
      RowGeometry g = part.geometry(options.rowAxisLast());
      neededRowBytes += g.rowBytes;
      boolean[] combos = new boolean[(int) g.combos];
      for (OutputColumn c : columns) {
        if (c.kind() == OutputColumn.Kind.DATA && c.source().part() == p) {
          if (c.source().combo() < 0) {
            Arrays.fill(combos, true);
          } else {
            combos[c.source().combo()] = true;
          }
        }
      }
      combosNeeded[p] = combos;
    }
    batchRows = anyColumn ? options.batchRows(neededRowBytes) : Integer.MAX_VALUE / 2;
    ColumnVector[] vectors = new ColumnVector[columns.size()];
    writable = new WritableColumnVector[columns.size()];
    strided = new StridedColumnVector[columns.size()];
    ConstantColumnVector file = null;
    partitionVectors = new ConstantColumnVector[columns.size()];
    for (int i = 0; i < vectors.length; i++) {
      OutputColumn c = columns.get(i);
      if (c.kind() == OutputColumn.Kind.FILE) {
        file = new ConstantColumnVector(batchRows, DataTypes.StringType);
        vectors[i] = file;
      } else if (c.kind() == OutputColumn.Kind.PARTITION) {
        partitionVectors[i] = new ConstantColumnVector(batchRows, c.type());
        vectors[i] = partitionVectors[i];
      } else {
        strided[i] = slices.isEmpty() ? null : inPlaceVector(c, slices.get(0).file());
        if (strided[i] != null) {
          vectors[i] = strided[i];
        } else {
          writable[i] = new OnHeapColumnVector(batchRows, c.type());
          vectors[i] = writable[i];
        }
      }
    }
    fileVector = file;
    batch = new ColumnarBatch(vectors);
  }

  /**
   * An in-place column for {@code c} if {@code file}'s array lays it out as one: a scalar element
   * of every row ({@code layout=matrix}, a record-free dtype), or the rows themselves as arrays of
   * one level over contiguous elements; the dtype must read as the Spark type as it is.
   */
  private StridedColumnVector inPlaceVector(OutputColumn c, NpyFileSpec file) {
    if (c.kind() != OutputColumn.Kind.DATA || SparkTypes.isVector(c.type())) {
      return null;
    }
    NpyPart part = file.parts().get(c.source().part());
    RowGeometry g = part.geometry(options.rowAxisLast());
    if (c.source().field() != null) {
      return null;
    }
    if (c.source().combo() >= 0) {
      return StridedColumnVector.scalars(c.type(), part.dtype());
    }
    if (g.rowShape.length == 1 && g.contiguous && g.linear) {
      return StridedColumnVector.arrays(c.type(), part.dtype(), (int) g.combos);
    }
    return null;
  }

  /** True if every in-place column suits {@code file} as it suited the first file. */
  private boolean suitsInPlace(NpyFileSpec file) {
    for (int i = 0; i < strided.length; i++) {
      if (strided[i] == null) {
        continue;
      }
      OutputColumn c = columns.get(i);
      NpyPart first = slices.get(0).file().parts().get(c.source().part());
      NpyPart now = file.parts().get(c.source().part());
      RowGeometry g0 = first.geometry(options.rowAxisLast());
      RowGeometry g = now.geometry(options.rowAxisLast());
      if (inPlaceVector(c, file) == null
          || !(now.dtype() instanceof ScalarDType d)
          || !(first.dtype() instanceof ScalarDType d0)
          || d.kind() != d0.kind()
          || d.itemSize() != d0.itemSize()
          || g.combos != g0.combos
          || g.contiguous != g0.contiguous) {
        return false;
      }
    }
    return true;
  }

  /** The batch of every column decoded, made at the first file that needs it. */
  private void ensureCopyBatch() {
    if (copyBatch != null) {
      return;
    }
    ColumnVector[] vectors = new ColumnVector[columns.size()];
    copyWritable = writable.clone();
    for (int i = 0; i < vectors.length; i++) {
      if (strided[i] != null) {
        copyWritable[i] = new OnHeapColumnVector(batchRows, columns.get(i).type());
        vectors[i] = copyWritable[i];
      } else {
        vectors[i] = batch.column(i);
      }
    }
    copyBatch = new ColumnarBatch(vectors);
  }

  @Override
  public boolean next() throws IOException {
    if (closed) {
      throw new IllegalStateException("next() called on a closed npy reader");
    }
    while (true) {
      if (produced >= limit) {
        return false;
      }
      if (slice == null) {
        if (sliceIndex >= slices.size()) {
          return false;
        }
        slice = slices.get(sliceIndex++);
        row = slice.startRow();
        try {
          openSlice();
        } catch (IOException | NpyException | UncheckedIOException e) {
          if (skip(e)) {
            continue;
          }
          throw failure(e);
        }
      }
      long remaining = Math.min(slice.endRow() - row, limit - produced);
      if (remaining <= 0) {
        closeSlice();
        continue;
      }
      int n = (int) Math.min(batchRows, remaining);
      try {
        readBatch(n);
      } catch (IOException | NpyException | UncheckedIOException e) {
        if (skip(e)) {
          continue;
        }
        throw failure(e);
      }
      row += n;
      produced += n;
      return true;
    }
  }

  private boolean skip(Exception e) {
    if (e instanceof NpyFileChangedException) {
      return false; // not corrupt: the query run again reads the new version whole
    }
    boolean missing =
        e instanceof FileNotFoundException || e instanceof java.nio.file.NoSuchFileException;
    if ((missing && options.ignoreMissingFiles()) || (!missing && options.ignoreCorruptFiles())) {
      LOG.warn(
          "Skipped the rest of {} from row {} ({}): {}",
          slice.file().path(),
          row,
          missing ? "ignoreMissingFiles" : "ignoreCorruptFiles",
          e.getMessage());
      closeSlice();
      return true;
    }
    return false;
  }

  private RuntimeException failure(Exception e) {
    String path = slice.file().path();
    String location = location(slice.file());
    closeSlice();
    if (e instanceof EOFException && !path.equals(location)) {
      // a member of a .npz: 'npy recover' takes .npy files and cannot repair an archive
      return new NpyFormatException(
          "Cannot read "
              + location
              + ": the archive ended before the rows the member's header promises ("
              + e.getMessage()
              + "). The archive is damaged or was truncated after planning: write it again"
              + " (np.savez), or set ignoreCorruptFiles=true to skip it");
    }
    if (e instanceof EOFException) {
      return new NpyNeedsRecoveryException(
          "Cannot read "
              + path
              + ": the file ended before the rows its header promises ("
              + e.getMessage()
              + "). It is truncated or was cut after planning: "
              + RecoverHint.recover(path)
              + " to keep the complete rows, or set ignoreCorruptFiles=true to skip it");
    }
    if (e instanceof RuntimeException re) {
      return re;
    }
    return new UncheckedIOException("Cannot read " + path + ": " + e.getMessage(), (IOException) e);
  }

  /** The file, or its first needed member ({@code a.npz[x.npy]}), for messages. */
  private String location(NpyFileSpec file) {
    for (int p = 0; p < partNeeded.length; p++) {
      if (partNeeded[p]) {
        return file.parts().get(p).location();
      }
    }
    return file.path();
  }

  private void openSlice() throws IOException {
    NpyFileSpec file = slice.file();
    inPlace = suitsInPlace(file);
    if (!inPlace) {
      ensureCopyBatch();
    }
    if (fileVector != null) {
      fileVector.setUtf8String(UTF8String.fromString(file.path()));
    }
    for (int i = 0; i < partitionVectors.length; i++) {
      if (partitionVectors[i] != null) {
        setPartitionValue(partitionVectors[i], columns.get(i), file);
      }
    }
    int parts = file.parts().size();
    sources = new ByteSource[parts];
    geometries = new RowGeometry[parts];
    dtypes = new DType[parts];
    FileSystem fs = null;
    for (int p = 0; p < parts; p++) {
      if (!partNeeded[p]) {
        continue;
      }
      NpyPart part = file.parts().get(p);
      dtypes[p] = part.dtype();
      geometries[p] =
          new RowGeometry(
              part.shape(), part.fortranOrder(), dtypes[p].itemSize(), options.rowAxisLast());
      if (fs == null) {
        fs = new Path(file.path()).getFileSystem(conf);
      }
      if (part.file() == null) {
        sources[p] = ByteSource.open(part, file.path(), file.length(), fs, options);
      } else {
        sources[p] = ByteSource.open(part, part.file(), part.fileIdentity().length(), fs, options);
        // after opening, as for a file: one published at the path from now on is not the one read
        ColumnSetFiles.checkUnchanged(part, fs);
      }
      filesOpened++;
    }
    if (fs != null) {
      // After opening: a file published at the path from now on is not the one being read.
      FileChangeCheck.check(file, fs, conf, options);
    }
  }

  /**
   * Sets a partition column's constant for {@code file}: values as {@link PartitionDiscovery} holds
   * them (Integer for int and date, Long for long and timestamps, Double, BigDecimal, String, or
   * null).
   */
  private static void setPartitionValue(
      ConstantColumnVector v, OutputColumn column, NpyFileSpec file) {
    Object value =
        column.partition() < file.partitionValues().size()
            ? file.partitionValues().get(column.partition())
            : null;
    if (value == null) {
      v.setNull();
      return;
    }
    v.setNotNull();
    DataType t = column.type();
    if (value instanceof Integer i) {
      v.setInt(i);
    } else if (value instanceof Long l) {
      v.setLong(l);
    } else if (value instanceof Double d) {
      v.setDouble(d);
    } else if (value instanceof java.math.BigDecimal d) {
      org.apache.spark.sql.types.DecimalType dt = (org.apache.spark.sql.types.DecimalType) t;
      v.setDecimal(org.apache.spark.sql.types.Decimal.apply(d), dt.precision());
    } else {
      v.setUtf8String(UTF8String.fromString(value.toString()));
    }
  }

  private void closeSlice() {
    if (sources != null) {
      for (ByteSource s : sources) {
        if (s != null) {
          bytesRead += s.bytesRead;
          try {
            s.close();
          } catch (IOException e) {
            LOG.debug("Closing {} failed", slice.file().path(), e);
          }
        }
      }
    }
    sources = null;
    slice = null;
  }

  private void readBatch(int n) throws IOException {
    WritableColumnVector[] out = inPlace ? writable : copyWritable;
    for (WritableColumnVector v : out) {
      if (v != null) {
        v.reset();
      }
    }
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).kind() == OutputColumn.Kind.ROW_INDEX) {
        WritableColumnVector v = out[i];
        for (int r = 0; r < n; r++) {
          v.putLong(r, row + r);
        }
      }
    }
    // Array by array: one load (and at most one copy) per array and batch, then its columns.
    for (int p = 0; p < sources.length; p++) {
      if (sources[p] == null) {
        continue;
      }
      RowGeometry g = geometries[p];
      ByteBuffer bytes = load(p, n);
      boolean decoded = false;
      Positions elements = null;
      for (int i = 0; i < columns.size(); i++) {
        OutputColumn c = columns.get(i);
        if (c.kind() != OutputColumn.Kind.DATA || c.source().part() != p) {
          continue;
        }
        int combo = c.source().combo();
        if (inPlace && strided[i] != null) {
          ByteOrder order = ((ScalarDType) dtypes[p]).byteOrder();
          if (combo >= 0) {
            if (g.contiguous) {
              strided[i].point(bytes, order, (int) g.comboOffset(combo), (int) g.rowBytes);
            } else {
              strided[i].point(bytes, order, combo * n * g.itemSize, g.itemSize);
            }
          } else {
            strided[i].point(bytes, order, 0, (int) g.rowBytes);
          }
          continue;
        }
        if (!decoded) {
          fill.use(bytes, slice.file().parts().get(p).location());
          decoded = true;
        }
        if (combo >= 0) {
          Positions at =
              g.contiguous
                  ? Positions.strided((int) g.comboOffset(combo), (int) g.rowBytes, n)
                  : Positions.strided(combo * n * g.itemSize, g.itemSize, n);
          fill.fill(out[i], c.type(), dtypes[p], new long[0], at);
          continue;
        }
        if (elements == null) {
          elements = elementPositions(g, n);
        }
        if (SparkTypes.isVector(c.type())) {
          fill.fillDenseVectors(out[i], (ScalarDType) dtypes[p], n, (int) g.combos, elements);
          continue;
        }
        WritableColumnVector inner = VectorFill.levels(out[i], c.type(), g.rowShape, n);
        DataType innerType = VectorFill.innerType(c.type(), g.rowShape.length);
        String field = c.source().field();
        if (field != null) {
          RecordDType.Field f = ((RecordDType) dtypes[p]).field(field);
          fill.fill(inner, innerType, f.dtype(), f.shape(), elements.plus(f.offset()));
        } else {
          fill.fill(inner, innerType, dtypes[p], new long[0], elements);
        }
      }
    }
    current().setNumRows(n);
  }

  private ColumnarBatch current() {
    return inPlace ? batch : copyBatch;
  }

  /** The bytes of rows {@code [row, row + n)} of array {@code p}. */
  private ByteBuffer load(int p, int n) throws IOException {
    RowGeometry g = geometries[p];
    NpyPart part = slice.file().parts().get(p);
    ByteSource src = sources[p];
    if (g.contiguous) {
      return src.view(part.dataOffset() + row * g.rowBytes, Math.toIntExact(n * g.rowBytes));
    }
    int run = n * g.itemSize;
    int len = Math.toIntExact((long) run * g.combos);
    if (gather.length < len) {
      gather = new byte[len];
    }
    boolean[] combos = combosNeeded[p];
    if (runOffsets.length < combos.length) {
      runOffsets = new long[combos.length];
      runTargets = new int[combos.length];
    }
    int count = 0;
    for (int c = 0; c < combos.length; c++) {
      if (combos[c]) {
        runOffsets[count] = part.dataOffset() + g.comboOffset(c) + row * g.itemSize;
        runTargets[count++] = c * run;
      }
    }
    src.readRuns(runOffsets, runTargets, count, run, gather);
    return ByteBuffer.wrap(gather, 0, len).slice();
  }

  /** Positions of element (r, c), in order r * combos + c, in a buffer from {@link #load}. */
  private static Positions elementPositions(RowGeometry g, int n) {
    int k = (int) g.combos;
    if (g.contiguous && g.linear) {
      return Positions.strided(0, g.itemSize, n * k);
    }
    int[] t = new int[n * k];
    for (int r = 0, i = 0; r < n; r++) {
      for (int c = 0; c < k; c++) {
        t[i++] =
            g.contiguous
                ? (int) (r * g.rowBytes + g.comboOffset(c))
                : c * n * g.itemSize + r * g.itemSize;
      }
    }
    return Positions.table(t);
  }

  @Override
  public ColumnarBatch get() {
    return current();
  }

  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    long open = 0;
    if (sources != null) {
      for (ByteSource s : sources) {
        open += s == null ? 0 : s.bytesRead;
      }
    }
    return new CustomTaskMetric[] {
      new NpyTaskMetric(NpyBytesReadMetric.NAME, bytesRead + open),
      new NpyTaskMetric(NpyFilesOpenedMetric.NAME, filesOpened),
      new NpyTaskMetric(NpyRowsProducedMetric.NAME, produced)
    };
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (slice != null) {
      closeSlice();
    }
    batch.close();
    if (copyBatch != null) {
      for (int i = 0; i < strided.length; i++) {
        if (strided[i] != null) {
          copyWritable[i].close(); // the others are the in-place batch's, closed with it
        }
      }
    }
  }
}
