package io.github.sparknpy.spark.write;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.SQLUserDefinedType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * A stand-in for {@code org.apache.spark.ml.linalg.VectorUDT} (spark-mllib is not a dependency):
 * the same class name and the same {@code sqlType}, so the writer sees exactly what it sees for ML
 * vectors: {@code (type: 0 sparse / 1 dense, size, indices, values)}.
 */
public final class VectorUDT extends UserDefinedType<VectorUDT.Vec> {
  private static final long serialVersionUID = 1L;

  /**
   * A dense ({@code indices == null}) or sparse vector; annotated like ML's vectors, which Spark
   * 3.5's row encoder needs to find the UDT of a value.
   */
  @SQLUserDefinedType(udt = VectorUDT.class)
  public record Vec(int size, int[] indices, double[] values) implements java.io.Serializable {}

  @Override
  public DataType sqlType() {
    return new StructType()
        .add("type", DataTypes.ByteType, false)
        .add("size", DataTypes.IntegerType, true)
        .add("indices", DataTypes.createArrayType(DataTypes.IntegerType, false), true)
        .add("values", DataTypes.createArrayType(DataTypes.DoubleType, false), true);
  }

  @Override
  public Object serialize(Vec v) {
    if (v.indices() == null) {
      return new GenericInternalRow(
          new Object[] {(byte) 1, null, null, new GenericArrayData(box(v.values()))});
    }
    Object[] idx = new Object[v.indices().length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = v.indices()[i];
    }
    return new GenericInternalRow(
        new Object[] {
          (byte) 0, v.size(), new GenericArrayData(idx), new GenericArrayData(box(v.values()))
        });
  }

  private static Object[] box(double[] d) {
    Object[] o = new Object[d.length];
    for (int i = 0; i < d.length; i++) {
      o[i] = d[i];
    }
    return o;
  }

  @Override
  public Vec deserialize(Object datum) {
    InternalRow r = (InternalRow) datum;
    ArrayData values = r.getArray(3);
    if (r.getByte(0) == 1) {
      return new Vec(values.numElements(), null, values.toDoubleArray());
    }
    return new Vec(r.getInt(1), r.getArray(2).toIntArray(), values.toDoubleArray());
  }

  @Override
  public Class<Vec> userClass() {
    return Vec.class;
  }
}
