package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.io.SeekableInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * Checksums of the first and last few KiB of a local {@code .npy} file's planned data, taken with
 * its header. An append never rewrites planned bytes; a file that keeps its inode number but holds
 * other bytes there was replaced (Linux reuses a freed inode number at once, so the number alone
 * does not tell an append from an overwrite) or rewritten in place.
 *
 * @param tailEnd the planned data end, or -1 when the file did not reach it at planning
 */
record DataSample(
    long headStart, long headEnd, long headCrc, long tailStart, long tailEnd, long tailCrc)
    implements Serializable {
  static final int BYTES = 4096;

  /** Samples {@code [dataStart, dataEnd)} of a file of {@code fileLength} bytes. */
  static DataSample read(SeekableInputStream in, long dataStart, long dataEnd, long fileLength)
      throws IOException {
    long headEnd = Math.min(dataStart + BYTES, Math.max(dataStart, Math.min(dataEnd, fileLength)));
    long headCrc = crc(in, dataStart, headEnd);
    if (dataEnd > fileLength) {
      return new DataSample(dataStart, headEnd, headCrc, -1, -1, 0);
    }
    long tailStart = Math.max(dataStart, dataEnd - BYTES);
    return new DataSample(
        dataStart, headEnd, headCrc, tailStart, dataEnd, crc(in, tailStart, dataEnd));
  }

  /**
   * Where the file of {@code fileLength} bytes now differs from the sample, or null. Ranges beyond
   * its end are not compared: a file cut after planning fails later, as truncated.
   */
  String difference(SeekableInputStream in, long fileLength) throws IOException {
    if (headEnd <= fileLength && crc(in, headStart, headEnd) != headCrc) {
      return "its first planned rows hold other bytes";
    }
    if (tailEnd >= 0 && tailEnd <= fileLength && crc(in, tailStart, tailEnd) != tailCrc) {
      return "its last planned rows hold other bytes";
    }
    return null;
  }

  private static long crc(SeekableInputStream in, long start, long end) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) (end - start));
    in.readFully(start, buf);
    CRC32 crc = new CRC32();
    crc.update(buf.array(), 0, buf.position());
    return crc.getValue();
  }
}
