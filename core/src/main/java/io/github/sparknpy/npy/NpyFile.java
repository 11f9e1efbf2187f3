package io.github.sparknpy.npy;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.io.ChannelInputStream;
import io.github.sparknpy.npy.io.FileLocking;
import io.github.sparknpy.npy.io.InputFile;
import io.github.sparknpy.npy.io.LocalInputFile;
import io.github.sparknpy.npy.io.SeekableInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A {@code .npy} file opened for reading: its header, zero-copy views of row ranges and element
 * access. Local files are memory-mapped (any size); other sources are read by position through an
 * {@link InputFile}.
 *
 * <p>Rows are entries along the growth axis (axis 0 in C order, the last axis in Fortran order),
 * because those are contiguous in the file; a 0-d array has one row. Reading rows past the data
 * that is actually there fails with an {@link NpyFormatException} that suggests {@code recover}.
 *
 * <p>Instances are safe to use from several threads.
 */
public final class NpyFile implements Closeable {
  private final String location;
  private final EncodedHeader encoded;
  private final long fileLength;
  private final DataSection data;
  private volatile boolean closed;

  private NpyFile(String location, EncodedHeader encoded, long fileLength, DataSection data) {
    this.location = location;
    this.encoded = encoded;
    this.fileLength = fileLength;
    this.data = data;
  }

  /**
   * Opens a local file, memory-mapping its data. Takes no lock: the header is read until two reads
   * agree ({@link EncodedHeader#readSettled}), so a file being appended to is seen as it was
   * between two appends.
   */
  public static NpyFile open(Path path) throws IOException {
    return open(path, EncodedHeader.DEFAULT_MAX_HEADER_BYTES);
  }

  /**
   * Opens a local file, memory-mapping its data; headers above {@code maxHeaderBytes} are refused.
   */
  public static NpyFile open(Path path, int maxHeaderBytes) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      // Appenders write the data, then the header: the length read after a settled header covers
      // every row it counts. See docs/reliability.md, "Concurrency".
      EncodedHeader header =
          EncodedHeader.readSettled(
              new ChannelInputStream(channel), channel::size, path.toString(), maxHeaderBytes);
      long length = channel.size();
      long dataLength = Math.max(0, length - header.dataOffset());
      return new NpyFile(
          path.toString(),
          header,
          length,
          new MappedDataSection(path, channel, header.dataOffset(), dataLength));
    } catch (IOException | RuntimeException e) {
      FileLocking.close(path, channel);
      throw e;
    }
  }

  /**
   * Opens a local file as {@link #open(Path)} does; a file whose data is longer or shorter than its
   * header says is opened again under the appenders' exclusive lock, which waits for an append in
   * flight (and for an appender of another process that holds the file until its close). So the
   * result tells a file being appended to from one whose appender was interrupted: only the latter
   * still {@link #needsRecovery()}.
   *
   * @throws io.github.sparknpy.npy.error.NpyFileBusyException if an appender of this JVM holds the
   *     file
   */
  public static NpyFile openBetweenAppends(Path path) throws IOException {
    NpyFile unlocked = open(path);
    if (!unlocked.needsRecovery()) {
      return unlocked;
    }
    unlocked.close();
    try (ExclusiveFile locked = ExclusiveFile.open(path)) {
      return open(path);
    }
  }

  /** Opens any positioned-read source. */
  public static NpyFile open(InputFile file) throws IOException {
    return open(file, EncodedHeader.DEFAULT_MAX_HEADER_BYTES);
  }

  /** Opens any positioned-read source; headers above {@code maxHeaderBytes} are refused. */
  public static NpyFile open(InputFile file, int maxHeaderBytes) throws IOException {
    if (file instanceof LocalInputFile local) {
      return open(local.path(), maxHeaderBytes);
    }
    long length = file.getLength();
    SeekableInputStream in = file.newStream();
    try {
      EncodedHeader header = EncodedHeader.read(in, length, file.location(), maxHeaderBytes);
      // A file appended to meanwhile has a header that may count rows written after the length
      // was taken (appends write the data before the header): the length taken now covers them.
      // Sources that report a fixed length (a Hadoop FileStatus) answer the same as before.
      length = Math.max(length, file.getLength());
      return new NpyFile(
          file.location(), header, length, new RangedDataSection(in, header.dataOffset()));
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  public String location() {
    return location;
  }

  public NpyHeader header() {
    return encoded.header();
  }

  public EncodedHeader encodedHeader() {
    return encoded;
  }

  public DType dtype() {
    return encoded.header().dtype();
  }

  public long[] shape() {
    return encoded.header().shape();
  }

  public long fileLength() {
    return fileLength;
  }

  /** Bytes of data actually in the file, which differs from the header's when it needs recovery. */
  public long dataLengthOnDisk() {
    return fileLength - encoded.dataOffset();
  }

  /** True if the data section is shorter or longer than the header says. */
  public boolean needsRecovery() {
    return dataLengthOnDisk() != header().dataBytes();
  }

  /** Rows along the growth axis, as the header says. */
  public long rowCount() {
    return header().rowCount();
  }

  /** Bytes per row along the growth axis. */
  public long rowBytes() {
    return header().rowBytes();
  }

  /**
   * {@code count} rows starting at row {@code first}, as a buffer positioned at 0 in the dtype's
   * byte order (little-endian for records). A zero-copy view for mapped files.
   *
   * @throws IllegalArgumentException if the range is outside the array or over 2 GiB
   * @throws NpyFormatException if the file ends before these rows (it needs recovery)
   */
  public ByteBuffer rows(long first, long count) throws IOException {
    long[] range = byteRange(first, count);
    return data.slice(range[0], (int) range[1]).order(byteOrder());
  }

  /**
   * Copies whole rows starting at row {@code first} into {@code dst}, filling its remaining bytes.
   */
  public void readRows(long first, ByteBuffer dst) throws IOException {
    long rowBytes = rowBytes();
    if (rowBytes == 0 || dst.remaining() % rowBytes != 0) {
      throw new IllegalArgumentException(
          "Cannot read rows of %s into %s bytes: not a whole number of %s-byte rows"
              .formatted(location, dst.remaining(), rowBytes));
    }
    long[] range = byteRange(first, dst.remaining() / rowBytes);
    data.read(range[0], dst);
  }

  /** The element at {@code index} (one index per axis; none for a 0-d array). */
  public NpyElement get(long... index) throws IOException {
    NpyHeader h = header();
    if (index.length != h.ndim()) {
      throw new IllegalArgumentException(
          "Cannot index %s of shape %s with %s indices"
              .formatted(location, NpyHeader.shapeRepr(h.shape()), index.length));
    }
    long flat = 0;
    long stride = 1;
    for (int k = 0; k < index.length; k++) {
      int axis = h.fortranOrder() ? k : index.length - 1 - k;
      if (index[axis] < 0 || index[axis] >= h.dim(axis)) {
        throw new IndexOutOfBoundsException(
            "Index %s is out of bounds for axis %s with size %s in %s"
                .formatted(index[axis], axis, h.dim(axis), location));
      }
      flat += index[axis] * stride;
      stride *= h.dim(axis);
    }
    int itemSize = h.dtype().itemSize();
    long offset = flat * itemSize;
    checkPresent(offset + itemSize);
    return new NpyElement(h.dtype(), data.slice(offset, itemSize), new long[0]);
  }

  private long[] byteRange(long first, long count) {
    ensureOpen();
    long rows = rowCount();
    if (first < 0 || count < 0 || first > rows || count > rows - first) {
      throw new IllegalArgumentException(
          "Cannot read rows [%s, %s) of %s: it has %s rows"
              .formatted(first, first + count, location, rows));
    }
    long rowBytes = rowBytes();
    long offset = first * rowBytes;
    long length = count * rowBytes;
    // A file too short for these rows is the file's fault, whatever the caller's buffer.
    checkPresent(offset + length);
    if (length > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "Cannot read %s bytes of %s into one buffer: %s"
              .formatted(
                  length,
                  location,
                  rowBytes > Integer.MAX_VALUE - 8
                      ? "one row is %s bytes; read its elements with get(...)".formatted(rowBytes)
                      : "read at most %s rows at a time"
                          .formatted((Integer.MAX_VALUE - 8) / rowBytes)));
    }
    return new long[] {offset, length};
  }

  private void checkPresent(long endInData) {
    if (endInData > dataLengthOnDisk()) {
      throw NpyNeedsRecoveryException.dataLength(
          "Cannot read " + location,
          header().dataBytes(),
          dataLengthOnDisk(),
          ". The file is truncated; run 'npy recover' on it (or Npy.recover) to keep the complete"
              + " rows.");
    }
  }

  private ByteOrder byteOrder() {
    return dtype().bufferOrder();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("Cannot read " + location + ": the file is closed");
    }
  }

  /** Idempotent. Views returned earlier by mapped files stay readable until garbage collected. */
  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      data.close();
    }
  }

  @Override
  public String toString() {
    return location + " (" + encoded + ")";
  }
}
