package io.github.sparknpy.npy;

import io.github.sparknpy.npy.dtype.Casting;
import io.github.sparknpy.npy.error.NpyDiskFullException;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyIncompatibleArrayException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.error.NpyNotAppendableException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.header.NpyVersion;
import io.github.sparknpy.npy.io.ChannelInputStream;
import io.github.sparknpy.npy.io.FileLocking;
import io.github.sparknpy.npy.io.LocalInputFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * File-level operations of {@code npy-append-array}: {@link #isAppendable}, {@link #needsRecovery},
 * {@link #ensureAppendable}, {@link #recover}, plus {@link #concat}. The checks read the header and
 * the file length only, so they cost the same for any file size. Operations that change a file hold
 * the same locks as {@link NpyAppendArray}.
 */
public final class Npy {
  private static final int COPY_CHUNK = 8 << 20;

  private Npy() {}

  /** Reads the header of a local file. */
  public static EncodedHeader readHeader(Path path) throws IOException {
    return readHeader(path, EncodedHeader.DEFAULT_MAX_HEADER_BYTES);
  }

  /** Reads the header of a local file, refusing headers longer than {@code maxHeaderBytes}. */
  public static EncodedHeader readHeader(Path path, int maxHeaderBytes) throws IOException {
    return EncodedHeader.read(new LocalInputFile(path), maxHeaderBytes);
  }

  /** True if {@link NpyAppendArray} can append to the file: its header has numpy's spare space. */
  public static boolean isAppendable(Path path) throws IOException {
    return readHeader(path).isAppendable();
  }

  /** True if the file's data is shorter or longer than its header says. */
  public static boolean needsRecovery(Path path) throws IOException {
    EncodedHeader h = readHeader(path);
    return Files.size(path) - h.dataOffset() != h.header().dataBytes();
  }

  /**
   * Makes a file appendable by rewriting its header with numpy's spare space.
   *
   * @param inPlace true: move the data up by the few bytes the header grows, in the file itself (no
   *     second copy on disk); false: write a new file beside it and atomically replace it
   * @return false if the file was appendable already (nothing is written then)
   * @throws NpyNotAppendableException for 0-d arrays, which have no axis to grow on
   * @throws NpyNeedsRecoveryException if the data does not match the header ({@link #recover} makes
   *     such files appendable too)
   */
  public static boolean ensureAppendable(Path path, boolean inPlace) throws IOException {
    return ensureAppendable(path, inPlace, EncodedHeader.DEFAULT_MAX_HEADER_BYTES);
  }

  /**
   * {@link #ensureAppendable(Path, boolean)} refusing headers longer than {@code maxHeaderBytes}.
   */
  public static boolean ensureAppendable(Path path, boolean inPlace, int maxHeaderBytes)
      throws IOException {
    return ensureAppendable(path, inPlace, maxHeaderBytes, InPlaceMove.DEFAULT_CHUNK_BYTES, null);
  }

  /**
   * {@link #ensureAppendable(Path, boolean)} with the in-place move's chunk size and a test hook.
   */
  static boolean ensureAppendable(
      Path path, boolean inPlace, int chunkBytes, InPlaceMove.Checkpoint checkpoint)
      throws IOException {
    return ensureAppendable(
        path, inPlace, EncodedHeader.DEFAULT_MAX_HEADER_BYTES, chunkBytes, checkpoint);
  }

  private static boolean ensureAppendable(
      Path path,
      boolean inPlace,
      int maxHeaderBytes,
      int chunkBytes,
      InPlaceMove.Checkpoint checkpoint)
      throws IOException {
    try {
      return ensureAppendableLocked(path, inPlace, maxHeaderBytes, chunkBytes, checkpoint);
    } catch (IOException e) {
      throw NpyDiskFullException.restate(
          e,
          "Cannot make " + path + " appendable",
          inPlace
              ? ("Free space on its disk and run Npy.ensureAppendable (or 'npy recover %s') again:"
                      + " a rewrite interrupted in place resumes from its journal %s")
                  .formatted(path, InPlaceMove.journalOf(path))
              : "The file is unchanged (its partial copy beside it was deleted): free about its"
                  + " size on its disk, or rewrite it in place, and run again");
    }
  }

  private static boolean ensureAppendableLocked(
      Path path,
      boolean inPlace,
      int maxHeaderBytes,
      int chunkBytes,
      InPlaceMove.Checkpoint checkpoint)
      throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    return FileLocking.exclusiveThenClose(
        path,
        channel,
        () -> {
          boolean resumed = InPlaceMove.resume(path, channel);
          EncodedHeader encoded = read(channel, path, maxHeaderBytes);
          NpyHeader header = encoded.header();
          if (header.ndim() == 0) {
            throw new NpyNotAppendableException(
                ("Cannot make %s appendable: it holds a 0-d array, which has no axis to grow on."
                        + " Save it with shape (1,) instead.")
                    .formatted(path));
          }
          long data = channel.size() - encoded.dataOffset();
          if (data != header.dataBytes()) {
            throw NpyNeedsRecoveryException.dataLength(
                "Cannot make %s appendable".formatted(path),
                header.dataBytes(),
                data,
                ". Call Npy.recover(path, ...) or run 'npy recover', which also makes it"
                    + " appendable.");
          }
          if (encoded.isAppendable()) {
            return resumed;
          }
          rewrite(path, channel, encoded, header, data, inPlace, chunkBytes, checkpoint);
          return true;
        });
  }

  /**
   * Rewrites the header from the data actually in the file, after a crash or an append with
   * deferred header writes: an incomplete last row is dropped ({@code zerofillIncomplete=false}) or
   * completed with zero bytes, and rows beyond the header's count are kept. The result is
   * appendable. An interrupted in-place {@link #ensureAppendable} is finished first.
   *
   * @throws NpyFormatException if the file is empty (a writer was killed after creating it and
   *     before writing its header: no row was ever in it) or its header is not a {@code .npy} one
   */
  public static RecoveryResult recover(Path path, boolean zerofillIncomplete) throws IOException {
    return recover(path, zerofillIncomplete, EncodedHeader.DEFAULT_MAX_HEADER_BYTES);
  }

  /** {@link #recover(Path, boolean)} refusing headers longer than {@code maxHeaderBytes}. */
  public static RecoveryResult recover(Path path, boolean zerofillIncomplete, int maxHeaderBytes)
      throws IOException {
    try {
      return recoverLocked(path, zerofillIncomplete, maxHeaderBytes);
    } catch (IOException e) {
      throw NpyDiskFullException.restate(
          e,
          "Cannot recover " + path,
          ("Free space on its disk and run recover again: it starts over from what the file"
                  + " holds, and a header rewrite interrupted in place resumes from its journal %s")
              .formatted(InPlaceMove.journalOf(path)));
    }
  }

  private static RecoveryResult recoverLocked(
      Path path, boolean zerofillIncomplete, int maxHeaderBytes) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    return FileLocking.exclusiveThenClose(
        path,
        channel,
        () -> {
          InPlaceMove.resume(path, channel);
          if (channel.size() == 0) {
            throw new NpyFormatException(
                ("Cannot recover %s: it is empty (0 bytes), so it has no header that says what"
                        + " the rows are; a writer was killed after creating it and before"
                        + " writing anything. No row was ever in it: delete it, or append to it,"
                        + " since NpyAppendArray treats an empty file as new.")
                    .formatted(path));
          }
          EncodedHeader encoded = read(channel, path, maxHeaderBytes);
          NpyHeader header = encoded.header();
          long data = channel.size() - encoded.dataOffset();
          long rowBytes = header.ndim() == 0 ? header.dtype().itemSize() : header.rowBytes();
          long rows;
          long keep;
          if (rowBytes == 0) {
            rows = header.rowCount();
            keep = 0;
          } else if (header.ndim() == 0) {
            if (data < rowBytes && !zerofillIncomplete) {
              throw new NpyFormatException(
                  ("Cannot recover %s: it holds a 0-d array of %s bytes but only %s are present;"
                          + " pass zerofillIncomplete to complete it with zeros")
                      .formatted(path, rowBytes, data));
            }
            rows = 1;
            keep = rowBytes;
          } else {
            rows = data / rowBytes;
            if (zerofillIncomplete && data % rowBytes != 0) {
              rows++;
            }
            keep = rows * rowBytes;
          }
          long truncated = Math.max(0, data - keep);
          long zeroFilled = Math.max(0, keep - data);
          NpyHeader recovered = header.ndim() == 0 ? header : header.withRowCount(rows);
          if (zeroFilled > 0) {
            writeZeros(channel, encoded.dataOffset() + data, zeroFilled);
          } else if (truncated > 0) {
            channel.truncate(encoded.dataOffset() + keep);
          }
          boolean makeAppendable = header.ndim() > 0 && !encoded.isAppendable();
          RecoveryResult result =
              new RecoveryResult(
                  header.rowCount(),
                  recovered.rowCount(),
                  truncated,
                  zeroFilled,
                  makeAppendable,
                  recovered);
          if (makeAppendable) {
            rewrite(
                path,
                channel,
                encoded,
                recovered,
                keep,
                true,
                InPlaceMove.DEFAULT_CHUNK_BYTES,
                null);
          } else if (!recovered.equals(header)) {
            write(channel, recovered.encode(encoded.version(), encoded.dataOffset()), 0);
          }
          return result;
        });
  }

  /**
   * Concatenates files on their growth axis into a new appendable file at {@code out}, like {@code
   * np.concatenate}. The inputs must share dtype, order and every other axis. {@code out} appears
   * only when complete (written beside it, then atomically renamed).
   */
  /**
   * Appends the rows of {@code sources} to the appendable {@code .npy} file {@code target}, in
   * place, under the file's exclusive lock (the one {@link NpyAppendArray} takes): see {@link
   * ExclusiveFile#appendRows} for the checks and for what a failure leaves (the file as it was).
   *
   * @return the target's header now
   */
  public static NpyHeader append(
      Path target, List<RowSource> sources, Casting casting, int maxHeaderBytes)
      throws IOException {
    return append(target, sources, casting, maxHeaderBytes, RowAppend.DEFAULT_CHUNK_BYTES);
  }

  /**
   * {@link #append(Path, List, Casting, int)} reading, converting and writing {@code chunkBytes} of
   * source data at a time.
   */
  public static NpyHeader append(
      Path target, List<RowSource> sources, Casting casting, int maxHeaderBytes, int chunkBytes)
      throws IOException {
    try (ExclusiveFile file = ExclusiveFile.open(target)) {
      EncodedHeader old = file.readHeader(maxHeaderBytes);
      return file.appendRows(old, sources, casting, ExclusiveFile.Checkpoint.NONE, chunkBytes);
    } catch (IOException e) {
      throw NpyDiskFullException.restate(
          e,
          "Cannot append to " + target,
          "Free space on its disk (or append to a file on another disk) and append again; the"
              + " file was left as it was");
    }
  }

  public static NpyHeader concat(Path out, List<Path> inputs) throws IOException {
    return concat(out, inputs, EncodedHeader.DEFAULT_MAX_HEADER_BYTES);
  }

  /** {@link #concat(Path, List)} refusing input headers longer than {@code maxHeaderBytes}. */
  public static NpyHeader concat(Path out, List<Path> inputs, int maxHeaderBytes)
      throws IOException {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("Cannot concatenate: no input files");
    }
    List<EncodedHeader> headers = new ArrayList<>();
    EncodedHeader first = null;
    long rows = 0;
    for (Path in : inputs) {
      EncodedHeader h = readHeader(in, maxHeaderBytes);
      long data = Files.size(in) - h.dataOffset();
      if (data != h.header().dataBytes()) {
        throw NpyNeedsRecoveryException.dataLength(
            "Cannot concatenate " + in,
            h.header().dataBytes(),
            data,
            ". Run 'npy recover' on it first.");
      }
      if (first == null) {
        first = h;
        if (h.header().ndim() == 0) {
          throw new NpyIncompatibleArrayException(
              "Cannot concatenate " + in + ": it holds a 0-d array, which has no axis to join on");
        }
      } else {
        checkSameLayout(inputs.get(0), first.header(), in, h.header());
      }
      headers.add(h);
      rows = Math.addExact(rows, h.header().rowCount());
    }
    NpyHeader result = first.header().withRowCount(rows);
    List<RowSource> sources = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      sources.add(RowSource.of(inputs.get(i), headers.get(i)));
    }
    Path tmp = siblingTemp(out);
    try {
      // An empty array with the first input's layout, then every input's rows appended to it.
      try (FileChannel target =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        write(target, first.header().withRowCount(0).encode(), 0);
      }
      try (ExclusiveFile target = ExclusiveFile.open(tmp)) {
        target.appendRows(
            target.readHeader(maxHeaderBytes),
            sources,
            Casting.EQUIV,
            ExclusiveFile.Checkpoint.NONE);
      }
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw NpyDiskFullException.restate(
          e,
          "Cannot write " + out,
          ("%s was not created or replaced (its partial copy %s is deleted); it needs %s bytes:"
                  + " free space on that disk or write it to another, and run again")
              .formatted(out, tmp, result.encode().length + result.dataBytes()));
    } finally {
      Files.deleteIfExists(tmp);
    }
    return result;
  }

  private static void checkSameLayout(Path firstPath, NpyHeader first, Path path, NpyHeader h) {
    if (!h.dtype().equals(first.dtype())) {
      throw new NpyIncompatibleArrayException(
          "Cannot concatenate %s with %s: dtype %s differs from %s"
              .formatted(path, firstPath, h.dtype().descr(), first.dtype().descr()));
    }
    if (h.ndim() != first.ndim()
        || (h.ndim() > 1 && h.fortranOrder() != first.fortranOrder())
        || !Arrays.equals(h.rowShape(), first.rowShape())) {
      throw new NpyIncompatibleArrayException(
          ("Cannot concatenate %s (shape %s, fortran_order %s) with %s (shape %s, fortran_order"
                  + " %s): arrays must have the same order and differ only on the growth axis")
              .formatted(
                  path,
                  NpyHeader.shapeRepr(h.shape()),
                  pyBool(h.fortranOrder()),
                  firstPath,
                  NpyHeader.shapeRepr(first.shape()),
                  pyBool(first.fortranOrder())));
    }
  }

  private static String pyBool(boolean b) {
    return b ? "True" : "False";
  }

  private static EncodedHeader read(FileChannel channel, Path path, int maxHeaderBytes)
      throws IOException {
    return EncodedHeader.read(
        new ChannelInputStream(channel), channel.size(), path.toString(), maxHeaderBytes);
  }

  /**
   * Replaces the header of a file with {@code header}'s appendable encoding, moving {@code
   * dataBytes} of data if the header grows: in place from the end backwards, or via a sibling file.
   */
  private static void rewrite(
      Path path,
      FileChannel channel,
      EncodedHeader old,
      NpyHeader header,
      long dataBytes,
      boolean inPlace,
      int chunkBytes,
      InPlaceMove.Checkpoint checkpoint)
      throws IOException {
    byte[] natural = header.encode();
    NpyVersion version = header.naturalVersion();
    long oldOffset = old.dataOffset();
    if (oldOffset >= header.appendableLength(version)
        && oldOffset - version.prefixLength() <= version.maxHeaderTextLength()) {
      write(channel, header.encode(version, oldOffset), 0);
      return;
    }
    if (!inPlace) {
      Path tmp = siblingTemp(path);
      try {
        try (FileChannel target =
            FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          long pos = write(target, natural, 0);
          transfer(channel, oldOffset, dataBytes, target, pos);
          target.force(true);
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return;
    }
    InPlaceMove.run(path, channel, oldOffset, dataBytes, natural, chunkBytes, checkpoint);
  }

  private static Path siblingTemp(Path path) {
    Path name = path.getFileName();
    return path.resolveSibling("." + name + "." + UUID.randomUUID() + ".tmp");
  }

  private static long transfer(
      FileChannel source, long position, long count, FileChannel target, long targetPosition)
      throws IOException {
    long done = 0;
    while (done < count) {
      long n =
          source.transferTo(position + done, count - done, target.position(targetPosition + done));
      if (n <= 0) {
        if (source.size() < position + count) {
          throw new java.io.EOFException(
              "Reached the end of the source with " + (count - done) + " bytes left to copy");
        }
        continue;
      }
      done += n;
    }
    return done;
  }

  private static long write(FileChannel channel, byte[] bytes, long position) throws IOException {
    return write(channel, ByteBuffer.wrap(bytes), position);
  }

  private static long write(FileChannel channel, ByteBuffer buf, long position) throws IOException {
    long written = 0;
    while (buf.hasRemaining()) {
      written += channel.write(buf, position + written);
    }
    return written;
  }

  private static void writeZeros(FileChannel channel, long position, long count)
      throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(count, COPY_CHUNK));
    for (long done = 0; done < count; ) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), count - done));
      done += write(channel, zeros, position + done);
    }
  }
}
