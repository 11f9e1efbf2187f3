package io.github.sparknpy.npy.dtype;

import io.github.sparknpy.npy.literal.PythonLiteral;
import io.github.sparknpy.npy.literal.PythonRepr;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A structured (record) dtype: named fields at byte offsets inside an item of {@link #itemSize()}
 * bytes. Gaps between fields are padding, which {@link #descr()} writes as {@code ('', '|V<n>')}
 * exactly as numpy's {@code dtype.descr} does. Fields may be records themselves or sub-arrays.
 */
public final class RecordDType extends DType {
  /** One named field of a record. */
  public static final class Field {
    private final String name;
    private final String title;
    private final DType dtype;
    private final long[] shape;
    private final int offset;
    // How many dimensions of shape each nested sub-array level has, outermost first, when the field
    // is a sub-array of a sub-array (numpy keeps ('<f4', (2,)) inside (3,) distinct from ('<f4',
    // (3, 2)): same bytes, different dtype and descr). Null for a plain field or one level.
    private final int[] levels;

    Field(String name, String title, DType dtype, long[] shape, int offset) {
      this(name, title, dtype, shape, offset, null);
    }

    Field(String name, String title, DType dtype, long[] shape, int offset, int[] levels) {
      this.name = Objects.requireNonNull(name, "name");
      this.title = title;
      this.dtype = Objects.requireNonNull(dtype, "dtype");
      this.shape = shape.clone();
      this.offset = offset;
      this.levels = levels == null || levels.length <= 1 ? null : levels.clone();
      if (this.levels != null && Arrays.stream(this.levels).sum() != shape.length) {
        throw new IllegalArgumentException(
            "Sub-array levels "
                + Arrays.toString(levels)
                + " do not add up to shape "
                + Arrays.toString(shape));
      }
    }

    /** A field of {@code dtype}, optionally a sub-array of {@code shape}; placed by the builder. */
    public static Field of(String name, DType dtype, long... shape) {
      return new Field(name, null, dtype, shape, -1);
    }

    public String name() {
      return name;
    }

    /** numpy's optional field title, or null. */
    public String title() {
      return title;
    }

    /**
     * The element dtype of the field (of each sub-array element if {@link #shape()} is not empty).
     */
    public DType dtype() {
      return dtype;
    }

    /**
     * The sub-array shape, empty for a plain field. A sub-array of sub-arrays (numpy's {@code ('a',
     * ('<f4', (2,)), (3,))}) has the flattened shape, here {@code (3, 2)}, which is its memory
     * layout.
     */
    public long[] shape() {
      return shape.clone();
    }

    /** Number of dtype elements in the field: the product of the sub-array shape. */
    public long count() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }

    /** Byte offset of the field within an item. */
    public int offset() {
      return offset;
    }

    /** Bytes the field occupies. */
    public long size() {
      return count() * dtype.itemSize();
    }

    Field withOffset(int newOffset) {
      return new Field(name, title, dtype, shape, newOffset, levels);
    }

    Field withDType(DType newType) {
      return new Field(name, title, newType, shape, offset, levels);
    }

    Object descrObject() {
      Object key = title == null ? name : new PythonLiteral.Tuple(List.of(title, name));
      if (shape.length == 0) {
        return new PythonLiteral.Tuple(List.of(key, dtype.descrObject()));
      }
      int[] lv = levels == null ? new int[] {shape.length} : levels;
      // Inner levels nest as (descr, shape) tuples, as numpy's _array_descr writes them.
      Object inner = dtype.descrObject();
      int end = shape.length;
      for (int i = lv.length - 1; i >= 1; i--) {
        inner = new PythonLiteral.Tuple(List.of(inner, dims(end - lv[i], end)));
        end -= lv[i];
      }
      return new PythonLiteral.Tuple(List.of(key, inner, dims(0, end)));
    }

    private PythonLiteral.Tuple dims(int from, int to) {
      List<Object> dims = new ArrayList<>();
      for (int i = from; i < to; i++) {
        dims.add(shape[i]);
      }
      return new PythonLiteral.Tuple(dims);
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Field f)) {
        return false;
      }
      return name.equals(f.name)
          && Objects.equals(title, f.title)
          && dtype.equals(f.dtype)
          && Arrays.equals(shape, f.shape)
          && offset == f.offset
          && Arrays.equals(levels, f.levels);
    }

    @Override
    public int hashCode() {
      return Objects.hash(
          name, title, dtype, Arrays.hashCode(shape), offset, Arrays.hashCode(levels));
    }

    @Override
    public String toString() {
      return PythonRepr.of(descrObject());
    }
  }

  private final List<Field> fields;
  private final int itemSize;
  // By name, so that reading every field of an element is linear in the number of fields (a
  // 40,000-field dtype took 15 s per element with a search per field).
  private final Map<String, Field> byName;

  RecordDType(List<Field> fields, int itemSize) {
    this.fields = Collections.unmodifiableList(new ArrayList<>(fields));
    this.itemSize = itemSize;
    this.byName = new HashMap<>(fields.size() * 2);
    for (Field f : fields) {
      byName.putIfAbsent(f.name, f);
    }
  }

  /**
   * A packed record of the given fields, in order, without padding, as numpy's {@code
   * np.dtype([(name, dtype, shape), ...])} builds it.
   */
  public static RecordDType packed(List<Field> fields) {
    List<Field> placed = new ArrayList<>(fields.size());
    Set<String> names = new HashSet<>();
    long offset = 0;
    for (Field f : fields) {
      if (f.name().isEmpty() || !names.add(f.name())) {
        throw new IllegalArgumentException(
            "Cannot create a record dtype: field name '" + f.name() + "' is empty or used twice");
      }
      placed.add(f.withOffset(Math.toIntExact(offset)));
      offset += f.size();
      if (offset > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "Cannot create a record dtype: items would exceed " + Integer.MAX_VALUE + " bytes");
      }
    }
    return new RecordDType(placed, (int) offset);
  }

  public List<Field> fields() {
    return fields;
  }

  /** The field called {@code name}, or null. */
  public Field field(String name) {
    return byName.get(name);
  }

  @Override
  public int itemSize() {
    return itemSize;
  }

  @Override
  Object descrObject() {
    List<Object> out = new ArrayList<>();
    long offset = 0;
    for (Field f : fields) {
      if (f.offset > offset) {
        out.add(padding(f.offset - offset));
        offset = f.offset;
      }
      out.add(f.descrObject());
      offset += f.size();
    }
    if (itemSize > offset) {
      out.add(padding(itemSize - offset));
    }
    return out;
  }

  private static Object padding(long bytes) {
    return new PythonLiteral.Tuple(List.of("", "|V" + bytes));
  }

  @Override
  public RecordDType withByteOrder(ByteOrder order) {
    List<Field> swapped = new ArrayList<>(fields.size());
    boolean changed = false;
    for (Field f : fields) {
      DType t = f.dtype.withByteOrder(order);
      changed |= t != f.dtype;
      swapped.add(t == f.dtype ? f : f.withDType(t));
    }
    return changed ? new RecordDType(swapped, itemSize) : this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecordDType r && itemSize == r.itemSize && fields.equals(r.fields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(fields, itemSize);
  }
}
