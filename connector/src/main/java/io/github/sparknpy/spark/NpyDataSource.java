package io.github.sparknpy.spark;

import java.util.Map;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.SupportsCatalogOptions;
import org.apache.spark.sql.connector.catalog.Table;
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

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    return new NpyTable(SparkSession.active(), options, null).schema();
  }

  @Override
  public Table getTable(
      StructType schema, Transform[] partitioning, Map<String, String> properties) {
    NpyTable.checkNotBucketed(partitioning);
    NpyTable.checkNoPartitioning(partitioning);
    return new NpyTable(SparkSession.active(), new CaseInsensitiveStringMap(properties), schema);
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
