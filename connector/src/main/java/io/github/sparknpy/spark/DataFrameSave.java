package io.github.sparknpy.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sparknpy.spark.compat.ScalaInterop;
import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.config.NpyPaths;
import io.github.sparknpy.spark.hadoop.HadoopConfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * {@code df.write.format("npy").save(path)} in every save mode, as Spark's file sources behave:
 * ErrorIfExists (the default) fails with Spark's {@code PATH_ALREADY_EXISTS} when the path exists,
 * Ignore does nothing then, Append and Overwrite write; {@code partitionBy} columns are honoured in
 * every mode, on new and existing paths alike.
 *
 * <p>Spark hands a DataSource V2 source neither the save mode (ErrorIfExists and Ignore are refused
 * for a plain {@code TableProvider}) nor its {@code partitionBy} columns on a path without a
 * catalog; its V1 save route ({@code CreatableRelationProvider}) gets both. The table a save asks
 * for ({@link NpyTable#forSave}) therefore sends Spark there, and this class runs the DataSource V2
 * write itself: the same {@code save} again, marked with {@value #SAVE_OPTION}, in mode Append or
 * Overwrite, which Spark plans as {@code AppendData} / {@code OverwriteByExpression} on the table
 * {@link #target} makes. Spark's UI shows the save as a command with that write nested in it.
 */
final class DataFrameSave {
  /** The connector's own write option marking the nested write (never given by users). */
  static final String SAVE_OPTION = "__npy_save";

  /** ErrorIfExists or Ignore on a path that did not exist: fail if a file appears meanwhile. */
  static final String CREATE = "create";

  /** Append or Overwrite. */
  static final String APPEND_OR_OVERWRITE = "write";

  /** Set by Spark's V1 save route for {@code partitionBy} (a JSON array of names). */
  private static final String PARTITION_COLUMNS = "__partition_columns";

  /** Set by Spark 4's V1 save route for {@code clusterBy}. */
  private static final String CLUSTERING_COLUMNS = "__clustering_columns";

  private static final ObjectMapper JSON = new ObjectMapper();

  private DataFrameSave() {}

  /** The table the nested write writes. */
  static Table target(
      SparkSession spark, CaseInsensitiveStringMap options, String save, Transform[] partitioning) {
    return new NpyTable(
        spark, options, null, CREATE.equals(save), NpyTable.Purpose.WRITE, false, partitioning);
  }

  static BaseRelation run(
      SQLContext sqlContext, SaveMode mode, Map<String, String> parameters, Dataset<Row> data) {
    Map<String, String> options = new HashMap<>();
    String path = null;
    String[] partitionColumns = new String[0];
    for (Map.Entry<String, String> e : parameters.entrySet()) {
      String key = e.getKey().toLowerCase(Locale.ROOT);
      if (key.equals(NpyPaths.PATH)) {
        path = e.getValue();
      } else if (key.equals(PARTITION_COLUMNS)) {
        partitionColumns = columns(e.getValue());
      } else if (key.equals(CLUSTERING_COLUMNS)) {
        throw new NpyOptionException(
            "Cannot write npy output clustered by "
                + e.getValue()
                + ": a .npy file holds rows in write order, with no clustering layout. Remove"
                + " clusterBy, or partition the output with partitionBy");
      } else {
        options.put(e.getKey(), e.getValue());
      }
    }
    if (path == null || path.isBlank()) {
      throw new NpyOptionException(
          "Cannot save npy output without a path: call save(\"/path/out.npy\") (or"
              + " option(\"path\", …).save())");
    }
    SparkSession spark = sqlContext.sparkSession();
    String save = APPEND_OR_OVERWRITE;
    if (mode == SaveMode.ErrorIfExists || mode == SaveMode.Ignore) {
      Path qualified = qualified(spark, options, path);
      if (exists(spark, options, qualified)) {
        if (mode == SaveMode.Ignore) {
          return relation(sqlContext, data.schema());
        }
        throw alreadyExists(qualified.toString());
      }
      save = CREATE;
    }
    DataFrameWriter<Row> write =
        data.write()
            .format(NpyDataSource.class.getName())
            .options(options)
            .option(SAVE_OPTION, save)
            .mode(mode == SaveMode.Overwrite ? SaveMode.Overwrite : SaveMode.Append);
    if (partitionColumns.length > 0) {
      write = write.partitionBy(partitionColumns);
    }
    write.save(path);
    return relation(sqlContext, data.schema());
  }

  private static String[] columns(String json) {
    try {
      return JSON.readValue(json, String[].class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Spark passed partition columns as " + json, e);
    }
  }

  private static Path qualified(SparkSession spark, Map<String, String> options, String path) {
    Path p = new Path(path);
    try {
      FileSystem fs = p.getFileSystem(HadoopConfs.forOptions(spark, conf(options)));
      return fs.makeQualified(p);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the file system of " + path, e);
    }
  }

  private static boolean exists(SparkSession spark, Map<String, String> options, Path path) {
    try {
      return path.getFileSystem(HadoopConfs.forOptions(spark, conf(options))).exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check whether " + path + " exists", e);
    }
  }

  private static CaseInsensitiveStringMap conf(Map<String, String> options) {
    return new CaseInsensitiveStringMap(options);
  }

  /**
   * Spark's {@code [PATH_ALREADY_EXISTS] Path … already exists. Set mode as "overwrite" to
   * overwrite the existing path.} ({@code AnalysisException}, SQLSTATE 42K04), as Parquet and CSV
   * fail. Checked exception to Java: thrown unchecked.
   */
  private static RuntimeException alreadyExists(String qualifiedPath) {
    throw DataFrameSave.<RuntimeException>unchecked(
        new AnalysisException(
            "PATH_ALREADY_EXISTS", ScalaInterop.toScalaMap(Map.of("outputPath", qualifiedPath))));
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E unchecked(Throwable t) throws E {
    throw (E) t;
  }

  /** What Spark's V1 route wants back: the relation written (it only re-caches plans on it). */
  private static BaseRelation relation(SQLContext sqlContext, StructType schema) {
    return new BaseRelation() {
      @Override
      public SQLContext sqlContext() {
        return sqlContext;
      }

      @Override
      public StructType schema() {
        return schema;
      }
    };
  }
}
