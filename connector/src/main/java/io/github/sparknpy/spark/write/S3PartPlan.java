package io.github.sparknpy.spark.write;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * The parts of an S3 multipart upload that assembles a merged file from byte ranges of objects
 * already in the bucket: ranges of at least the minimum part size become server-side copies
 * (UploadPartCopy); the header and every piece that the minimum forces together are uploaded from
 * the driver. S3 wants every part but the last to be at least 5 MiB, at most 5 GiB, and at most
 * 10,000 parts.
 */
final class S3PartPlan {
  static final long MIN_PART = 5L << 20;
  static final long MAX_PART = 5L << 30;
  static final int MAX_PARTS = 10_000;

  /** Bytes of an object in the bucket, or (file null) of {@code inline}. */
  record Range(Path file, long offset, long length, byte[] inline) {
    static Range of(Path file, long offset, long length) {
      return new Range(file, offset, length, null);
    }

    static Range bytes(byte[] b) {
      return new Range(null, 0, b.length, b);
    }

    Range slice(long from, long len) {
      return inline != null
          ? new Range(
              null, 0, len, java.util.Arrays.copyOfRange(inline, (int) from, (int) (from + len)))
          : new Range(file, offset + from, len, null);
    }
  }

  /** One part: a copy of one range ({@code copy}), or the ranges the driver uploads together. */
  record Part(Range copy, List<Range> upload) {
    long length() {
      return copy != null ? copy.length() : upload.stream().mapToLong(Range::length).sum();
    }
  }

  /** The size of copy parts when the output allows (S3A copies in 64 MiB parts by default). */
  static final long COPY_PIECE = 128L << 20;

  private final long minPart;
  private final long copyPiece;
  private final List<Part> parts = new ArrayList<>();
  private final List<Range> pending = new ArrayList<>();
  private long pendingBytes;

  private S3PartPlan(long minPart, long copyPiece) {
    this.minPart = minPart;
    this.copyPiece = Math.max(copyPiece, 2 * minPart);
  }

  /** The parts for {@code ranges} in order, with S3's limits. */
  static List<Part> plan(List<Range> ranges) {
    return plan(ranges, MIN_PART);
  }

  static List<Part> plan(List<Range> ranges, long minPart) {
    long total = ranges.stream().mapToLong(Range::length).sum();
    // copies in pieces that the commit runs side by side, as many as S3 allows for the total
    long copyPiece =
        Math.min(MAX_PART, Math.max(COPY_PIECE, (total + MAX_PARTS - 1000) / (MAX_PARTS - 1000)));
    S3PartPlan p = new S3PartPlan(minPart, copyPiece);
    for (Range r : ranges) {
      p.add(r);
    }
    p.flush();
    return p.parts;
  }

  /** Bytes the driver uploads: the sum of the uploaded parts. */
  static long uploadedBytes(List<Part> parts) {
    return parts.stream().filter(p -> p.copy() == null).mapToLong(Part::length).sum();
  }

  private void add(Range r) {
    long done = 0;
    long len = r.length();
    while (done < len) {
      long left = len - done;
      if (pendingBytes == 0 && r.file() != null && left >= minPart) {
        copy(r.slice(done, left));
        return;
      }
      if (pendingBytes > 0 && r.file() != null && left - (minPart - pendingBytes) >= minPart) {
        // top the pending part up to the minimum; the rest is large enough to copy
        long take = minPart - pendingBytes;
        pend(r.slice(done, take));
        flush();
        done += take;
        continue;
      }
      pend(done == 0 ? r : r.slice(done, left));
      if (pendingBytes >= minPart) {
        flush();
      }
      return;
    }
  }

  /** Copies of at most the copy piece each, none shorter than the minimum. */
  private void copy(Range r) {
    long left = r.length();
    long at = 0;
    while (left > copyPiece) {
      long n = left - copyPiece >= minPart ? copyPiece : left - minPart;
      parts.add(new Part(r.slice(at, n), null));
      at += n;
      left -= n;
    }
    parts.add(new Part(r.slice(at, left), null));
  }

  private void pend(Range r) {
    pending.add(r);
    pendingBytes += r.length();
  }

  private void flush() {
    if (!pending.isEmpty()) {
      parts.add(new Part(null, List.copyOf(pending)));
      pending.clear();
      pendingBytes = 0;
    }
  }
}
