package io.github.sparknpy.npy;

import io.github.sparknpy.npy.dtype.Casting;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.io.ChannelInputStream;
import io.github.sparknpy.npy.io.FileLocking;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;

/**
 * A local {@code .npy} file opened for reading and writing and held under the exclusive lock that
 * {@link NpyAppendArray} takes for each append: in this JVM and in other processes. Hands out the
 * one channel to use while the lock is held; opening the file again meanwhile (even to read a
 * header) and closing that descriptor would release the lock on Linux, so read the header through
 * {@link #readHeader}. The channel is the file at the path <em>now</em>: a file that was replaced
 * (renamed over) while this waited for the lock is opened again.
 *
 * <pre>{@code
 * try (ExclusiveFile file = ExclusiveFile.open(path)) {
 *   EncodedHeader h = file.readHeader(EncodedHeader.DEFAULT_MAX_HEADER_BYTES);
 *   file.channel().write(buffer, file.size());
 * }
 * }</pre>
 */
public final class ExclusiveFile implements Closeable {
  /** Replacements in a row that {@link #open} tolerates before giving up. */
  private static final int MAX_REOPENS = 100;

  private final Path path;
  private final FileChannel channel;
  private final FileLocking.Held held;
  private boolean closed;

  private ExclusiveFile(Path path, FileChannel channel, FileLocking.Held held) {
    this.path = path;
    this.channel = channel;
    this.held = held;
  }

  /**
   * Opens an existing file and waits for its exclusive lock.
   *
   * @throws NoSuchFileException if there is no file at {@code path}
   */
  public static ExclusiveFile open(Path path) throws IOException {
    Path key = FileLocking.key(path);
    for (int attempt = 0; attempt < MAX_REOPENS; attempt++) {
      Object before = identity(path);
      FileChannel channel =
          FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLocking.Held held;
      try {
        held = FileLocking.acquire(key, channel);
      } catch (IOException | RuntimeException e) {
        FileLocking.close(key, channel); // refused: a plain close would drop the holder's lock
        throw e;
      }
      Object after;
      try {
        after = identity(path);
      } catch (NoSuchFileException e) {
        after = null; // deleted while this waited: the next attempt reports it
      }
      // Same file before the open and after the lock: the channel is the file at the path now.
      if (before != null && Objects.equals(before, after)) {
        return new ExclusiveFile(path, channel, held);
      }
      FileLocking.releaseAndClose(held, channel);
    }
    throw new IOException(
        ("Cannot lock %s: it was replaced %s times in a row while waiting for its lock; try again"
                + " when the writers calm down")
            .formatted(path, MAX_REOPENS));
  }

  /** The file's identity (its inode on Unix); the modification time and size where none. */
  private static Object identity(Path path) throws IOException {
    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
    return a.fileKey() != null ? a.fileKey() : a.lastModifiedTime() + "/" + a.size();
  }

  public Path path() {
    return path;
  }

  /** The locked channel; valid until {@link #close}. */
  public FileChannel channel() {
    return channel;
  }

  /** The file's length now. */
  public long size() throws IOException {
    return channel.size();
  }

  /** Reads the header through the locked channel. */
  public EncodedHeader readHeader(int maxHeaderBytes) throws IOException {
    return EncodedHeader.read(
        new ChannelInputStream(channel), channel.size(), path.toString(), maxHeaderBytes);
  }

  /** The points of {@link #appendRows} that a {@link Checkpoint} hears about. */
  public enum Stage {
    /** The new rows are after the old data and forced to disk; the header is the old one. */
    DATA_FORCED,
    /** The new header is written (not yet forced). */
    HEADER_WRITTEN
  }

  /**
   * Called at each {@link Stage} of {@link #appendRows}; an exception thrown here fails the append
   * like any other (for fault-injection tests).
   */
  @FunctionalInterface
  public interface Checkpoint {
    Checkpoint NONE = stage -> {};

    void reached(Stage stage) throws IOException;
  }

  /**
   * Appends the rows of every source after this file's rows, in place, under the lock this holds.
   * {@code old} is the file's header as {@link #readHeader} read it under this lock.
   *
   * <p>Every source is checked before anything is written: its shape must equal the file's except
   * on the file's growth axis, and its dtype must be the file's, or widen to it (strings and bytes
   * padded with zeros, field by field in records, as {@link io.github.sparknpy.npy.dtype.Relayout}
   * does), or convert to it under {@code casting}; a source in the other memory order is reordered
   * (it must then open as a seekable channel). Then the data goes after the file's data and is
   * forced to disk, then the header is rewritten with the new row count and forced. Until this
   * returns, any failure puts the old header back and cuts the file to its old length, so the file
   * is left as it was, byte for byte, and its header never counts data that is not there.
   *
   * @return the file's header now
   * @throws io.github.sparknpy.npy.error.NpyNotAppendableException if the header has no spare space
   *     (see {@link Npy#ensureAppendable}) or the array is 0-d
   * @throws io.github.sparknpy.npy.error.NpyNeedsRecoveryException if the file's data is not the
   *     length its header says
   * @throws io.github.sparknpy.npy.error.NpyIncompatibleArrayException if a source does not fit;
   *     nothing is written then
   */
  public NpyHeader appendRows(
      EncodedHeader old, List<RowSource> sources, Casting casting, Checkpoint checkpoint)
      throws IOException {
    return appendRows(old, sources, casting, checkpoint, RowAppend.DEFAULT_CHUNK_BYTES);
  }

  /**
   * {@link #appendRows(EncodedHeader, List, Casting, Checkpoint)} reading, converting and writing
   * {@code chunkBytes} of source data at a time (default 8 MiB; more for a source row that is
   * larger).
   */
  public NpyHeader appendRows(
      EncodedHeader old,
      List<RowSource> sources,
      Casting casting,
      Checkpoint checkpoint,
      int chunkBytes)
      throws IOException {
    if (closed) {
      throw new IllegalStateException("Cannot append to %s: the file is closed".formatted(path));
    }
    return RowAppend.append(channel, path, old, sources, casting, checkpoint, chunkBytes);
  }

  /** Releases the lock and closes the channel. Idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    FileLocking.releaseAndClose(held, channel);
  }
}
