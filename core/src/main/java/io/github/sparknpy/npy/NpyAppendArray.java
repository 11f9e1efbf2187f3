package io.github.sparknpy.npy;

import io.github.sparknpy.npy.dtype.Casting;
import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.error.NpyDiskFullException;
import io.github.sparknpy.npy.error.NpyFileReplacedException;
import io.github.sparknpy.npy.error.NpyIncompatibleArrayException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.error.NpyNotAppendableException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.header.NpyVersion;
import io.github.sparknpy.npy.header.RowCountField;
import io.github.sparknpy.npy.io.ChannelInputStream;
import io.github.sparknpy.npy.io.FileLocking;
import io.github.sparknpy.npy.io.ReplacementWatch;
import io.github.sparknpy.npy.io.Unmapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Appends arrays to a {@code .npy} file on its growth axis (axis 0 in C order, the last axis in
 * Fortran order), as Python's {@code npy_append_array.NpyAppendArray} does, keeping the file
 * loadable by {@code np.load(path, mmap_mode="r")}.
 *
 * <ul>
 *   <li>A new file takes dtype, order and row shape from the first array and gets numpy's
 *       appendable header (spare space so it can be rewritten in place as the array grows).
 *   <li>An existing file is opened only if its header is appendable and its data matches it;
 *       otherwise {@link NpyNotAppendableException} ({@link Npy#ensureAppendable}) or {@link
 *       NpyNeedsRecoveryException} ({@link Npy#recover}).
 *   <li>With {@code rewriteHeaderOnAppend} (the default) the header is rewritten after every
 *       append, so the file is complete whenever an append returns. Without it, appends are
 *       buffered ({@code bufferBytes}) and the header is written on {@link #close()}: much faster,
 *       and a crash leaves a file that {@link Npy#recover} repairs, losing only unflushed rows.
 *   <li>Appends from several threads are serialized by a per-instance lock. The OS file lock is
 *       held from the first append (or the opening of an existing file) to {@link #close()}, so an
 *       append with header rewrites is one {@code pwrite} of the rows and a store of the new count
 *       into the mapped header: another appender of the file waits for this one to close (in
 *       another process) or is refused ({@link io.github.sparknpy.npy.error.NpyFileBusyException},
 *       in this JVM). With {@code holdLock(false)} the lock is taken for each append instead and
 *       the file's length re-read under it, so several processes can take turns appending.
 *   <li>If the process is killed, the rows of every append that returned (with header rewrites or
 *       {@code bufferBytes=0}), or of every {@link #flush()} that returned (buffered), are in the
 *       file, followed by at most the rows of the call in flight, whole or in part; {@link
 *       Npy#recover} keeps the whole rows. Nothing is forced to disk: an OS crash may lose more.
 *       See docs/reliability.md, "Crashes while appending".
 * </ul>
 */
public final class NpyAppendArray implements AutoCloseable {
  /** Default buffer for {@code rewriteHeaderOnAppend=false}. */
  public static final int DEFAULT_BUFFER_BYTES = 1 << 18;

  private static final int CHUNK_BYTES = 1 << 20;

  private final Path path;
  private Path lockKey;

  /** The identity of the file opened (see {@link #checkNotReplaced}). */
  private Object fileKey;

  private final boolean rewriteHeaderOnAppend;
  private final boolean holdLock;
  private final Casting casting;
  private final int maxHeaderBytes;

  /** Serializes appends from several threads on this instance. */
  private final Object lock = new Object();

  /** The write buffer and its fast path for small primitive appends (deferred headers). */
  private final AppendBuffer buffered;

  /** Reused for converted or reordered blocks on their way to the file (at most 1 MiB). */
  private ByteBuffer chunk;

  private FileChannel channel;

  /** The file's lock from the first append to close, with {@code holdLock}. */
  private FileLocking.Lease lease;

  /** Tells a lease holder that the path may name another file now. */
  private ReplacementWatch.Registration watch;

  /** The lease was taken or retaken: the file's length must be read again. */
  private boolean resync;

  /** The file's length as this appender left it (with a lease, nobody else changes it). */
  private long end;

  /** Where the row count sits in the header, and its bytes for a count. */
  private RowCountField countField;

  /** The header's bytes up to the end of the row count, mapped, for same-width count stores. */
  private MappedByteBuffer headerMap;

  /** The file system refused to map the header: counts are written with {@code pwrite}. */
  private boolean headerUnmappable;

  /** The row count the file's header holds now; -1 when unknown (write it whole). */
  private long headerRows = -1;

  private NpyHeader header;
  private NpyVersion version;
  private long dataOffset;
  private long committedRows;
  private boolean closed;

  /** Options for {@link NpyAppendArray}; defaults match the Python library. */
  public static final class Builder {
    private final Path path;
    private boolean deleteIfExists;
    private boolean rewriteHeaderOnAppend = true;
    private boolean holdLock = true;
    private Casting casting = Casting.SAFE;
    private int bufferBytes = DEFAULT_BUFFER_BYTES;
    private int maxHeaderBytes = EncodedHeader.DEFAULT_MAX_HEADER_BYTES;

    private Builder(Path path) {
      this.path = path;
    }

    /** Delete an existing file and start a new one (default false: append to it). */
    public Builder deleteIfExists(boolean value) {
      deleteIfExists = value;
      return this;
    }

    /** Rewrite the header after every append (default true); false defers it to close. */
    public Builder rewriteHeaderOnAppend(boolean value) {
      rewriteHeaderOnAppend = value;
      return this;
    }

    /**
     * Hold the file's lock from the first append to close (default true): appends cost no lock or
     * length system calls, and other appenders of the file wait for the close. False takes it for
     * each append (and re-reads the file's length), so several processes can take turns appending
     * to one file, at the cost of lock, unlock, length and identity system calls per append.
     */
    public Builder holdLock(boolean value) {
      holdLock = value;
      return this;
    }

    /** Which dtype conversions appends may make (default {@link Casting#SAFE}). */
    public Builder casting(Casting value) {
      casting = value;
      return this;
    }

    /** Write buffer when headers are deferred (default 256 KiB; 0 writes every append at once). */
    public Builder bufferBytes(int value) {
      if (value < 0) {
        throw new IllegalArgumentException("bufferBytes must not be negative: " + value);
      }
      bufferBytes = value;
      return this;
    }

    /** Largest header accepted when opening an existing file (default 1 MiB). */
    public Builder maxHeaderBytes(int value) {
      maxHeaderBytes = value;
      return this;
    }

    public NpyAppendArray open() throws IOException {
      return new NpyAppendArray(this);
    }
  }

  public static Builder builder(Path path) {
    return new Builder(path);
  }

  /** Opens {@code path} for appending with the default options, creating it at the first append. */
  public static NpyAppendArray open(Path path) throws IOException {
    return builder(path).open();
  }

  /** The file's key for {@link FileLocking}, resolved once (it costs a system call per folder). */
  private Path lockKey() {
    if (lockKey == null) {
      lockKey = FileLocking.key(path);
    }
    return lockKey;
  }

  private NpyAppendArray(Builder b) throws IOException {
    this.path = b.path;
    this.rewriteHeaderOnAppend = b.rewriteHeaderOnAppend;
    this.holdLock = b.holdLock;
    this.casting = b.casting;
    this.maxHeaderBytes = b.maxHeaderBytes;
    this.buffered =
        new AppendBuffer(lock, !b.rewriteHeaderOnAppend, b.bufferBytes, this::flushPending);
    if (b.deleteIfExists) {
      Files.deleteIfExists(path);
    } else if (Files.exists(path)) {
      fileKey = fileKey(path);
      channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      try {
        underLock(
            () -> {
              loadExisting();
              return null;
            });
      } catch (IOException | RuntimeException e) {
        try {
          releaseLease();
        } finally {
          if (channel.isOpen()) {
            FileLocking.close(path, channel); // nothing written yet
          }
          channel = null;
        }
        throw e;
      }
    }
  }

  /** Reads and checks the header of the open file; an empty file is treated as new. */
  private void loadExisting() throws IOException {
    long size = channel.size();
    if (size == 0) {
      return;
    }
    EncodedHeader encoded =
        EncodedHeader.read(new ChannelInputStream(channel), size, path.toString(), maxHeaderBytes);
    NpyHeader h = encoded.header();
    if (h.ndim() == 0) {
      throw new NpyNotAppendableException(
          cannotAppend("it holds a 0-d array, which has no axis to grow on"));
    }
    if (!encoded.isAppendable()) {
      throw new NpyNotAppendableException(
          cannotAppend(
              "its header has no spare space to grow in place (written by an older numpy or"
                  + " another tool). Call Npy.ensureAppendable(path, ...) or run 'npy"
                  + " ensure-appendable' first."));
    }
    if (size - encoded.dataOffset() != h.dataBytes()) {
      throw NpyNeedsRecoveryException.dataLength(
          "Cannot append to " + path,
          h.dataBytes(),
          size - encoded.dataOffset(),
          " (an append was interrupted). Call Npy.recover(path, ...) or run 'npy recover' first.");
    }
    header = h;
    useHeader();
    version = encoded.version();
    dataOffset = encoded.dataOffset();
    committedRows = h.rowCount();
    end = size;
    headerRows = -1;
  }

  public Path path() {
    return path;
  }

  /**
   * The header as it will be once pending rows are written; null before the first append to a new
   * file.
   */
  public NpyHeader header() {
    synchronized (lock) {
      return header == null ? null : header.withRowCount(committedRows + buffered.rows());
    }
  }

  public void append(double[] data, long... shape) throws IOException {
    if (!buffered.append(data, shape)) {
      append(NpyArray.of(data, shape.clone()));
    }
  }

  public void append(float[] data, long... shape) throws IOException {
    if (!buffered.append(data, shape)) {
      append(NpyArray.of(data, shape.clone()));
    }
  }

  public void append(long[] data, long... shape) throws IOException {
    if (!buffered.append(data, shape)) {
      append(NpyArray.of(data, shape.clone()));
    }
  }

  public void append(int[] data, long... shape) throws IOException {
    if (!buffered.append(data, shape)) {
      append(NpyArray.of(data, shape.clone()));
    }
  }

  public void append(short[] data, long... shape) throws IOException {
    if (!buffered.append(data, shape)) {
      append(NpyArray.of(data, shape.clone()));
    }
  }

  public void append(byte[] data, long... shape) throws IOException {
    if (!buffered.append(data, shape)) {
      append(NpyArray.of(data, shape.clone()));
    }
  }

  public void append(boolean[] data, long... shape) throws IOException {
    if (!buffered.append(data, shape)) {
      append(NpyArray.of(data, shape.clone()));
    }
  }

  /**
   * Appends one row (one entry along the growth axis) holding {@code values} in C order: the call
   * for loggers, free of a shape argument. A new file gets shape {@code (1, values.length)}; an
   * existing one needs {@code values.length} equal to its row's element count.
   */
  public void appendRow(double[] values) throws IOException {
    if (!buffered.putRow(values)) {
      append(NpyArray.of(values, oneRowShape(values.length)));
    }
  }

  /** {@link #appendRow(double[])} for {@code <f4} rows. */
  public void appendRow(float[] values) throws IOException {
    if (!buffered.putRow(values)) {
      append(NpyArray.of(values, oneRowShape(values.length)));
    }
  }

  /** {@link #appendRow(double[])} for {@code <i8} rows. */
  public void appendRow(long[] values) throws IOException {
    if (!buffered.putRow(values)) {
      append(NpyArray.of(values, oneRowShape(values.length)));
    }
  }

  /** {@link #appendRow(double[])} for {@code <i4} rows. */
  public void appendRow(int[] values) throws IOException {
    if (!buffered.putRow(values)) {
      append(NpyArray.of(values, oneRowShape(values.length)));
    }
  }

  /** The shape of one row of {@code elements} values: the file's with 1 on the growth axis. */
  private long[] oneRowShape(int elements) {
    synchronized (lock) {
      if (header != null
          && header.ndim() > 0
          && header.withRowCount(1).elementCount() == elements) {
        return header.withRowCount(1).shape();
      }
      return new long[] {1, elements};
    }
  }

  /**
   * Appends raw elements of {@code dtype} (in its byte order) laid out in C order, of {@code
   * shape}.
   */
  public void append(ByteBuffer data, DType dtype, long... shape) throws IOException {
    append(NpyArray.of(dtype, data, false, shape));
  }

  /**
   * Appends {@code array} on the growth axis.
   *
   * @throws NpyIncompatibleArrayException if its shape differs from the file's other than on the
   *     growth axis, or its dtype does not convert under the casting rule; nothing is written then
   * @throws IllegalStateException after {@link #close()}
   */
  public void append(NpyArray array) throws IOException {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(
            cannotAppend("this NpyAppendArray is closed; open a new one to append more"));
      }
      if (array.shapeRef().length == 0) {
        throw new NpyIncompatibleArrayException(
            "Cannot append a 0-d array to %s: it has no axis to grow on; reshape it to (1,)"
                .formatted(path));
      }
      if (header == null) {
        initialize(array);
      }
      Conversion conversion = checkCompatible(array);
      NpyArray source = array.toOrder(header.fortranOrder());
      long rows = array.shapeRef()[header.growthAxis()];
      long bytes = rows * header.rowBytes();
      ByteBuffer into = buffered.reserve(bytes);
      if (into != null) {
        fill(
            source,
            conversion,
            0,
            source.byteSize() / Math.max(1, source.dtype().itemSize()),
            into);
        buffered.added(rows);
        return;
      }
      flushPending();
      underLock(
          () -> {
            long at = appendEnd();
            try {
              writeArray(source, conversion, at);
            } catch (RuntimeException | IOException e) {
              // A value that fails to convert in a later chunk must not leave the earlier chunks
              // behind: the next append would count them as rows.
              cutBack(at, e);
              throw e;
            }
            end = at + bytes;
            committedRows += rows;
            if (rewriteHeaderOnAppend) {
              writeHeader();
            }
            return null;
          });
    }
  }

  /** Creates the file (or adopts one another writer created meanwhile) for the first array. */
  private void initialize(NpyArray first) throws IOException {
    if (channel == null) {
      channel =
          FileChannel.open(
              path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      fileKey = fileKey(path);
    }
    long[] shape = first.shapeRef().clone();
    boolean fortran = first.fortranOrder() && shape.length > 1;
    underLock(
        () -> {
          loadExisting();
          if (header == null) {
            shape[fortran ? shape.length - 1 : 0] = 0;
            NpyHeader h = NpyHeader.of(first.dtype(), fortran, shape);
            byte[] encoded = h.encode();
            writeFully(ByteBuffer.wrap(encoded), 0);
            header = h;
            useHeader();
            version = h.naturalVersion();
            dataOffset = encoded.length;
            committedRows = 0;
            end = encoded.length;
            headerRows = 0;
          }
          return null;
        });
  }

  private Conversion checkCompatible(NpyArray array) {
    long[] shape = array.shapeRef();
    int growth = header.growthAxis();
    if (sameRowShape(shape, growth)) {
      if (array.dtype().equals(header.dtype())
          || (array.isPrimitive() && array.dtype().isEquivalent(header.dtype()))) {
        return null;
      }
    }
    long[] fileShape = header.withRowCount(committedRows + buffered.rows()).shape();
    String order = header.fortranOrder() ? "Fortran" : "C";
    if (shape.length != fileShape.length) {
      throw new NpyIncompatibleArrayException(
          "Cannot append an array of shape %s to %s of shape %s: it has %s dimensions and the file has %s"
              .formatted(
                  NpyHeader.shapeRepr(shape),
                  path,
                  NpyHeader.shapeRepr(fileShape),
                  shape.length,
                  fileShape.length));
    }
    for (int axis = 0; axis < shape.length; axis++) {
      if (axis != growth && shape[axis] != fileShape[axis]) {
        throw new NpyIncompatibleArrayException(
            ("Cannot append an array of shape %s to %s of shape %s: shapes may differ only on axis"
                    + " %s (the growth axis of a %s-order file), but axis %s is %s here and %s in"
                    + " the file")
                .formatted(
                    NpyHeader.shapeRepr(shape),
                    path,
                    NpyHeader.shapeRepr(fileShape),
                    growth,
                    order,
                    axis,
                    shape[axis],
                    fileShape[axis]));
      }
    }
    if (array.dtype().equals(header.dtype())) {
      return null;
    }
    if (array.isPrimitive() && array.dtype().isEquivalent(header.dtype())) {
      return null;
    }
    try {
      return Conversion.of(array.dtype(), header.dtype(), casting);
    } catch (IllegalArgumentException e) {
      throw new NpyIncompatibleArrayException(cannotAppend(e.getMessage()), e);
    }
  }

  /** Sets what follows from a newly known header: the buffer's byte order and the fast path. */
  private void useHeader() {
    buffered.use(header, fileByteOrder());
  }

  /** The byte order elements are written in: the dtype's, little-endian for records. */
  private ByteOrder fileByteOrder() {
    return header.dtype().bufferOrder();
  }

  /** True if {@code shape} matches the file's on every axis but the growth axis (no allocation). */
  private boolean sameRowShape(long[] shape, int growth) {
    if (shape.length != header.ndim()) {
      return false;
    }
    for (int axis = 0; axis < shape.length; axis++) {
      if (axis != growth && shape[axis] != header.dim(axis)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The file's end, with the committed row count re-read from it (other processes may have
   * appended).
   */
  private long syncEnd() throws IOException {
    checkNotReplaced();
    long size = channel.size();
    long rowBytes = header.rowBytes();
    if (rowBytes > 0) {
      long data = size - dataOffset;
      if (data < 0 || data % rowBytes != 0) {
        throw new NpyNeedsRecoveryException(
            cannotAppend(
                ("its data section is %s bytes, not a whole number of %s-byte rows (another writer"
                        + " was interrupted). Call Npy.recover(path, ...) or run 'npy recover'"
                        + " first.")
                    .formatted(data, rowBytes)));
      }
      committedRows = data / rowBytes;
    }
    return size;
  }

  /** "Cannot append to PATH: " and {@code why}. */
  private String cannotAppend(String why) {
    return "Cannot append to %s: %s".formatted(path, why);
  }

  /** The file's identity (its inode on Unix); null where the file system gives none. */
  private static Object fileKey(Path p) throws IOException {
    return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
  }

  /**
   * Under the lock, before a write: the path must still name the file this instance has open. A
   * file renamed over it (a Spark Overwrite, {@code np.save} to a temp name and a rename) or
   * deleted would otherwise take the rows into a file nobody can open any more.
   */
  private void checkNotReplaced() throws IOException {
    if (fileKey == null) {
      return;
    }
    Object now;
    try {
      now = fileKey(path);
    } catch (NoSuchFileException e) {
      now = null;
    }
    if (!fileKey.equals(now)) {
      throw new NpyFileReplacedException(
          ("Cannot append to %s: the file was %s by another program since this NpyAppendArray"
                  + " opened it, so these rows (and any still buffered) were not written. Open"
                  + " the path again to append to the file there now")
              .formatted(path, now == null ? "deleted" : "replaced (renamed over)"));
    }
  }

  /** Converts and copies the elements [first, first + count) of {@code source} into {@code dst}. */
  private void fill(
      NpyArray source, Conversion conversion, long first, long count, ByteBuffer dst) {
    int outSize = header.dtype().itemSize();
    if (outSize == 0 || count == 0) {
      return;
    }
    ByteOrder order = fileByteOrder();
    if (conversion == null) {
      int end = dst.position() + (int) (count * outSize);
      int limit = dst.limit();
      dst.limit(end);
      source.copyBytes(first * outSize, dst, order);
      dst.limit(limit).position(end);
      return;
    }
    int inSize = source.dtype().itemSize();
    ByteBuffer in = ByteBuffer.allocate((int) (count * inSize));
    source.copyBytes(first * inSize, in, source.dtype().bufferOrder());
    conversion.convert(in.flip(), 0, dst, dst.position(), (int) count);
    dst.position(dst.position() + (int) (count * outSize));
  }

  /**
   * Writes all of {@code source} at {@code position}: straight from its buffer, or in converted
   * chunks.
   */
  private void writeArray(NpyArray source, Conversion conversion, long position)
      throws IOException {
    ByteBuffer raw = source.rawBytes();
    if (conversion == null && raw != null && source.dtype().equals(header.dtype())) {
      writeFully(raw, position);
      return;
    }
    int outSize = header.dtype().itemSize();
    if (outSize == 0) {
      return;
    }
    long count = source.byteSize() / Math.max(1, source.dtype().itemSize());
    int perChunk = Math.max(1, CHUNK_BYTES / Math.max(outSize, source.dtype().itemSize()));
    int chunkBytes = (int) Math.min((long) perChunk * outSize, count * outSize);
    if (chunk == null || chunk.capacity() < chunkBytes) {
      chunk = ByteBuffer.allocateDirect(chunkBytes);
    }
    for (long e = 0; e < count; e += perChunk) {
      int n = (int) Math.min(perChunk, count - e);
      chunk.clear();
      fill(source, conversion, e, n, chunk);
      chunk.flip();
      position += writeFully(chunk, position);
    }
  }

  private long writeFully(ByteBuffer buf, long position) throws IOException {
    long written = 0;
    try {
      while (buf.hasRemaining()) {
        written += channel.write(buf, position + written);
      }
    } catch (IOException e) {
      throw NpyDiskFullException.restate(
          e,
          "Cannot append to " + path,
          ("Free space on its disk (or append to a file on another disk) and append again; if"
                  + " the file now ends in an incomplete row, run 'npy recover %s' (Npy.recover)"
                  + " first")
              .formatted(path));
    }
    return written;
  }

  /**
   * Writes the row count into the header. The first time after the file was (re)read the whole
   * header is written, so a header another tool formatted differently becomes numpy's; then only
   * the count's field. With a lease, a count of the same width as the last one is stored into the
   * mapped header (no system call; a kill mid-store leaves a parseable count, of the same width,
   * that {@link Npy#recover} corrects); a wider one is written with {@code pwrite}, which a kill
   * cannot tear, since the text after the digits moves.
   */
  private void writeHeader() throws IOException {
    if (headerRows < 0) {
      byte[] bytes = header.withRowCount(committedRows).encode(version, dataOffset);
      writeFully(ByteBuffer.wrap(bytes), 0);
    } else if (headerRows != committedRows) {
      if (countField == null) {
        countField = RowCountField.of(header, version, dataOffset);
      }
      byte[] field = countField.encode(committedRows);
      if (lease != null
          && RowCountField.sameWidth(headerRows, committedRows)
          && mappedHeader(field.length)) {
        headerMap.put(countField.offset(), field, 0, RowCountField.digitCount(committedRows));
      } else {
        writeFully(ByteBuffer.wrap(field), countField.offset());
      }
    }
    headerRows = committedRows;
  }

  /**
   * Maps the header up to the end of the count's field, once; false where the file system cannot
   * map files (the count is then written with {@code pwrite}, as always before).
   */
  private boolean mappedHeader(int fieldLength) {
    if (headerMap == null && !headerUnmappable) {
      try {
        headerMap =
            channel.map(FileChannel.MapMode.READ_WRITE, 0, countField.offset() + fieldLength);
      } catch (IOException | UnsupportedOperationException e) {
        headerUnmappable = true;
      }
    }
    return headerMap != null;
  }

  /**
   * Runs a step that reads or writes the file under its exclusive lock: the lease (taken at the
   * first call with {@code holdLock}) or the lock of one step.
   */
  private <T> T underLock(FileLocking.Step<T> step) throws IOException {
    if (!holdLock) {
      headerRows = -1; // another process may have rewritten it since
      return FileLocking.exclusive(lockKey(), channel, step);
    }
    if (lease == null) {
      lease = FileLocking.hold(lockKey(), channel);
      watch = ReplacementWatch.register(path);
      resync = true;
    }
    if (lease.enter()) {
      resync = true; // another process had the file meanwhile
      headerRows = -1;
    }
    try {
      return step.run();
    } finally {
      lease.exit();
    }
  }

  /**
   * Where the next rows go: the file's end as this appender left it, with a lease; its length read
   * again (and its identity checked) otherwise, or after the lease was (re)taken.
   */
  private long appendEnd() throws IOException {
    if (lease == null || resync) {
      long size = syncEnd();
      resync = false;
      return size;
    }
    checkWatched(false);
    return end;
  }

  /** With a lease: checks the file's identity if the watch reported a change, or if forced. */
  private void checkWatched(boolean always) throws IOException {
    if (always || watch.suspect()) {
      watch.clear();
      try {
        checkNotReplaced();
      } catch (NpyFileReplacedException e) {
        watch.mark();
        throw e;
      }
    }
  }

  /** Cuts the file back to {@code length} after {@code failure}, which keeps a failed cut. */
  private void cutBack(long length, Exception failure) {
    try {
      channel.truncate(length);
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Closes the channel if the lease has not (it closes it on release, before this JVM's other
   * threads may lock the file). Without a lease this JVM may still hold the file: another
   * appender's lease, or an exclusive step of another thread, whose lock a plain close would drop.
   */
  private void closeChannel() throws IOException {
    if (channel.isOpen()) {
      FileLocking.closeReporting(path, channel);
    }
  }

  private void releaseLease() throws IOException {
    if (lease != null) {
      try {
        lease.release();
      } finally {
        lease = null;
        watch.close();
        watch = null;
      }
    }
  }

  private void flushPending() throws IOException {
    if (buffered.isEmpty()) {
      return;
    }
    underLock(
        () -> {
          long at = appendEnd();
          long rows;
          try {
            rows = buffered.drainTo(data -> writeFully(data, at));
          } catch (IOException | RuntimeException e) {
            // Part of the buffer may be in the file: cut it off, so that neither the next flush
            // of the kept rows nor another appender finds it.
            cutBack(at, e);
            throw e;
          }
          committedRows += rows;
          end = at + rows * header.rowBytes();
          return null;
        });
  }

  /**
   * Writes buffered rows to the file (the header follows on close, or now with header rewrites).
   */
  public void flush() throws IOException {
    synchronized (lock) {
      if (closed || channel == null || header == null) {
        return;
      }
      if (lease != null) {
        checkWatched(true); // flush() always checks for a replaced file, as close() does
      }
      flushPending();
    }
  }

  /** Writes buffered rows and the final header, then closes the file. Idempotent. */
  @Override
  public void close() throws IOException {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      buffered.disable();
      if (channel == null) {
        return;
      }
      try {
        if (header != null) {
          flushPending();
          underLock(
              () -> {
                syncEnd();
                writeHeader();
                return null;
              });
        }
      } finally {
        try {
          releaseLease();
        } finally {
          Unmapper.unmap(headerMap);
          headerMap = null;
          closeChannel();
        }
      }
    }
  }
}
