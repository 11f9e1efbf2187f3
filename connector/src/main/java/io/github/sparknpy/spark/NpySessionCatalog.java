package io.github.sparknpy.spark;

import io.github.sparknpy.spark.compat.ScalaInterop;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.connector.catalog.DelegatingCatalogExtension;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.V1Table;
import org.apache.spark.sql.connector.expressions.Expressions;
import org.apache.spark.sql.connector.expressions.Transform;

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
    Transform[] partitioning = new Transform[partitionColumns.size()];
    for (int i = 0; i < partitioning.length; i++) {
      partitioning[i] = Expressions.identity(partitionColumns.get(i));
    }
    return new NpyDataSource().getTable(table.schema(), partitioning, options);
  }
}
