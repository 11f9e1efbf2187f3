package io.github.sparknpy.spark.read;

/**
 * How the rows of an array sit in its data section. A row is one index along the row axis (axis 0,
 * or the last axis with {@code rowAxis=last}); its elements ("combos") are the indices of the other
 * axes, enumerated in C order, which is the order of Spark's nested arrays.
 *
 * <p>Either the row axis is the slowest-varying one (C order with the first axis, Fortran order
 * with the last): rows are contiguous, {@link #contiguous} is true; or it is the fastest-varying
 * one (Fortran order with the first axis, C order with the last): a row's elements are {@code
 * rowCount * itemSize} apart, and a range of rows is one run of bytes per combo.
 */
final class RowGeometry {
  final long rowCount;
  final int itemSize;
  final long[] rowShape;
  final long combos;
  final long rowBytes;
  final boolean contiguous;

  /** Contiguous rows whose combos sit at {@code c * itemSize}: the whole batch is in C order. */
  final boolean linear;

  private final long[] shape;
  private final long[] strides;
  private final int[] otherAxes;
  private long[] comboOffsets;

  RowGeometry(long[] shape, boolean fortranOrder, int itemSize, boolean rowAxisLast) {
    this.shape = shape;
    this.itemSize = itemSize;
    int ndim = shape.length;
    strides = new long[ndim];
    long s = itemSize;
    if (fortranOrder) {
      for (int i = 0; i < ndim; i++) {
        strides[i] = s;
        s *= shape[i];
      }
    } else {
      for (int i = ndim - 1; i >= 0; i--) {
        strides[i] = s;
        s *= shape[i];
      }
    }
    if (ndim == 0) {
      rowCount = 1;
      rowShape = new long[0];
      otherAxes = new int[0];
      combos = 1;
      contiguous = true;
      linear = true;
    } else {
      int rowAxis = rowAxisLast ? ndim - 1 : 0;
      rowCount = shape[rowAxis];
      rowShape = new long[ndim - 1];
      otherAxes = new int[ndim - 1];
      long k = 1;
      for (int i = 0, j = 0; i < ndim; i++) {
        if (i != rowAxis) {
          otherAxes[j] = i;
          rowShape[j++] = shape[i];
          k *= shape[i];
        }
      }
      combos = k;
      boolean slowest = true;
      boolean ordered = true;
      for (int j = 0; j < otherAxes.length; j++) {
        slowest &= strides[otherAxes[j]] < strides[rowAxis] || shape[otherAxes[j]] <= 1;
        if (j > 0) {
          ordered &= strides[otherAxes[j]] <= strides[otherAxes[j - 1]] || shape[otherAxes[j]] <= 1;
        }
      }
      contiguous = slowest || rowCount <= 1 || combos <= 1;
      linear = contiguous && (ordered || combos <= 1);
    }
    rowBytes = combos * itemSize;
  }

  /**
   * Offset of element (row 0, combo {@code c}) from the start of the data: within the row for
   * contiguous rows; for interleaved rows, the start of the combo's run.
   */
  long comboOffset(int c) {
    if (linear && contiguous) {
      return (long) c * itemSize;
    }
    if (comboOffsets == null) {
      long[] out = new long[Math.toIntExact(combos)];
      int[] idx = new int[otherAxes.length];
      long off = 0;
      for (int i = 0; i < out.length; i++) {
        out[i] = off;
        for (int j = otherAxes.length - 1; j >= 0; j--) {
          int axis = otherAxes[j];
          idx[j]++;
          off += strides[axis];
          if (idx[j] < shape[axis]) {
            break;
          }
          off -= strides[axis] * idx[j];
          idx[j] = 0;
        }
      }
      comboOffsets = out;
    }
    return comboOffsets[c];
  }

  /** Distance in the file between the same element of row {@code r} and row {@code r + 1}. */
  long rowStride() {
    return contiguous ? rowBytes : itemSize;
  }
}
