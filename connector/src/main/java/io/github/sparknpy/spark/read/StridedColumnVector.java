package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarMap;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * A column of a batch read in place from the batch's bytes: value {@code i} is the element at
 * {@code base + i * stride}, in the file's byte order. A column of {@code layout=matrix} is every
 * row's element at one offset; an {@code array} column of rows of {@code width} contiguous elements
 * points its element vector at the rows. Nothing is copied or decoded ahead: the consumer reads
 * each value once, where it lies (a mapped page or the batch's read buffer), which saves a copy of
 * the batch into column arrays. Used only where the Spark type is the dtype's own (no widening, no
 * conversion, no nulls); {@link VectorFill} decodes every other column.
 */
final class StridedColumnVector extends ColumnVector {
  private final int itemSize;
  private final StridedColumnVector elements;
  private final int width;
  private ByteBuffer data;
  private int base;
  private int stride;

  private StridedColumnVector(
      DataType type, int itemSize, StridedColumnVector elements, int width) {
    super(type);
    this.itemSize = itemSize;
    this.elements = elements;
    this.width = width;
  }

  /** A column of the scalars of {@code dtype}, if the dtype reads as {@code type} as it is. */
  static StridedColumnVector scalars(DataType type, DType dtype) {
    return readsAsIs(type, dtype) ? new StridedColumnVector(type, dtype.itemSize(), null, 0) : null;
  }

  /**
   * A column of arrays of {@code width} elements of {@code dtype}, each row's contiguous, if the
   * elements read as the array's element type as they are.
   */
  static StridedColumnVector arrays(DataType type, DType dtype, int width) {
    if (!(type instanceof ArrayType at) || !readsAsIs(at.elementType(), dtype)) {
      return null;
    }
    StridedColumnVector inner =
        new StridedColumnVector(at.elementType(), dtype.itemSize(), null, 0);
    return new StridedColumnVector(type, dtype.itemSize(), inner, width);
  }

  /** Numbers and booleans whose Spark type is the dtype's own (numpy bool is 0 or 1). */
  private static boolean readsAsIs(DataType type, DType dtype) {
    if (!(dtype instanceof ScalarDType s)) {
      return false;
    }
    int size = s.itemSize();
    return switch (s.kind()) {
      case BOOL -> type == DataTypes.BooleanType;
      case INT ->
          (size == 1 && type == DataTypes.ByteType)
              || (size == 2 && type == DataTypes.ShortType)
              || (size == 4 && type == DataTypes.IntegerType)
              || (size == 8 && type == DataTypes.LongType);
      case FLOAT ->
          (size == 4 && type == DataTypes.FloatType) || (size == 8 && type == DataTypes.DoubleType);
      default -> false;
    };
  }

  /**
   * Points the column at {@code data} (index 0 = the batch's first byte), in {@code order}: value
   * {@code i} at {@code base + i * stride}; for arrays, row {@code i}'s elements from {@code base +
   * i * stride}, {@code itemSize} apart.
   */
  void point(ByteBuffer data, ByteOrder order, int base, int stride) {
    this.data = data.duplicate().order(order);
    this.base = base;
    this.stride = stride;
    if (elements != null) {
      // Row i's element j: base + i * stride + j * itemSize; rows are whole multiples of width.
      elements.data = this.data;
      elements.base = base;
      elements.stride = itemSize;
    }
  }

  private int at(int rowId) {
    return base + rowId * stride;
  }

  @Override
  public void close() {
    data = null;
  }

  @Override
  public boolean hasNull() {
    return false;
  }

  @Override
  public int numNulls() {
    return 0;
  }

  @Override
  public boolean isNullAt(int rowId) {
    return false;
  }

  @Override
  public boolean getBoolean(int rowId) {
    return data.get(at(rowId)) != 0;
  }

  @Override
  public byte getByte(int rowId) {
    return data.get(at(rowId));
  }

  @Override
  public short getShort(int rowId) {
    return data.getShort(at(rowId));
  }

  @Override
  public int getInt(int rowId) {
    return data.getInt(at(rowId));
  }

  @Override
  public long getLong(int rowId) {
    return data.getLong(at(rowId));
  }

  @Override
  public float getFloat(int rowId) {
    return data.getFloat(at(rowId));
  }

  @Override
  public double getDouble(int rowId) {
    return data.getDouble(at(rowId));
  }

  @Override
  public ColumnarArray getArray(int rowId) {
    // The element vector's index of row rowId's first element, with rows stride bytes apart.
    return new ColumnarArray(elements, rowId * (stride / itemSize), width);
  }

  @Override
  public ColumnarMap getMap(int ordinal) {
    throw new UnsupportedOperationException("not a map column");
  }

  @Override
  public Decimal getDecimal(int rowId, int precision, int scale) {
    throw new UnsupportedOperationException("not a decimal column");
  }

  @Override
  public UTF8String getUTF8String(int rowId) {
    throw new UnsupportedOperationException("not a string column");
  }

  @Override
  public byte[] getBinary(int rowId) {
    throw new UnsupportedOperationException("not a binary column");
  }

  @Override
  public ColumnVector getChild(int ordinal) {
    throw new UnsupportedOperationException("not a struct column");
  }
}
