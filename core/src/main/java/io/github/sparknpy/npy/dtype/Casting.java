package io.github.sparknpy.npy.dtype;

/** Which dtype conversions an append may make, named after numpy's {@code casting} argument. */
public enum Casting {
  /** Only the same dtype in any byte order. */
  EQUIV,
  /**
   * Conversions that keep every value, as {@code np.can_cast(from, to, "safe")}: int32 to int64,
   * float32 to float64, S3 to S5 …
   */
  SAFE,
  /** Any numeric, string or datetime conversion; values may be rounded, wrapped or truncated. */
  UNSAFE
}
