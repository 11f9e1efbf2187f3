package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites rows of a part whose strings are narrower than the final width: the same structure,
 * string and binary elements widened with trailing zero bytes (how numpy pads {@code U} and {@code
 * S}). Planned once per part as a list of byte ranges to copy; the rest of each output row is zero.
 */
final class Relayout {
  private final int fromRowBytes;
  private final int toRowBytes;
  private final int[] segments; // triples: from offset, to offset, length

  private Relayout(int fromRowBytes, int toRowBytes, int[] segments) {
    this.fromRowBytes = fromRowBytes;
    this.toRowBytes = toRowBytes;
    this.segments = segments;
  }

  /** The plan from rows of {@code elements} × {@code from} to the same of {@code to}. */
  static Relayout plan(DType from, DType to, long elements) {
    List<int[]> segs = new ArrayList<>();
    for (long i = 0; i < elements; i++) {
      plan(from, to, (int) (i * from.itemSize()), (int) (i * to.itemSize()), segs);
    }
    List<int[]> merged = new ArrayList<>();
    for (int[] s : segs) {
      int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && last[0] + last[2] == s[0] && last[1] + last[2] == s[1]) {
        last[2] += s[2];
      } else {
        merged.add(s.clone());
      }
    }
    int[] flat = new int[merged.size() * 3];
    for (int i = 0; i < merged.size(); i++) {
      System.arraycopy(merged.get(i), 0, flat, 3 * i, 3);
    }
    return new Relayout((int) (elements * from.itemSize()), (int) (elements * to.itemSize()), flat);
  }

  private static void plan(DType from, DType to, int fromOff, int toOff, List<int[]> segs) {
    if (from.equals(to)) {
      segs.add(new int[] {fromOff, toOff, from.itemSize()});
    } else if (from instanceof ScalarDType f
        && to instanceof ScalarDType t
        && f.kind() == t.kind()
        && (f.kind() == ScalarDType.Kind.UNICODE || f.kind() == ScalarDType.Kind.BYTES)
        && f.itemSize() <= t.itemSize()) {
      segs.add(new int[] {fromOff, toOff, f.itemSize()});
    } else if (from instanceof RecordDType f
        && to instanceof RecordDType t
        && f.fields().size() == t.fields().size()) {
      for (int i = 0; i < f.fields().size(); i++) {
        RecordDType.Field ff = f.fields().get(i);
        RecordDType.Field tf = t.fields().get(i);
        if (ff.count() != tf.count() || !ff.name().equals(tf.name())) {
          throw mismatch(from, to);
        }
        for (long k = 0; k < ff.count(); k++) {
          plan(
              ff.dtype(),
              tf.dtype(),
              fromOff + ff.offset() + (int) (k * ff.dtype().itemSize()),
              toOff + tf.offset() + (int) (k * tf.dtype().itemSize()),
              segs);
        }
      }
    } else {
      throw mismatch(from, to);
    }
  }

  private static IllegalStateException mismatch(DType from, DType to) {
    return new IllegalStateException("Cannot widen " + from.descr() + " to " + to.descr());
  }

  int fromRowBytes() {
    return fromRowBytes;
  }

  int toRowBytes() {
    return toRowBytes;
  }

  /** Converts {@code rows} rows from {@code in} (from its position) into {@code out}. */
  void apply(ByteBuffer in, ByteBuffer out, int rows) {
    int inBase = in.position();
    int outBase = out.position();
    for (int r = 0; r < rows; r++) {
      int ip = inBase + r * fromRowBytes;
      int op = outBase + r * toRowBytes;
      ColumnNode.zero(out, op, toRowBytes);
      for (int s = 0; s < segments.length; s += 3) {
        out.put(op + segments[s + 1], in, ip + segments[s], segments[s + 2]);
      }
    }
    in.position(inBase + rows * fromRowBytes);
    out.position(outBase + rows * toRowBytes);
  }
}
