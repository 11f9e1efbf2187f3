package io.github.sparknpy.spark;

import io.github.sparknpy.spark.compat.ScalaInterop;
import io.github.sparknpy.spark.compat.V1Saves;
import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.config.NpyPaths;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.util.CaseInsensitiveMap;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.sources.CreatableRelationProvider;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.sources.RelationProvider;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The {@code npy} data source: {@code spark.read.format("npy")} and {@code df.write.format("npy")}.
 *
 * <p>Reads resolve through {@link #getTable} (with a schema given to {@code spark.read.schema(…)}
 * checked against the files). {@code df.write.save(path)} goes through Spark's V1 save route
 * ({@link #createRelation(SQLContext, SaveMode, scala.collection.immutable.Map, Dataset)}), the
 * only one on which Spark hands a source every save mode and its {@code partitionBy} columns; that
 * route runs the DataSource V2 write ({@link DataFrameSave}). {@code CREATE TABLE … USING npy} goes
 * through {@link #getTable}; SQL on paths ({@code npy.`/p/x.npy`}) through the {@link NpyCatalog}.
 */
public final class NpyDataSource
    implements TableProvider, DataSourceRegister, RelationProvider, CreatableRelationProvider {
  /** The short name, and the name of the path catalog. */
  public static final String NAME = "npy";

  @Override
  public String shortName() {
    return NAME;
  }

  /**
   * The schema of a path: for {@code spark.read.format("npy").load(p)} none here (the table reads
   * the headers once, when Spark asks it, and fails on a missing path); for a stream sink or {@code
   * CREATE TABLE t USING npy} without columns, the files' schema (empty for a path with no files
   * yet). A managed table (no {@code LOCATION}) has no files yet to take it from.
   */
  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    NpyCatalog.registerIfAbsent();
    if (SparkCaller.current() == SparkCaller.LOAD) {
      return new StructType(); // a load without a path fails there, saying to give one
    }
    if (!options.containsKey(NpyPaths.PATH) && !options.containsKey(NpyPaths.PATHS)) {
      throw noColumnsNorLocation();
    }
    return new NpyTable(SparkSession.active(), options, null).schema();
  }

  static NpyOptionException noColumnsNorLocation() {
    return new NpyOptionException(
        "Cannot create an npy table without columns and without LOCATION: its schema comes from"
            + " the headers of the .npy files at its location. Declare the columns (CREATE TABLE"
            + " t (x DOUBLE, y DOUBLE) USING npy), create it AS SELECT …, or give LOCATION"
            + " '/path/to/file.npy' of existing files");
  }

  /**
   * The table of a path or of a session-catalog table. What it is for depends on who asks ({@link
   * SparkCaller}): a read ({@code schema} is then the one given to {@code spark.read.schema(…)}, or
   * empty), a save (whose table sends Spark to {@link #createRelation(SQLContext, SaveMode,
   * scala.collection.immutable.Map, Dataset)}), the write {@link DataFrameSave} runs, or a catalog
   * table ({@code CREATE TABLE … USING npy}, {@code saveAsTable}: Spark passes its properties and
   * its location as {@code path}). A managed table (created without {@code LOCATION}: the session
   * catalog gives it a directory under the warehouse, as for Parquet, and deletes that directory on
   * DROP TABLE) is written as a directory of parts.
   */
  @Override
  public Table getTable(
      StructType schema, Transform[] partitioning, Map<String, String> properties) {
    NpyTable.checkNotBucketed(partitioning);
    CaseInsensitiveStringMap options = new CaseInsensitiveStringMap(properties);
    SparkSession spark = SparkSession.active();
    String save = options.get(DataFrameSave.SAVE_OPTION);
    if (save != null) {
      return DataFrameSave.target(spark, options, save, partitioning);
    }
    switch (SparkCaller.current()) {
      case SAVE:
        NpyCatalog.registerIfAbsent();
        return V1Saves.refuse(schema)
            // Spark 3.5's V1 route refuses interval columns: such a frame is written directly
            // (Append and Overwrite; Spark refuses the other modes with its own message)
            ? DataFrameSave.target(spark, options, DataFrameSave.APPEND_OR_OVERWRITE, partitioning)
            : NpyTable.forSave(spark, options);
      case LOAD:
        return new NpyTable(
            spark,
            options,
            schema.isEmpty() ? null : schema,
            false,
            NpyTable.Purpose.READ,
            false,
            partitioning);
      default:
        return new NpyTable(
            spark,
            options,
            schema,
            false,
            NpyTable.Purpose.UNKNOWN,
            isManaged(properties),
            partitioning);
    }
  }

  /**
   * Managed: the catalog chose the location. Spark's session catalog (Spark 4's own, and Spark
   * 3.5's through {@link NpySessionCatalog}) records a table's {@code LOCATION} as the {@value
   * TableCatalog#PROP_LOCATION} property and passes every table's location as {@code path}.
   */
  static boolean isManaged(Map<String, String> properties) {
    return properties.containsKey(TableCatalog.PROP_PROVIDER)
        && properties.containsKey(NpyPaths.PATH)
        && !properties.containsKey(TableCatalog.PROP_LOCATION);
  }

  /**
   * Lets CREATE TABLE and saveAsTable give a schema, and reads take one from {@code
   * spark.read.schema(…)}; the files' own schema wins once they exist, or must match it.
   */
  @Override
  public boolean supportsExternalMetadata() {
    return true;
  }

  /**
   * {@code df.write.format("npy").save(path)}, in every save mode and with {@code partitionBy}:
   * runs the DataSource V2 write ({@link DataFrameSave}).
   */
  @Override
  @SuppressWarnings("unchecked")
  public BaseRelation createRelation(
      SQLContext sqlContext,
      SaveMode mode,
      scala.collection.immutable.Map<String, String> parameters,
      Dataset<Row> data) {
    // Spark passes a CaseInsensitiveMap, whose entries have lower-cased keys: the original
    // spelling matters to the Hadoop settings among the options (fs.s3a.bucket.<Bucket>.…)
    scala.collection.Map<String, String> given =
        parameters instanceof CaseInsensitiveMap<?>
            ? ((CaseInsensitiveMap<String>) parameters).originalMap()
            : parameters;
    return DataFrameSave.run(sqlContext, mode, ScalaInterop.toJavaMap(given), data);
  }

  /**
   * Every type reaches the write, which refuses the ones npy cannot hold naming the column (Spark 4
   * asks this before its V1 save route; its default refuses intervals, which npy writes as {@code
   * <m8[us]}). Not an override on Spark 3.5, which does not ask.
   */
  @SuppressWarnings("MissingOverride")
  public boolean supportsDataType(DataType dataType) {
    return true;
  }

  /**
   * Spark's V1 read path, which Spark only takes for a catalog table loaded by Spark 3.5's own
   * session catalog (Spark 4 and {@link NpySessionCatalog} load such tables through {@link
   * #getTable}): fails saying what to set, where Spark would say "npy is not a valid Spark SQL Data
   * Source".
   */
  @Override
  public BaseRelation createRelation(
      SQLContext sqlContext, scala.collection.immutable.Map<String, String> parameters) {
    String path = parameters.get("path").getOrElse(() -> "(no location)");
    throw new NpySessionCatalogMissingException(
        "Cannot read or write the npy table at "
            + path
            + ": Spark "
            + sqlContext.sparkSession().version()
            + "'s built-in session catalog cannot serve tables of a DataSource V2 source. Start"
            + " the session with --conf spark.sql.catalog.spark_catalog="
            + NpySessionCatalog.class.getName()
            + " (Spark 3.5), or read the files with spark.read.format(\"npy\").load(path) or"
            + " npy.`path`");
  }
}
