package io.github.sparknpy.spark.read;

import org.apache.spark.sql.connector.catalog.MetadataColumn;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The metadata columns of an npy table: {@code SELECT _file, _row_index, …}. The scan fills them
 * without reading data; a data column of the same name hides the metadata column.
 */
public final class NpyMetadataColumns {
  /** Metadata column: the path of the file a row comes from. */
  public static final String FILE_COLUMN = "_file";

  /** Metadata column: the index of the row along the row axis within its file. */
  public static final String ROW_INDEX_COLUMN = "_row_index";

  private NpyMetadataColumns() {}

  /** The metadata columns, as a table declares them to Spark. */
  public static MetadataColumn[] all() {
    return new MetadataColumn[] {
      new Column(FILE_COLUMN, DataTypes.StringType, "The path of the row's file"),
      new Column(
          ROW_INDEX_COLUMN, DataTypes.LongType, "The row's index along the row axis in its file")
    };
  }

  private record Column(String name, DataType dataType, String comment) implements MetadataColumn {
    @Override
    public boolean isNullable() {
      return false;
    }
  }
}
