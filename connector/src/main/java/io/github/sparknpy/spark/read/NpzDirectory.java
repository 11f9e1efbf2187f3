package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.io.SeekableInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The members of a zip archive ({@code .npz}) from its central directory, read with positioned
 * reads: the end record, the directory, then one local header per member (for the real data
 * offset). Zip64 archives, as numpy writes for large arrays, are understood.
 */
final class NpzDirectory {
  static final int STORED = 0;
  static final int DEFLATED = 8;

  private static final int EOCD_SIG = 0x06054b50;
  private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
  private static final int ZIP64_EOCD_SIG = 0x06064b50;
  private static final int CEN_SIG = 0x02014b50;
  private static final int LOC_SIG = 0x04034b50;

  /** One member: its name, compression method, sizes and where its bytes start. */
  record Member(
      String name, int method, long compressedSize, long uncompressedSize, long dataOffset) {}

  private NpzDirectory() {}

  static List<Member> read(SeekableInputStream in, long length, String location)
      throws IOException {
    int tailLen = (int) Math.min(length, 22 + 65535);
    if (tailLen < 22) {
      throw bad(location, "it has " + length + " bytes, too short for a zip archive");
    }
    ByteBuffer tail = ByteBuffer.allocate(tailLen).order(ByteOrder.LITTLE_ENDIAN);
    in.readFully(length - tailLen, tail);
    int eocd = -1;
    for (int i = tailLen - 22; i >= 0; i--) {
      if (tail.getInt(i) == EOCD_SIG) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      throw bad(location, "no zip end-of-central-directory record found");
    }
    long entries = tail.getShort(eocd + 10) & 0xffff;
    long cdSize = tail.getInt(eocd + 12) & 0xffffffffL;
    long cdOffset = tail.getInt(eocd + 16) & 0xffffffffL;
    if (eocd >= 20 && tail.getInt(eocd - 20) == ZIP64_LOCATOR_SIG) {
      long z64 = tail.getLong(eocd - 20 + 8);
      ByteBuffer rec = readAt(in, z64, 56, length, location);
      if (rec.getInt(0) != ZIP64_EOCD_SIG) {
        throw bad(location, "broken zip64 end-of-central-directory record");
      }
      entries = rec.getLong(32);
      cdSize = rec.getLong(40);
      cdOffset = rec.getLong(48);
    }
    // zip64 fields are 8-byte values a damaged or hostile archive can set to anything.
    if (entries < 0
        || cdOffset < 0
        || cdSize < 0
        || cdSize > Integer.MAX_VALUE
        || cdOffset > length - cdSize) {
      throw bad(location, "the central directory lies beyond the end of the file");
    }
    ByteBuffer cd = readAt(in, cdOffset, (int) cdSize, length, location);
    List<Member> members = new ArrayList<>();
    java.util.Map<String, Long> entryOf = new java.util.HashMap<>();
    int p = 0;
    for (long e = 0; e < entries; e++) {
      if (p + 46 > cd.limit() || cd.getInt(p) != CEN_SIG) {
        throw bad(location, "broken central directory entry " + e);
      }
      int method = cd.getShort(p + 10) & 0xffff;
      long csize = cd.getInt(p + 20) & 0xffffffffL;
      long usize = cd.getInt(p + 24) & 0xffffffffL;
      int nameLen = cd.getShort(p + 28) & 0xffff;
      int extraLen = cd.getShort(p + 30) & 0xffff;
      int commentLen = cd.getShort(p + 32) & 0xffff;
      long localOffset = cd.getInt(p + 42) & 0xffffffffL;
      if (p + 46 + nameLen + extraLen + commentLen > cd.limit()) {
        throw bad(location, "broken central directory entry " + e);
      }
      byte[] nameBytes = new byte[nameLen];
      cd.get(p + 46, nameBytes);
      String name = new String(nameBytes, StandardCharsets.UTF_8);
      // zip64 extra field: the values stored as 0xffffffff follow in this order.
      int x = p + 46 + nameLen;
      int xEnd = x + extraLen;
      while (x + 4 <= xEnd) {
        int id = cd.getShort(x) & 0xffff;
        int size = cd.getShort(x + 2) & 0xffff;
        if (x + 4 + size > xEnd) {
          throw bad(location, "broken extra field in central directory entry " + e);
        }
        if (id == 1) {
          int q = x + 4;
          if (usize == 0xffffffffL && q + 8 <= x + 4 + size) {
            usize = cd.getLong(q);
            q += 8;
          }
          if (csize == 0xffffffffL && q + 8 <= x + 4 + size) {
            csize = cd.getLong(q);
            q += 8;
          }
          if (localOffset == 0xffffffffL && q + 8 <= x + 4 + size) {
            localOffset = cd.getLong(q);
          }
        }
        x += 4 + size;
      }
      p += 46 + nameLen + extraLen + commentLen;
      if (method != STORED && method != DEFLATED) {
        throw bad(
            location,
            "member "
                + name
                + " uses zip compression method "
                + method
                + "; only stored (np.savez) and deflated (np.savez_compressed) members are read");
      }
      if (csize < 0 || usize < 0 || localOffset < 0) {
        throw bad(location, "member " + name + " has a negative size or offset");
      }
      if (method == STORED && csize != usize) {
        throw bad(
            location,
            "stored member "
                + name
                + " says it is "
                + usize
                + " bytes uncompressed but "
                + csize
                + " bytes stored");
      }
      ByteBuffer loc = readAt(in, localOffset, 30, length, location);
      if (loc.getInt(0) != LOC_SIG) {
        throw bad(location, "no local header for member " + name + " at offset " + localOffset);
      }
      long dataOffset =
          localOffset + 30 + (loc.getShort(26) & 0xffff) + (loc.getShort(28) & 0xffff);
      if (csize > length - dataOffset) {
        throw bad(
            location,
            "member "
                + name
                + " ends at byte "
                + (dataOffset + csize)
                + " but the file has "
                + length
                + " bytes (truncated archive)");
      }
      Long first = entryOf.putIfAbsent(name, e);
      if (first != null) {
        throw new NpyFormatException(
            "Cannot read "
                + location
                + ": the archive holds two members named "
                + name
                + " (zip entries "
                + first
                + " and "
                + e
                + "), so which array the column "
                + (name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name)
                + " means is ambiguous. Write the archive again with unique member names"
                + " (np.savez does), or set ignoreCorruptFiles=true to skip it");
      }
      members.add(new Member(name, method, csize, usize, dataOffset));
    }
    return members;
  }

  private static ByteBuffer readAt(
      SeekableInputStream in, long offset, int len, long length, String location)
      throws IOException {
    if (offset < 0 || len < 0 || offset > length - len) {
      throw bad(location, "a zip record at offset " + offset + " lies beyond the end of the file");
    }
    ByteBuffer buf = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    in.readFully(offset, buf);
    return buf;
  }

  private static NpyFormatException bad(String location, String why) {
    return new NpyFormatException(
        "Cannot read " + location + " as a .npz archive: " + why + ". Is it a numpy savez file?");
  }
}
