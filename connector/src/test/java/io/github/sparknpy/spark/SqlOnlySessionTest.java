package io.github.sparknpy.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A session that only runs SQL (spark-sql, the Thrift server, a SQL notebook) reads {@code
 * npy.`path`} without ever calling {@code format("npy")} and without {@code spark.sql.catalog.npy}
 * in its configuration: the jar's session extension registers the catalog.
 */
class SqlOnlySessionTest extends SparkTestBase {
  @Test
  void aNewSessionReadsNpyPathsInSqlFirstThing() {
    Path file = tmp.resolve("x.npy");
    spark()
        .range(5)
        .selectExpr("CAST(id AS DOUBLE) AS x")
        .write()
        .format("npy")
        .save(file.toString());

    SparkSession sqlOnly = spark().newSession();
    assertThat(sqlOnly.conf().contains("spark.sql.catalog.npy"))
        .as("a new session starts without the catalog a format(\"npy\") call registered")
        .isFalse();
    assertThat(sqlOnly.sql("SELECT sum(value) FROM npy.`" + file + "`").first().getDouble(0))
        .isEqualTo(10.0);
    assertThat(sqlOnly.conf().get("spark.sql.catalog.npy")).isEqualTo(NpyCatalog.class.getName());
  }

  @Test
  void aCatalogTheUserNamedNpyIsLeftAlone() {
    SparkSession own = spark().newSession();
    own.conf().set("spark.sql.catalog.npy", "com.example.TheirCatalog");
    own.sql("SELECT 1").collect();
    assertThat(own.conf().get("spark.sql.catalog.npy")).isEqualTo("com.example.TheirCatalog");
  }
}
