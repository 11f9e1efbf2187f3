package io.github.sparknpy.npy;

import io.github.sparknpy.npy.dtype.Casting;
import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.Relayout;
import io.github.sparknpy.npy.error.NpyIncompatibleArrayException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.error.NpyNotAppendableException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.io.FileLocking;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one way rows of other arrays are appended to a {@code .npy} file in place (behind {@link
 * ExclusiveFile#appendRows}, {@link Npy#append} and {@link Npy#concat}): every source is checked
 * and planned before anything is written; the data goes after the file's data and is forced to
 * disk; then the header is rewritten with the new row count and forced. Until it returns, any
 * failure puts the old header bytes back and cuts the file to its old length, so the header never
 * counts data that is not there.
 */
final class RowAppend {
  /** Default bytes of source data read, converted and written at a time. */
  static final int DEFAULT_CHUNK_BYTES = 8 << 20;

  private final FileChannel ch;
  private final Path file;
  private final EncodedHeader old;
  private final NpyHeader existing;
  private final int chunkBytes;

  private RowAppend(FileChannel ch, Path file, EncodedHeader old, int chunkBytes) {
    if (chunkBytes <= 0) {
      throw new IllegalArgumentException("chunkBytes must be positive: %s".formatted(chunkBytes));
    }
    this.chunkBytes = chunkBytes;
    this.ch = ch;
    this.file = file;
    this.old = old;
    this.existing = old.header();
  }

  /** See {@link ExclusiveFile#appendRows}. The caller holds the file's exclusive lock. */
  static NpyHeader append(
      FileChannel ch,
      Path file,
      EncodedHeader old,
      List<RowSource> sources,
      Casting casting,
      ExclusiveFile.Checkpoint checkpoint,
      int chunkBytes)
      throws IOException {
    return new RowAppend(ch, file, old, chunkBytes).run(sources, casting, checkpoint);
  }

  private NpyHeader run(
      List<RowSource> sources, Casting casting, ExclusiveFile.Checkpoint checkpoint)
      throws IOException {
    checkTarget();
    List<Plan> plans = new ArrayList<>(sources.size());
    long added = 0;
    for (RowSource s : sources) {
      Plan p = plan(s, casting);
      plans.add(p);
      added = Math.addExact(added, p.rows);
    }
    long end = old.dataOffset() + existing.dataBytes();
    ByteBuffer oldHeader = ByteBuffer.allocate((int) old.dataOffset());
    while (oldHeader.hasRemaining()) {
      if (ch.read(oldHeader, oldHeader.position()) < 0) {
        throw new EOFException(cannotAppend("its header is cut short"));
      }
    }
    try {
      long pos = end;
      for (Plan p : plans) {
        pos += p.copy(pos);
      }
      ch.force(false);
      checkpoint.reached(ExclusiveFile.Stage.DATA_FORCED);
      NpyHeader grown = existing.withRowCount(Math.addExact(existing.rowCount(), added));
      writeFully(ByteBuffer.wrap(grown.encode(old.version(), old.dataOffset())), 0);
      checkpoint.reached(ExclusiveFile.Stage.HEADER_WRITTEN);
      ch.force(false);
      return grown;
    } catch (IOException | RuntimeException e) {
      restore(oldHeader.flip(), end, e);
      throw e;
    }
  }

  private void checkTarget() throws IOException {
    if (existing.ndim() == 0) {
      throw new NpyNotAppendableException(
          cannotAppend("it holds a 0-d array, which has no axis to grow on"));
    }
    if (!old.isAppendable()) {
      throw new NpyNotAppendableException(
          cannotAppend(
              "its header has no spare space to grow in place (written by an older numpy or"
                  + " another tool). Call Npy.ensureAppendable(path, ...) or run 'npy"
                  + " ensure-appendable' first."));
    }
    long data = ch.size() - old.dataOffset();
    if (data != existing.dataBytes()) {
      throw NpyNeedsRecoveryException.beforeAppend(file, existing.dataBytes(), data);
    }
  }

  /** Puts the old header back and cuts the appended bytes off; a failure here is reported too. */
  private void restore(ByteBuffer oldHeader, long end, Exception cause) {
    try {
      writeFully(oldHeader, 0);
      ch.truncate(end);
      ch.force(false);
    } catch (IOException | RuntimeException r) {
      IOException e =
          new IOException(
              ("Cannot roll back the failed append to %s (old length %s): run 'npy recover %s' to"
                      + " keep the rows its header counts")
                  .formatted(file, end, file),
              r);
      cause.addSuppressed(e);
    }
  }

  private Plan plan(RowSource s, Casting casting) {
    NpyHeader h = s.header();
    int growth = existing.growthAxis();
    boolean sameShape = h.ndim() == existing.ndim();
    for (int axis = 0; sameShape && axis < h.ndim(); axis++) {
      sameShape = axis == growth || h.dim(axis) == existing.dim(axis);
    }
    if (!sameShape) {
      throw new NpyIncompatibleArrayException(
          ("Cannot append %s (shape %s) to %s of shape %s: shapes may differ only on axis %s (the"
                  + " growth axis of a %s-order file)")
              .formatted(
                  s.name(),
                  NpyHeader.shapeRepr(h.shape()),
                  file,
                  NpyHeader.shapeRepr(existing.shape()),
                  growth,
                  existing.fortranOrder() ? "Fortran" : "C"));
    }
    DType from = h.dtype();
    DType to = existing.dtype();
    long rowElements = 1;
    for (int axis = 0; axis < h.ndim(); axis++) {
      rowElements = axis == growth ? rowElements : Math.multiplyExact(rowElements, h.dim(axis));
    }
    Relayout relayout = null;
    Conversion conversion = null;
    if (!from.equals(to)) {
      if (Relayout.canWiden(from, to)) {
        relayout = Relayout.plan(from, to, rowElements);
      } else {
        try {
          conversion = Conversion.of(from, to, casting);
        } catch (IllegalArgumentException e) {
          throw new NpyIncompatibleArrayException(
              "Cannot append %s to %s: %s".formatted(s.name(), file, e.getMessage()), e);
        }
      }
    }
    boolean reorder =
        h.ndim() > 1
            && h.fortranOrder() != existing.fortranOrder()
            && NpyArray.layoutsDiffer(h.shape());
    return new Plan(s, h.dim(growth), rowElements, relayout, conversion, reorder);
  }

  /**
   * One source, planned: its rows on the target's growth axis and how its bytes become the file's.
   */
  private final class Plan {
    final RowSource source;
    final long rows;
    final long rowElements;
    final Relayout relayout;
    final Conversion conversion;
    final boolean reorder;
    final int inRowBytes;
    final int outRowBytes;

    Plan(
        RowSource source,
        long rows,
        long rowElements,
        Relayout relayout,
        Conversion conversion,
        boolean reorder) {
      this.source = source;
      this.rows = rows;
      this.rowElements = rowElements;
      this.relayout = relayout;
      this.conversion = conversion;
      this.reorder = reorder;
      this.inRowBytes =
          Math.toIntExact(Math.multiplyExact(rowElements, source.header().dtype().itemSize()));
      this.outRowBytes =
          Math.toIntExact(Math.multiplyExact(rowElements, existing.dtype().itemSize()));
    }

    /** Writes this source's rows at {@code pos}; returns the bytes written. */
    long copy(long pos) throws IOException {
      if (rows == 0 || outRowBytes == 0) {
        return 0;
      }
      long perChunk = Math.max(1, chunkBytes / Math.max(inRowBytes, outRowBytes));
      ByteBuffer out = ByteBuffer.allocate((int) Math.min(rows, perChunk) * outRowBytes);
      long written = 0;
      ReadableByteChannel in = open();
      try {
        if (reorder) {
          return copyReordered(in, pos, out);
        }
        if (relayout == null && conversion == null && in instanceof FileChannel fc) {
          return transfer(fc, pos);
        }
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(rows, perChunk) * inRowBytes);
        for (long first = 0; first < rows; first += perChunk) {
          int n = (int) Math.min(perChunk, rows - first);
          buf.clear().limit(n * inRowBytes);
          readFully(in, buf);
          written += write(buf.flip(), n, out, pos + written);
        }
      } finally {
        if (source.localFile() != null && in instanceof FileChannel fc) {
          // the source may be a file an appender of this JVM holds: a plain close drops its lock
          FileLocking.close(source.localFile(), fc);
        } else {
          in.close();
        }
      }
      return written;
    }

    /**
     * The source's data. A source that is the target file itself is read through the locked
     * channel: opening and closing another descriptor of the file would drop the lock (POSIX).
     */
    private ReadableByteChannel open() throws IOException {
      Path local = source.localFile();
      if (local != null && Files.exists(local) && Files.isSameFile(local, file)) {
        return new LockedView(source.dataOffset());
      }
      return source.data().open();
    }

    /** The same bytes from a local file: copied by the kernel where it can. */
    private long transfer(FileChannel in, long pos) throws IOException {
      long start = in.position();
      long count = rows * inRowBytes;
      long done = 0;
      while (done < count) {
        long n = in.transferTo(start + done, count - done, ch.position(pos + done));
        if (n <= 0) {
          if (in.size() < start + count) {
            throw new EOFException(
                "Cannot append %s to %s: its data ended %s bytes before its header says"
                    .formatted(source.name(), file, count - done));
          }
          continue;
        }
        done += n;
      }
      return done;
    }

    /**
     * Converts {@code n} rows in {@code in} (the source's dtype) into the file's and writes them.
     */
    private long write(ByteBuffer in, int n, ByteBuffer out, long pos) throws IOException {
      ByteBuffer data;
      if (relayout != null) {
        out.clear();
        relayout.apply(in, out, n);
        data = out.flip();
      } else if (conversion != null) {
        out.clear();
        conversion.convert(in, 0, out, 0, (int) (n * rowElements));
        data = out.limit(n * outRowBytes);
      } else {
        data = in;
      }
      return writeFully(data, pos);
    }

    /**
     * A source in the other memory order: the file grows on the axis that varies fastest in the
     * source, so each chunk of file rows is gathered from all source rows (a run of {@code n}
     * elements for every combination of the other axes), then reordered in memory.
     */
    private long copyReordered(ReadableByteChannel in, long pos, ByteBuffer out)
        throws IOException {
      if (!(in instanceof SeekableByteChannel seekable)) {
        throw new IllegalArgumentException(
            ("Cannot append %s to %s: its memory order differs from the file's, which needs a"
                    + " seekable source")
                .formatted(source.name(), file));
      }
      NpyHeader h = source.header();
      long base = seekable.position();
      long[] shape = h.shape();
      int sourceAxis = h.growthAxis();
      int targetAxis = existing.growthAxis();
      long outer = shape[sourceAxis];
      long middle = 1;
      for (int axis = 0; axis < shape.length; axis++) {
        if (axis != sourceAxis && axis != targetAxis) {
          middle *= shape[axis];
        }
      }
      int item = h.dtype().itemSize();
      long bytesPerTargetRow = outer * middle * item;
      long k = Math.max(1, Math.min(rows, chunkBytes / Math.max(bytesPerTargetRow, outRowBytes)));
      if (k * bytesPerTargetRow > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            ("Cannot append %s: one row of it along the target's growth axis is %s bytes in the"
                    + " other memory order, too large to reorder in memory. Save it in the"
                    + " target's order.")
                .formatted(source.name(), bytesPerTargetRow));
      }
      long sourceRowBytes = h.rowBytes();
      long rowsPerRead = Math.max(1, chunkBytes / sourceRowBytes);
      ByteBuffer chunk = ByteBuffer.allocate((int) (k * bytesPerTargetRow));
      ByteBuffer ordered = ByteBuffer.allocate(chunk.capacity()).order(h.dtype().bufferOrder());
      ByteBuffer read = ByteBuffer.allocate((int) (Math.min(rowsPerRead, outer) * sourceRowBytes));
      long written = 0;
      for (long first = 0; first < rows; first += k) {
        int n = (int) Math.min(k, rows - first);
        int runBytes = n * item;
        int at = 0;
        for (long s0 = 0; s0 < outer; s0 += rowsPerRead) {
          long count = Math.min(rowsPerRead, outer - s0);
          seekable.position(base + s0 * sourceRowBytes);
          read.clear().limit((int) (count * sourceRowBytes));
          readFully(seekable, read);
          long runsRead = count * middle;
          for (long r = 0; r < runsRead; r++) {
            chunk.put(at, read, (int) ((r * rows + first) * item), runBytes);
            at += runBytes;
          }
        }
        long[] part = shape.clone();
        part[targetAxis] = n;
        NpyArray gathered =
            NpyArray.of(h.dtype(), chunk.slice(0, at), h.fortranOrder(), part)
                .toOrder(existing.fortranOrder());
        ordered.clear().limit(at);
        gathered.copyBytes(0, ordered, h.dtype().bufferOrder());
        written += write(ordered.flip(), n, out, pos + written);
      }
      return written;
    }

    private void readFully(ReadableByteChannel in, ByteBuffer buf) throws IOException {
      while (buf.hasRemaining()) {
        if (in.read(buf) < 0) {
          throw new EOFException(
              "Cannot append %s to %s: its data ended %s bytes before its header says"
                  .formatted(source.name(), file, buf.remaining()));
        }
      }
    }
  }

  /** The locked channel read from {@code start} on, left open on close. */
  private final class LockedView implements SeekableByteChannel {
    private long pos;
    private boolean open = true;

    LockedView(long start) {
      this.pos = start;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      int n = ch.read(dst, pos);
      if (n > 0) {
        pos += n;
      }
      return n;
    }

    @Override
    public int write(ByteBuffer src) {
      throw new UnsupportedOperationException("read-only view");
    }

    @Override
    public long position() {
      return pos;
    }

    @Override
    public SeekableByteChannel position(long newPosition) {
      pos = newPosition;
      return this;
    }

    @Override
    public long size() throws IOException {
      return ch.size();
    }

    @Override
    public SeekableByteChannel truncate(long size) {
      throw new UnsupportedOperationException("read-only view");
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false; // the channel belongs to the ExclusiveFile
    }
  }

  private long writeFully(ByteBuffer buf, long position) throws IOException {
    long written = 0;
    while (buf.hasRemaining()) {
      written += ch.write(buf, position + written);
    }
    return written;
  }

  private String cannotAppend(String why) {
    return "Cannot append to %s: %s".formatted(file, why);
  }
}
