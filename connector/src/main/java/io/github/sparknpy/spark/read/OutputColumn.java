package io.github.sparknpy.spark.read;

import java.io.Serializable;
import org.apache.spark.sql.types.DataType;

/**
 * One column of the read schema: a data column ({@code source} set), a partition column ({@code
 * partition}: its index among the file's partition values), or the metadata column {@code _file} /
 * {@code _row_index}.
 */
record OutputColumn(Kind kind, DataType type, ColumnSource source, int partition)
    implements Serializable {
  enum Kind {
    DATA,
    PARTITION,
    FILE,
    ROW_INDEX
  }
}
