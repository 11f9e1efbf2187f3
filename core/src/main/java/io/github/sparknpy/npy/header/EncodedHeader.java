package io.github.sparknpy.npy.header;

import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.io.InputFile;
import io.github.sparknpy.npy.io.SeekableInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A header as it sits in a file: what it says ({@link #header()}), its format version and where the
 * data starts. Reading validates magic, version and length before trusting anything, and parses the
 * dictionary literally as numpy does (any key order, trailing commas, Python 2 {@code L} ints, any
 * padding).
 */
public final class EncodedHeader {
  private static final byte[] MOVING_MAGIC = {(byte) 0x93, 'N', 'P', 'Y', 'M', 'V'};

  /** Default bound on the header length: generous (numpy's own default is 10,000) but safe. */
  public static final int DEFAULT_MAX_HEADER_BYTES = 1 << 20;

  private static final int FIRST_READ = 4096;

  private final NpyHeader header;
  private final NpyVersion version;
  private final long dataOffset;

  EncodedHeader(NpyHeader header, NpyVersion version, long dataOffset) {
    this.header = header;
    this.version = version;
    this.dataOffset = dataOffset;
  }

  public NpyHeader header() {
    return header;
  }

  public NpyVersion version() {
    return version;
  }

  /** Where the data section starts: the total length of the encoded header. */
  public long dataOffset() {
    return dataOffset;
  }

  /**
   * True if the header can be rewritten in place for any growth-axis length, i.e. it has at least
   * numpy's spare space; a 0-d array is never appendable.
   */
  public boolean isAppendable() {
    return header.ndim() > 0
        && dataOffset >= header.appendableLength(version)
        && dataOffset - version.prefixLength() <= version.maxHeaderTextLength();
  }

  /** Reads the header of {@code file}, allowing headers up to {@link #DEFAULT_MAX_HEADER_BYTES}. */
  public static EncodedHeader read(InputFile file) throws IOException {
    return read(file, DEFAULT_MAX_HEADER_BYTES);
  }

  /** Reads the header of {@code file}, refusing headers longer than {@code maxHeaderBytes}. */
  public static EncodedHeader read(InputFile file, int maxHeaderBytes) throws IOException {
    long length = file.getLength();
    try (SeekableInputStream in = file.newStream()) {
      return read(in, length, file.location(), maxHeaderBytes);
    }
  }

  /**
   * Reads a header from {@code in} (positioned anywhere) of a file of {@code fileLength} bytes: one
   * read of up to 4 KiB, and a second one only for a longer header that passed the checks.
   */
  public static EncodedHeader read(
      SeekableInputStream in, long fileLength, String location, int maxHeaderBytes)
      throws IOException {
    if (fileLength < 10) {
      byte[] some = new byte[(int) Math.max(fileLength, 0)];
      in.readFully(0, ByteBuffer.wrap(some));
      checkMagic(some, location);
      throw HeaderDict.invalid(
          null,
          location,
          "it has %s bytes, too short for a .npy header (at least 10). The file is truncated or not"
              + " a .npy file.",
          fileLength);
    }
    ByteBuffer first =
        ByteBuffer.allocate((int) Math.min(fileLength, FIRST_READ)).order(ByteOrder.LITTLE_ENDIAN);
    try {
      in.readFully(0, first);
    } catch (EOFException e) {
      throw HeaderDict.invalid(
          e, location, "the file ended before its header (%s)", e.getMessage());
    }
    byte[] prefix = first.array();
    checkMagic(prefix, location);
    NpyVersion version = NpyVersion.of(prefix[6] & 0xff, prefix[7] & 0xff);
    if (version == null) {
      throw HeaderDict.invalid(
          null,
          location,
          "unsupported .npy format version %s.%s (this library reads 1.0, 2.0 and 3.0)",
          prefix[6] & 0xff,
          prefix[7] & 0xff);
    }
    if (fileLength < version.prefixLength()) {
      throw HeaderDict.invalid(
          null,
          location,
          "it has %s bytes, too short for a version %s header prefix",
          fileLength,
          version);
    }
    long textLength =
        version.lengthFieldBytes() == 2
            ? first.getShort(8) & 0xffffL
            : first.getInt(8) & 0xffffffffL;
    if (textLength > maxHeaderBytes) {
      throw HeaderDict.invalid(
          null,
          location,
          "its header is %s bytes, more than the limit of %s bytes. If you trust this file, raise"
              + " the maximum header size.",
          textLength,
          maxHeaderBytes);
    }
    long dataOffset = version.prefixLength() + textLength;
    if (dataOffset > fileLength) {
      throw HeaderDict.invalid(
          null,
          location,
          "the header says it is %s bytes long but the file ends at %s bytes. The file is"
              + " truncated.",
          textLength,
          fileLength);
    }
    byte[] text = new byte[(int) textLength];
    int inFirst = (int) Math.min(textLength, prefix.length - version.prefixLength());
    System.arraycopy(prefix, version.prefixLength(), text, 0, inFirst);
    if (inFirst < textLength) {
      try {
        in.readFully(
            version.prefixLength() + (long) inFirst,
            ByteBuffer.wrap(text, inFirst, text.length - inFirst));
      } catch (EOFException e) {
        throw HeaderDict.invalid(
            e, location, "the file ended inside the header (%s)", e.getMessage());
      }
    }
    return new EncodedHeader(HeaderDict.parse(text, version, location), version, dataOffset);
  }

  /** A file's length, read again on each call. */
  @FunctionalInterface
  public interface FileLength {
    long get() throws IOException;
  }

  /** Attempts {@link #readSettled} makes before it reports what it read last. */
  private static final int SETTLE_ATTEMPTS = 100;

  /**
   * Attempts after a header that does not parse, or two equal ones that count missing data: a torn
   * read is followed by a whole one.
   */
  private static final int PARSE_ATTEMPTS = 3;

  /**
   * Reads the header of a file that an appender may be rewriting, without a lock: a read can see
   * half the old header and half the new (Linux does not make a {@code read} atomic with a
   * concurrent write of the same bytes). So the header is read twice and kept only if both reads
   * agree and it counts no more data than the file holds (appenders write the data first); else it
   * is read again, up to 100 times. A header that fails to parse, or counts more data than there
   * is, every time is reported as it is: the file is damaged or needs recovery.
   */
  public static EncodedHeader readSettled(
      SeekableInputStream in, FileLength length, String location, int maxHeaderBytes)
      throws IOException {
    int failures = 0;
    for (int attempt = 1; ; attempt++) {
      boolean last = attempt >= SETTLE_ATTEMPTS;
      EncodedHeader first;
      try {
        first = read(in, length.get(), location, maxHeaderBytes);
      } catch (NpyFormatException e) {
        if (last || ++failures >= PARSE_ATTEMPTS) {
          throw e;
        }
        pause(attempt);
        continue;
      }
      long fileLength = length.get();
      EncodedHeader second;
      try {
        second = read(in, fileLength, location, maxHeaderBytes);
      } catch (NpyFormatException e) {
        if (last || ++failures >= PARSE_ATTEMPTS) {
          throw e;
        }
        pause(attempt);
        continue;
      }
      boolean agree = first.sameAs(second);
      boolean fits = second.header.dataBytes() <= fileLength - second.dataOffset;
      if ((agree && fits) || last) {
        return second;
      }
      // Two equal reads that count missing data: a truncated file, unless both were torn alike.
      if (agree && ++failures >= PARSE_ATTEMPTS) {
        return second;
      }
      pause(attempt);
    }
  }

  private boolean sameAs(EncodedHeader other) {
    return header.equals(other.header)
        && version == other.version
        && dataOffset == other.dataOffset;
  }

  /** Lets the appender finish its write: spin briefly, then sleep 0.1 ms at a time. */
  private static void pause(int attempt) {
    if (attempt < 10) {
      Thread.onSpinWait();
    } else {
      java.util.concurrent.locks.LockSupport.parkNanos(100_000);
    }
  }

  /**
   * What a file starts with while an in-place ensure-appendable moves its data: neither numpy nor
   * this library reads such a file, and {@code Npy.recover} finishes the move.
   */
  public static byte[] movingMagic() {
    return MOVING_MAGIC.clone();
  }

  private static void checkMagic(byte[] prefix, String location) {
    if (prefix.length >= MOVING_MAGIC.length
        && java.util.Arrays.equals(
            prefix, 0, MOVING_MAGIC.length, MOVING_MAGIC, 0, MOVING_MAGIC.length)) {
      throw HeaderDict.invalid(
          null,
          location,
          "an in-place ensure-appendable of this file was interrupted while moving its data. Run"
              + " 'npy recover' on it (or Npy.recover) to finish the move; nothing is lost.");
    }
    int n = Math.min(prefix.length, NpyHeader.MAGIC.length);
    for (int i = 0; i < n; i++) {
      if (prefix[i] != NpyHeader.MAGIC[i]) {
        throw HeaderDict.invalid(
            null,
            location,
            "not a .npy file, it starts with %s instead of the magic string \\x93NUMPY",
            hex(prefix, Math.min(prefix.length, 8)));
      }
    }
    if (n < NpyHeader.MAGIC.length) {
      throw HeaderDict.invalid(
          null, location, "the file has only %s bytes, a truncated magic string", prefix.length);
    }
  }

  private static String hex(byte[] bytes, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int c = bytes[i] & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '\\') {
        sb.append((char) c);
      } else {
        sb.append(String.format(java.util.Locale.ROOT, "\\x%02x", c));
      }
    }
    return "'" + sb + "'";
  }

  @Override
  public String toString() {
    return "version " + version + ", data at " + dataOffset + ": " + header;
  }
}
