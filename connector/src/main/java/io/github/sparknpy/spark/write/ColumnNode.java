package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.Float16;
import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.util.ArrayData;

/**
 * How one Spark value becomes numpy bytes: the node tree is built on the driver from the schema
 * ({@link WriteLayout}) and shipped to the tasks, which write rows with it straight into a
 * little-endian batch buffer. {@link SpecializedGetters} is what both {@code InternalRow} and
 * {@code ArrayData} implement, so a node reads its value at {@code (source, ordinal)} wherever it
 * sits.
 *
 * <p>A node's value is {@link #leafDType} repeated over {@link #subShape} (arrays add leading
 * axes), {@code state.bytes[id]} bytes in all.
 */
abstract class ColumnNode implements Serializable {
  private static final long serialVersionUID = 1L;
  static final long[] NO_AXES = new long[0];

  /** Index into the {@link WriteState} arrays. */
  final int id;

  /** The column as users name it: {@code a}, {@code s.x} (struct field), for messages. */
  final String column;

  /** The Spark type, for messages. */
  final String sparkType;

  ColumnNode(int id, String column, String sparkType) {
    this.id = id;
    this.column = column;
    this.sparkType = sparkType;
  }

  /** The dtype of one element (a scalar, or a record for structs). */
  abstract DType leafDType(WriteState st);

  /** The axes arrays add in front of the leaf dtype; empty for scalars and structs. */
  long[] subShape(WriteState st) {
    return NO_AXES;
  }

  /** Computes {@code st.bytes} for this node and its children; dims and widths must be set. */
  void prepare(WriteState st) {
    long n = leafDType(st).itemSize();
    for (long d : subShape(st)) {
      n *= d;
    }
    if (n > Integer.MAX_VALUE) {
      throw new NpyWriteException(
          "Cannot write column '"
              + column
              + "': one value would take "
              + n
              + " bytes, more than a row may hold ("
              + Integer.MAX_VALUE
              + ")");
    }
    st.bytes[id] = (int) n;
  }

  /** Writes the value at {@code (src, ord)}, or its null stand-in, at {@code out[pos]}. */
  final void write(SpecializedGetters src, int ord, ByteBuffer out, int pos, WriteState st) {
    if (src.isNullAt(ord)) {
      writeNull(out, pos, st);
    } else {
      writeValue(src, ord, out, pos, st);
    }
  }

  abstract void writeValue(SpecializedGetters src, int ord, ByteBuffer out, int pos, WriteState st);

  /** A null: NaT for datetimes, the fill value with {@code nulls=fill}, an error otherwise. */
  void writeNull(ByteBuffer out, int pos, WriteState st) {
    if (!st.fillNulls) {
      throw new NpyWriteException(
          "Cannot write a null in column '"
              + column
              + "' ("
              + sparkType
              + ") at "
              + st.where()
              + ": numpy "
              + leafDType(st).descr().replace("'", "")
              + " has no null. Drop or fill the nulls (df.na.drop/fill) or set option nulls=fill");
    }
    fill(out, pos, st);
  }

  /** The {@code nulls=fill} value: zero bytes, except NaN for floats and NaT for datetimes. */
  abstract void fill(ByteBuffer out, int pos, WriteState st);

  /** Sets array lengths still unknown from a value of the first row. */
  void resolve(SpecializedGetters src, int ord, WriteState st) {}

  /** True if this node or a child has a string width that is measured from the data. */
  boolean hasAutoWidth(WriteState st) {
    return false;
  }

  /** Raises automatic string widths to the lengths in this value. */
  void measure(SpecializedGetters src, int ord, WriteState st) {}

  /** Takes array lengths and string widths from an existing file's {@code leaf} and axes. */
  void pin(DType leaf, long[] axes, WriteState st) {}

  /** Every node of the tree, this one first. */
  void collect(List<ColumnNode> out) {
    out.add(this);
  }

  static void zero(ByteBuffer out, int pos, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      out.putLong(pos + i, 0L);
    }
    for (; i < n; i++) {
      out.put(pos + i, (byte) 0);
    }
  }

  /** An array column: the first row sets its length, every other row must match it. */
  static final class ArrayNode extends ColumnNode {
    private static final long serialVersionUID = 1L;
    final ColumnNode element;

    ArrayNode(int id, String column, String sparkType, ColumnNode element) {
      super(id, column, sparkType);
      this.element = element;
    }

    @Override
    DType leafDType(WriteState st) {
      return element.leafDType(st);
    }

    @Override
    long[] subShape(WriteState st) {
      long[] inner = element.subShape(st);
      long[] axes = new long[inner.length + 1];
      axes[0] = Math.max(0, st.dims[id]);
      System.arraycopy(inner, 0, axes, 1, inner.length);
      return axes;
    }

    @Override
    void prepare(WriteState st) {
      if (st.dims[id] < 0) {
        st.dims[id] = 0;
      }
      element.prepare(st);
      super.prepare(st);
    }

    @Override
    void writeValue(SpecializedGetters src, int ord, ByteBuffer out, int pos, WriteState st) {
      ArrayData a = src.getArray(ord);
      int n = a.numElements();
      if (n != st.dims[id]) {
        throw lengthMismatch(n, st);
      }
      int stride = st.bytes[element.id];
      for (int i = 0; i < n; i++, pos += stride) {
        element.write(a, i, out, pos, st);
      }
    }

    NpyWriteException lengthMismatch(long n, WriteState st) {
      return new NpyWriteException(
          "Cannot write column '"
              + column
              + "': the array at "
              + st.where()
              + " has "
              + n
              + " elements, but "
              + (st.dimsFromFile
                  ? "the rows of the file appended to have "
                  : "the first row's has ")
              + st.dims[id]
              + ". A .npy array needs the same length in every row: pad or slice the arrays"
              + " (e.g. slice(col, 1, n)) or filter the rows");
    }

    @Override
    void fill(ByteBuffer out, int pos, WriteState st) {
      int stride = st.bytes[element.id];
      for (long i = 0; i < st.dims[id]; i++, pos += stride) {
        element.fill(out, pos, st);
      }
    }

    @Override
    void resolve(SpecializedGetters src, int ord, WriteState st) {
      if (src.isNullAt(ord)) {
        return;
      }
      ArrayData a = src.getArray(ord);
      if (st.dims[id] < 0) {
        st.dims[id] = a.numElements();
      }
      if (a.numElements() > 0) {
        element.resolve(a, 0, st);
      }
    }

    @Override
    boolean hasAutoWidth(WriteState st) {
      return element.hasAutoWidth(st);
    }

    @Override
    void measure(SpecializedGetters src, int ord, WriteState st) {
      if (!src.isNullAt(ord)) {
        ArrayData a = src.getArray(ord);
        for (int i = 0, n = a.numElements(); i < n; i++) {
          element.measure(a, i, st);
        }
      }
    }

    @Override
    void pin(DType leaf, long[] axes, WriteState st) {
      if (axes.length > 0) {
        st.dims[id] = axes[0];
        element.pin(leaf, java.util.Arrays.copyOfRange(axes, 1, axes.length), st);
      }
    }

    @Override
    void collect(List<ColumnNode> out) {
      super.collect(out);
      element.collect(out);
    }
  }

  /** A struct: a record dtype with its fields' names. */
  static final class StructNode extends ColumnNode {
    private static final long serialVersionUID = 1L;
    final String[] names;
    final ColumnNode[] fields;

    StructNode(int id, String column, String sparkType, String[] names, ColumnNode[] fields) {
      super(id, column, sparkType);
      this.names = names;
      this.fields = fields;
    }

    @Override
    DType leafDType(WriteState st) {
      List<RecordDType.Field> out = new ArrayList<>(fields.length);
      for (int i = 0; i < fields.length; i++) {
        out.add(RecordDType.Field.of(names[i], fields[i].leafDType(st), fields[i].subShape(st)));
      }
      return RecordDType.packed(out);
    }

    @Override
    void prepare(WriteState st) {
      for (ColumnNode f : fields) {
        f.prepare(st);
      }
      super.prepare(st);
    }

    @Override
    void writeValue(SpecializedGetters src, int ord, ByteBuffer out, int pos, WriteState st) {
      writeFields(src.getStruct(ord, fields.length), out, pos, st);
    }

    /** Writes the fields of {@code row} (a struct value, or a whole top-level row). */
    void writeFields(SpecializedGetters row, ByteBuffer out, int pos, WriteState st) {
      for (int i = 0; i < fields.length; i++) {
        fields[i].write(row, i, out, pos, st);
        pos += st.bytes[fields[i].id];
      }
    }

    @Override
    void fill(ByteBuffer out, int pos, WriteState st) {
      for (ColumnNode f : fields) {
        f.fill(out, pos, st);
        pos += st.bytes[f.id];
      }
    }

    @Override
    void resolve(SpecializedGetters src, int ord, WriteState st) {
      if (!src.isNullAt(ord)) {
        resolveFields(src.getStruct(ord, fields.length), st);
      }
    }

    void resolveFields(SpecializedGetters row, WriteState st) {
      for (int i = 0; i < fields.length; i++) {
        fields[i].resolve(row, i, st);
      }
    }

    @Override
    boolean hasAutoWidth(WriteState st) {
      for (ColumnNode f : fields) {
        if (f.hasAutoWidth(st)) {
          return true;
        }
      }
      return false;
    }

    @Override
    void measure(SpecializedGetters src, int ord, WriteState st) {
      if (!src.isNullAt(ord)) {
        measureFields(src.getStruct(ord, fields.length), st);
      }
    }

    void measureFields(SpecializedGetters row, WriteState st) {
      for (int i = 0; i < fields.length; i++) {
        fields[i].measure(row, i, st);
      }
    }

    @Override
    void pin(DType leaf, long[] axes, WriteState st) {
      if (axes.length == 0 && leaf instanceof RecordDType rec) {
        List<RecordDType.Field> fs = rec.fields();
        for (int i = 0; i < Math.min(fs.size(), fields.length); i++) {
          fields[i].pin(fs.get(i).dtype(), fs.get(i).shape(), st);
        }
      }
    }

    @Override
    void collect(List<ColumnNode> out) {
      super.collect(out);
      for (ColumnNode f : fields) {
        f.collect(out);
      }
    }
  }

  /**
   * A Spark ML vector in its internal struct form {@code (type: byte, size: int, indices:
   * array<int>, values: array<double>)}, type 0 sparse and 1 dense: a sub-array of the vector size,
   * which the first row sets (or the column's ML attribute metadata), of {@code <f8}, or of {@code
   * <f4} / {@code <f2} with option {@code dtype} (rounded to nearest even, as numpy's astype).
   */
  static final class VectorNode extends ColumnNode {
    private static final long serialVersionUID = 1L;

    /** Bytes per element: 8, 4 or 2 ({@code <f8}, {@code <f4}, {@code <f2}). */
    private final int itemSize;

    VectorNode(int id, String column, String sparkType, ScalarDType element) {
      super(id, column, sparkType);
      this.itemSize = element.itemSize();
    }

    @Override
    DType leafDType(WriteState st) {
      return switch (itemSize) {
        case 2 -> ScalarDType.FLOAT16;
        case 4 -> ScalarDType.FLOAT32;
        default -> ScalarDType.FLOAT64;
      };
    }

    private void put(ByteBuffer out, int pos, int i, double value) {
      switch (itemSize) {
        case 2 -> out.putShort(pos + 2 * i, Float16.fromDouble(value));
        case 4 -> out.putFloat(pos + 4 * i, (float) value);
        default -> out.putDouble(pos + 8 * i, value);
      }
    }

    @Override
    long[] subShape(WriteState st) {
      return new long[] {Math.max(0, st.dims[id])};
    }

    @Override
    void prepare(WriteState st) {
      if (st.dims[id] < 0) {
        st.dims[id] = 0;
      }
      super.prepare(st);
    }

    private static int size(SpecializedGetters v) {
      return v.getByte(0) == 1 ? v.getArray(3).numElements() : v.getInt(1);
    }

    @Override
    void writeValue(SpecializedGetters src, int ord, ByteBuffer out, int pos, WriteState st) {
      SpecializedGetters v = src.getStruct(ord, 4);
      int n = size(v);
      if (n != st.dims[id]) {
        throw new NpyWriteException(
            "Cannot write vector column '"
                + column
                + "': the vector at "
                + st.where()
                + " has size "
                + n
                + ", but the first row's has size "
                + st.dims[id]
                + ". Every vector must have the same size");
      }
      ArrayData values = v.getArray(3);
      if (v.getByte(0) == 1) {
        for (int i = 0; i < n; i++) {
          put(out, pos, i, values.getDouble(i));
        }
      } else {
        zero(out, pos, itemSize * n);
        ArrayData indices = v.getArray(2);
        for (int k = 0, m = indices.numElements(); k < m; k++) {
          put(out, pos, indices.getInt(k), values.getDouble(k));
        }
      }
    }

    @Override
    void fill(ByteBuffer out, int pos, WriteState st) {
      for (int i = 0; i < st.dims[id]; i++) {
        put(out, pos, i, Double.NaN);
      }
    }

    @Override
    void resolve(SpecializedGetters src, int ord, WriteState st) {
      if (st.dims[id] < 0 && !src.isNullAt(ord)) {
        st.dims[id] = size(src.getStruct(ord, 4));
      }
    }

    @Override
    void pin(DType leaf, long[] axes, WriteState st) {
      if (axes.length == 1) {
        st.dims[id] = axes[0];
      }
    }
  }

  /**
   * {@code layout=matrix}: the top-level row's columns, all of one numeric type (cast before), as a
   * plain {@code (N, columns)} array.
   */
  static final class MatrixNode extends ColumnNode {
    private static final long serialVersionUID = 1L;
    final ScalarNode[] columns;

    MatrixNode(int id, ScalarNode[] columns) {
      super(id, "*", "matrix");
      this.columns = columns;
    }

    @Override
    DType leafDType(WriteState st) {
      return columns[0].leafDType(st);
    }

    @Override
    long[] subShape(WriteState st) {
      return new long[] {columns.length};
    }

    @Override
    void prepare(WriteState st) {
      for (ColumnNode c : columns) {
        c.prepare(st);
      }
      super.prepare(st);
    }

    @Override
    void writeValue(SpecializedGetters src, int ord, ByteBuffer out, int pos, WriteState st) {
      throw new IllegalStateException("a matrix is written row by row");
    }

    void writeRow(SpecializedGetters row, ByteBuffer out, int pos, WriteState st) {
      int size = st.bytes[columns[0].id];
      for (int i = 0; i < columns.length; i++, pos += size) {
        columns[i].write(row, i, out, pos, st);
      }
    }

    @Override
    void fill(ByteBuffer out, int pos, WriteState st) {
      throw new IllegalStateException("a matrix row is never null");
    }

    @Override
    void collect(List<ColumnNode> out) {
      super.collect(out);
      for (ColumnNode c : columns) {
        c.collect(out);
      }
    }
  }
}
