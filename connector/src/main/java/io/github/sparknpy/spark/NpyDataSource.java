package io.github.sparknpy.spark;

import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.config.NpyPaths;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.SupportsCatalogOptions;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.sources.RelationProvider;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The {@code npy} data source: {@code spark.read.format("npy")} and {@code df.write.format("npy")}.
 *
 * <p>Reads and writes resolve through the {@link NpyCatalog} path catalog (registered as {@code
 * spark.sql.catalog.npy} on first use), because Spark only honours every save mode (ErrorIfExists
 * and Ignore included) for sources that name a catalog; {@code CREATE TABLE … USING npy} goes
 * through {@link #getTable}.
 */
public final class NpyDataSource
    implements TableProvider, SupportsCatalogOptions, DataSourceRegister, RelationProvider {
  /** The short name, and the name of the path catalog. */
  public static final String NAME = "npy";

  @Override
  public String shortName() {
    return NAME;
  }

  /**
   * The schema of {@code CREATE TABLE t USING npy} without columns: from the files at its location.
   * A managed table (no {@code LOCATION}) has no files yet to take it from.
   */
  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
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
   * A table of the session catalog ({@code CREATE TABLE … USING npy}, {@code saveAsTable}): Spark
   * passes its properties and its location as {@code path}. A managed table (created without {@code
   * LOCATION}: the session catalog gives it a directory under the warehouse, as for Parquet, and
   * deletes that directory on DROP TABLE) is written as a directory of parts.
   */
  @Override
  public Table getTable(
      StructType schema, Transform[] partitioning, Map<String, String> properties) {
    NpyTable.checkNotBucketed(partitioning);
    return new NpyTable(
        SparkSession.active(),
        new CaseInsensitiveStringMap(properties),
        schema,
        false,
        NpyTable.Purpose.UNKNOWN,
        isManaged(properties),
        partitioning);
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
   * Lets CREATE TABLE and saveAsTable give a schema; the files' own schema wins once they exist.
   */
  @Override
  public boolean supportsExternalMetadata() {
    return true;
  }

  @Override
  public Identifier extractIdentifier(CaseInsensitiveStringMap options) {
    return NpyTableIdentifier.encode(options);
  }

  /**
   * No time travel; Spark's reader (and only the reader) asks this right before it loads the table,
   * which tells the catalog that this load is a read ({@link LoadIntent}).
   */
  @Override
  public Optional<String> extractTimeTravelVersion(CaseInsensitiveStringMap options) {
    LoadIntent.markRead(extractIdentifier(options));
    return Optional.empty();
  }

  @Override
  public String extractCatalog(CaseInsensitiveStringMap options) {
    NpyCatalog.registerIfAbsent();
    return NAME;
  }

  /**
   * Spark's V1 path, which Spark only takes for a catalog table loaded by Spark 3.5's own session
   * catalog (Spark 4 and {@link NpySessionCatalog} load such tables through {@link #getTable}):
   * fails saying what to set, where Spark would say "npy is not a valid Spark SQL Data Source".
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
