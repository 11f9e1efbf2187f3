package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local Append to an appendable file, in place, under the appenders' exclusive lock that {@link
 * MergedFilePublication} took to read the file's header (and holds until this returns).
 */
final class InPlaceAppendPublication extends Publication {
  private static final Logger LOG = LoggerFactory.getLogger(InPlaceAppendPublication.class);

  private final FileChannel ch;
  private final EncodedHeader old;

  /**
   * @param ch the locked file's channel
   * @param old its header, read under the lock and checked to take the new rows
   */
  InPlaceAppendPublication(Publication from, FileChannel ch, EncodedHeader old) {
    super(from);
    this.ch = ch;
    this.old = old;
  }

  /**
   * Local Append to an appendable file, under its lock: the parts' data goes after the file's data
   * first (forced to disk), then the header is rewritten in place with the new row count and
   * forced. Until this returns, any failure puts the old header bytes back and cuts the file back
   * to its old length, so a failed commit leaves the file as it was, byte for byte; the old header
   * never describes data that is not there.
   */
  @Override
  long publish(List<Part> parts, NpyHeader header) throws IOException {
    java.nio.file.Path file = local(path);
    NpyHeader existing = old.header();
    long end = old.dataOffset() + existing.dataBytes();
    ByteBuffer oldHeader = ByteBuffer.allocate((int) old.dataOffset());
    while (oldHeader.hasRemaining()) {
      if (ch.read(oldHeader, oldHeader.position()) < 0) {
        throw new java.io.EOFException("Cannot append to " + file + ": its header is cut short");
      }
    }
    long bytes = 0;
    try {
      ch.position(end);
      for (Part p : parts) {
        bytes += copyPart(p, header, ch);
      }
      ch.force(false);
      reached(Checkpoint.Step.DATA_WRITTEN, path);
      NpyHeader grown = existing.withRowCount(existing.rowCount() + header.rowCount());
      byte[] encoded = grown.encode(old.version(), old.dataOffset());
      TargetFiles.writeFully(ch.position(0), ByteBuffer.wrap(encoded));
      reached(Checkpoint.Step.HEADER_WRITTEN, path);
      ch.force(false);
      return bytes;
    } catch (IOException | RuntimeException e) {
      restore(ch, file, oldHeader.flip(), end, e);
      throw e;
    }
  }

  /** Puts the old header back and cuts the appended bytes off; a failure here is reported too. */
  private static void restore(
      FileChannel ch, java.nio.file.Path file, ByteBuffer oldHeader, long end, Exception cause) {
    try {
      TargetFiles.writeFully(ch.position(0), oldHeader);
      ch.truncate(end);
      ch.force(false);
      LOG.info("Failed append to {} rolled back to its old {} bytes", file, end);
    } catch (IOException | RuntimeException r) {
      cause.addSuppressed(
          new NpyWriteException(
              "Cannot roll back the failed append to "
                  + file
                  + " (old length "
                  + end
                  + "): run 'npy recover "
                  + file
                  + "' to keep the rows its header counts",
              r));
    }
  }
}
