package io.github.sparknpy.spark.write;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * What every task of a {@code layout=columns} write needs: for each member file, its name, the
 * input columns it takes and its own {@link WriteJob} (layout, and a staging directory of its own
 * under the write's {@code stagingDir}), and the input schema the members' columns are taken from.
 */
record ColumnSetJob(
    String stagingDir,
    StructType inputSchema,
    List<MemberJob> members,
    boolean npz,
    boolean deflate)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One member file's job. */
  record MemberJob(String name, int[] ordinals, WriteJob job) implements Serializable {
    private static final long serialVersionUID = 1L;

    String fileName() {
      return name + ".npy";
    }
  }
}
