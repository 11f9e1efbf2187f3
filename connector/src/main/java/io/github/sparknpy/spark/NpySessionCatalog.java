package io.github.sparknpy.spark;

import io.github.sparknpy.spark.compat.ScalaInterop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.analysis.NoSuchNamespaceException;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException;
import org.apache.spark.sql.catalyst.catalog.BucketSpec;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.connector.catalog.Column;
import org.apache.spark.sql.connector.catalog.DelegatingCatalogExtension;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.apache.spark.sql.connector.catalog.V1Table;
import org.apache.spark.sql.connector.expressions.Expressions;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.types.StructType;

/**
 * The session catalog for {@code CREATE TABLE … USING npy} on Spark 3.5: set {@code
 * spark.sql.catalog.spark_catalog} to this class. Spark 3.5's session catalog returns tables of a
 * DataSource V2 provider as V1 tables, which Spark then cannot read or write ("npy is not a valid
 * Spark SQL Data Source"); this one loads them as the {@code npy} source's own table, with the
 * options, schema and location the catalog stored, as Spark 4 does itself. Every other table, and
 * every other catalog call, goes to the built-in session catalog unchanged.
 *
 * <p>On Spark 4 it is not needed, and changes nothing if set.
 */
public class NpySessionCatalog extends DelegatingCatalogExtension {
  @Override
  public Table loadTable(Identifier ident) throws NoSuchTableException {
    Table table = super.loadTable(ident);
    if (table instanceof V1Table v1 && isNpy(v1.v1Table())) {
      return npyTable(v1.v1Table());
    }
    return table;
  }

  /**
   * Refuses a bucketed npy table before the built-in catalog records it: Spark 3.5's session
   * catalog would store the table and its bucketing without asking the source.
   */
  @Override
  public Table createTable(
      Identifier ident, StructType schema, Transform[] partitions, Map<String, String> properties)
      throws TableAlreadyExistsException, NoSuchNamespaceException {
    checkNpyTable(schema.isEmpty(), partitions, properties);
    return super.createTable(ident, schema, partitions, properties);
  }

  @Override
  public Table createTable(
      Identifier ident, Column[] columns, Transform[] partitions, Map<String, String> properties)
      throws TableAlreadyExistsException, NoSuchNamespaceException {
    checkNpyTable(columns.length == 0, partitions, properties);
    return super.createTable(ident, columns, partitions, properties);
  }

  /**
   * What Spark 4's session catalog asks the source before it records an npy table, and Spark 3.5's
   * does not: no bucketing, and columns or a location to take them from.
   */
  private static void checkNpyTable(
      boolean noColumns, Transform[] partitions, Map<String, String> properties) {
    if (properties != null
        && NpyDataSource.NAME.equalsIgnoreCase(properties.get(TableCatalog.PROP_PROVIDER))) {
      NpyTable.checkNotBucketed(partitions);
      if (noColumns && !properties.containsKey(TableCatalog.PROP_LOCATION)) {
        throw NpyDataSource.noColumnsNorLocation();
      }
    }
  }

  private static boolean isNpy(CatalogTable table) {
    return table.provider().isDefined()
        && NpyDataSource.NAME.equalsIgnoreCase(table.provider().get());
  }

  /** What Spark 4's session catalog passes the provider: table and storage properties, path. */
  private static Table npyTable(CatalogTable table) {
    Map<String, String> options = new HashMap<>(ScalaInterop.toJavaMap(table.properties()));
    options.putAll(ScalaInterop.toJavaMap(table.storage().properties()));
    if (table.storage().locationUri().isDefined()) {
      options.put("path", new Path(table.storage().locationUri().get()).toString());
    }
    List<String> partitionColumns = ScalaInterop.toJavaList(table.partitionColumnNames());
    List<Transform> transforms = new ArrayList<>();
    for (String column : partitionColumns) {
      transforms.add(Expressions.identity(column));
    }
    if (table.bucketSpec().isDefined()) {
      // as Spark 4 passes it: the source refuses it, where the V1 table silently dropped it
      BucketSpec spec = table.bucketSpec().get();
      transforms.add(
          Expressions.bucket(
              spec.numBuckets(),
              ScalaInterop.toJavaList(spec.bucketColumnNames()).toArray(new String[0])));
    }
    Transform[] partitioning = transforms.toArray(new Transform[0]);
    return new NpyDataSource().getTable(table.schema(), partitioning, options);
  }
}
