package io.github.sparknpy.npy;

import io.github.sparknpy.npy.header.NpyHeader;

/**
 * What {@link Npy#recover} did: the header's row count before and after, the bytes it cut off (an
 * incomplete last row, or trailing bytes that belong to no row) or filled with zeros, and whether
 * it gave a legacy header numpy's spare space.
 */
public record RecoveryResult(
    long rowsBefore,
    long rowsAfter,
    long bytesTruncated,
    long bytesZeroFilled,
    boolean madeAppendable,
    NpyHeader header) {
  /** True if the file was already consistent and appendable, and nothing changed. */
  public boolean unchanged() {
    return rowsBefore == rowsAfter
        && bytesTruncated == 0
        && bytesZeroFilled == 0
        && !madeAppendable;
  }
}
