package io.github.sparknpy.npy;

import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.header.EncodedHeader;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Moves a file's data section up by the few bytes a longer header needs, inside the file, so that a
 * crash at any moment loses nothing. The data is moved from the end backwards in chunks; each chunk
 * is first copied into a journal beside the file ({@code .NAME.npymove}) together with the
 * progress, so an interrupted move can be finished by {@link #resume}. While the move runs the file
 * starts with {@link #MOVING_MAGIC} instead of numpy's magic, so numpy and this library refuse to
 * read a half-moved file instead of returning wrong rows.
 */
final class InPlaceMove {
  /** What a file starts with while its data is being moved. */
  static final byte[] MOVING_MAGIC = EncodedHeader.movingMagic();

  static final int DEFAULT_CHUNK_BYTES = 8 << 20;

  private static final byte[] JOURNAL_MAGIC = {'N', 'P', 'Y', 'M', 'O', 'V', 'E', '1'};
  private static final int FIXED = 40;

  /** Where a test can stop the move, to check that {@link #resume} finishes it. */
  interface Checkpoint {
    void reached(String point, int chunk) throws IOException;
  }

  private final Path path;
  private final FileChannel file;
  private final FileChannel journal;
  private final long oldOffset;
  private final long dataBytes;
  private final byte[] newHeader;
  private final int chunkBytes;
  private final long stateAt;
  private final Checkpoint checkpoint;

  private InPlaceMove(
      Path path,
      FileChannel file,
      FileChannel journal,
      long oldOffset,
      long dataBytes,
      byte[] newHeader,
      int chunkBytes,
      Checkpoint checkpoint) {
    this.path = path;
    this.file = file;
    this.journal = journal;
    this.oldOffset = oldOffset;
    this.dataBytes = dataBytes;
    this.newHeader = newHeader;
    this.chunkBytes = chunkBytes;
    this.stateAt = FIXED + newHeader.length;
    this.checkpoint = checkpoint;
  }

  static Path journalOf(Path path) {
    return path.resolveSibling("." + path.getFileName() + ".npymove");
  }

  /**
   * Replaces the header of {@code path} (whose data of {@code dataBytes} starts at {@code
   * oldOffset}) by {@code newHeader}, longer than {@code oldOffset}, moving the data in place.
   */
  static void run(
      Path path,
      FileChannel file,
      long oldOffset,
      long dataBytes,
      byte[] newHeader,
      int chunkBytes,
      Checkpoint checkpoint)
      throws IOException {
    Path journalPath = journalOf(path);
    try (FileChannel journal =
        FileChannel.open(
            journalPath,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      ByteBuffer fixed =
          ByteBuffer.allocate(FIXED + newHeader.length).order(ByteOrder.LITTLE_ENDIAN);
      fixed.put(JOURNAL_MAGIC).putLong(oldOffset).putLong(newHeader.length).putLong(dataBytes);
      fixed.putInt(chunkBytes).putInt(newHeader.length).put(newHeader).flip();
      writeFully(journal, fixed, 0);
      InPlaceMove move =
          new InPlaceMove(
              path, file, journal, oldOffset, dataBytes, newHeader, chunkBytes, checkpoint);
      long end = oldOffset + dataBytes;
      move.saveState(end, end, 0);
      journal.force(true);
      writeFully(file, ByteBuffer.wrap(MOVING_MAGIC), 0);
      file.force(true);
      move.moveDownFrom(end);
    }
    Files.delete(journalPath);
  }

  /**
   * Finishes a move that was interrupted, if {@code path} has a journal: returns true if it found
   * one (the file then has its new header and all its data), false if there was none.
   */
  static boolean resume(Path path, FileChannel file) throws IOException {
    Path journalPath = journalOf(path);
    byte[] start = new byte[MOVING_MAGIC.length];
    if (file.size() >= start.length) {
      readFully(file, ByteBuffer.wrap(start), 0, path);
    }
    if (!Files.exists(journalPath)) {
      if (Arrays.equals(start, MOVING_MAGIC)) {
        throw new NpyFormatException(
            "Cannot finish the interrupted move of "
                + path
                + ": its journal "
                + journalPath
                + " is missing (was the file copied or renamed without it?). It holds the new"
                + " header and the chunk that was being moved: put it back beside the file, under"
                + " that name, and run 'npy recover' again.");
      }
      return false;
    }
    if (!Arrays.equals(start, MOVING_MAGIC)) {
      // Either the move never started (old header and data intact; the journal may even be
      // incomplete, if the writer died while creating it) or it completed and only the journal
      // was left behind (new header in place): both leave nothing to do. The file is marked
      // moving only after the journal is complete and forced to disk.
      Files.delete(journalPath);
      return true;
    }
    try (FileChannel journal =
        FileChannel.open(journalPath, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer fixed = ByteBuffer.allocate(FIXED).order(ByteOrder.LITTLE_ENDIAN);
      if (journal.size() < FIXED) {
        throw damaged(path, journalPath);
      }
      readFully(journal, fixed, 0, journalPath);
      byte[] magic = new byte[JOURNAL_MAGIC.length];
      fixed.flip().get(magic);
      long oldOffset = fixed.getLong();
      long newOffset = fixed.getLong();
      long dataBytes = fixed.getLong();
      int chunkBytes = fixed.getInt();
      int headerLength = fixed.getInt();
      if (!Arrays.equals(magic, JOURNAL_MAGIC)
          || headerLength != newOffset
          || headerLength <= 0
          || chunkBytes <= 0
          || oldOffset < 0
          || dataBytes < 0) {
        throw damaged(path, journalPath);
      }
      ByteBuffer header = ByteBuffer.allocate(headerLength);
      readFully(journal, header, FIXED, journalPath);
      InPlaceMove move =
          new InPlaceMove(
              path, file, journal, oldOffset, dataBytes, header.array(), chunkBytes, null);
      ByteBuffer state = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
      readFully(journal, state, move.stateAt, journalPath);
      state.flip();
      long done = state.getLong();
      long scratchStart = state.getLong();
      long scratchLength = state.getLong();
      if (scratchLength > 0 && scratchStart + scratchLength == done) {
        // The chunk in flight: its source may be half overwritten, so write it from the journal.
        ByteBuffer chunk = ByteBuffer.allocate((int) scratchLength);
        readFully(journal, chunk, move.stateAt + 24, journalPath);
        writeFully(file, chunk.flip(), scratchStart + move.delta());
        file.force(true);
        done = scratchStart;
        move.saveState(done, done, 0);
        journal.force(true);
      }
      move.moveDownFrom(done);
    }
    Files.delete(journalPath);
    return true;
  }

  private static NpyFormatException damaged(Path path, Path journalPath) {
    return new NpyFormatException(
        "Cannot finish the interrupted move of "
            + path
            + ": its journal "
            + journalPath
            + " is damaged. Restore the file from a copy.");
  }

  private long delta() {
    return newHeader.length - oldOffset;
  }

  /** Moves the chunks below {@code done} (already moved above it), then writes the new header. */
  private void moveDownFrom(long done) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(chunkBytes, Math.max(1, dataBytes)));
    int chunk = 0;
    while (done > oldOffset) {
      int n = (int) Math.min(buf.capacity(), done - oldOffset);
      long start = done - n;
      buf.clear().limit(n);
      readFully(file, buf, start, path);
      buf.flip();
      writeFully(journal, buf.duplicate(), stateAt + 24);
      saveState(done, start, n);
      journal.force(true);
      checkpoint("journaled", chunk);
      writeFully(file, buf, start + delta());
      file.force(true);
      checkpoint("moved", chunk);
      saveState(start, start, 0);
      journal.force(true);
      checkpoint("recorded", chunk);
      done = start;
      chunk++;
    }
    writeFully(file, ByteBuffer.wrap(newHeader), 0);
    file.force(true);
  }

  private void checkpoint(String point, int chunk) throws IOException {
    if (checkpoint != null) {
      checkpoint.reached(point, chunk);
    }
  }

  private void saveState(long done, long scratchStart, long scratchLength) throws IOException {
    ByteBuffer state = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    state.putLong(done).putLong(scratchStart).putLong(scratchLength).flip();
    writeFully(journal, state, stateAt);
  }

  private static void writeFully(FileChannel channel, ByteBuffer buf, long position)
      throws IOException {
    long p = position;
    while (buf.hasRemaining()) {
      p += channel.write(buf, p);
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buf, long position, Path where)
      throws IOException {
    long p = position;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, p);
      if (n < 0) {
        throw new EOFException(
            "Reached the end of " + where + " with " + buf.remaining() + " bytes left to read");
      }
      p += n;
    }
  }
}
