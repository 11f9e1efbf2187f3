package io.github.sparknpy.spark.read;

import java.io.Serializable;
import org.apache.spark.sql.types.DataType;

/**
 * One column of the read schema: a data column ({@code source} set), or the metadata column {@code
 * _file} / {@code _row_index}.
 */
record OutputColumn(Kind kind, DataType type, ColumnSource source) implements Serializable {
  enum Kind {
    DATA,
    FILE,
    ROW_INDEX
  }
}
