package io.github.sparknpy.spark.read;

/**
 * Byte positions, in a batch buffer, of the values one column vector receives: an arithmetic
 * progression (the common case, which bulk copies use) or an explicit table.
 */
final class Positions {
  final int count;
  final boolean strided;
  final int start;
  final int stride;
  private final int[] table;

  private Positions(int count, int start, int stride, int[] table) {
    this.count = count;
    this.strided = table == null;
    this.start = start;
    this.stride = stride;
    this.table = table;
  }

  static Positions strided(int start, int stride, int count) {
    return new Positions(count, start, stride, null);
  }

  static Positions table(int[] table) {
    return new Positions(table.length, 0, 0, table);
  }

  int get(int i) {
    return strided ? start + i * stride : table[i];
  }

  /** Every position moved by {@code delta} bytes (a record field). */
  Positions plus(int delta) {
    if (strided) {
      return strided(start + delta, stride, count);
    }
    int[] t = new int[count];
    for (int i = 0; i < count; i++) {
      t[i] = table[i] + delta;
    }
    return table(t);
  }

  /** Each position expanded to {@code d} positions {@code inner} bytes apart (a sub-array). */
  Positions expand(int d, int inner) {
    if (strided && (stride == d * inner || count <= 1)) {
      return strided(start, inner, count * d);
    }
    int[] t = new int[Math.multiplyExact(count, d)];
    for (int i = 0, k = 0; i < count; i++) {
      int base = get(i);
      for (int j = 0; j < d; j++) {
        t[k++] = base + j * inner;
      }
    }
    return table(t);
  }
}
