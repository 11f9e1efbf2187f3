package io.github.sparknpy.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** What a Spark 3.5 user sees for CREATE TABLE … USING npy without and with NpySessionCatalog. */
class SessionCatalogOnSpark35Test extends SparkTestBase {
  @Test
  void withoutTheSessionCatalogTheTableFailsSayingWhatToSet() {
    SparkSession plain = spark().newSession();
    plain.conf().unset("spark.sql.catalog.spark_catalog");
    // paths and the npy catalog need nothing of spark_catalog
    spark()
        .range(3)
        .selectExpr("CAST(id AS INT) AS a")
        .write()
        .format("npy")
        .save(tmp.resolve("p.npy").toString());
    assertThat(plain.read().format("npy").load(tmp.resolve("p.npy").toString()).count())
        .isEqualTo(3);
    assertThat(
            plain
                .sql("SELECT sum(value) FROM npy.`" + tmp.resolve("p.npy") + "`")
                .first()
                .getLong(0))
        .isEqualTo(3);
    String table = "plain_" + System.nanoTime();
    plain.sql(
        "CREATE TABLE "
            + table
            + " (a INT) USING npy LOCATION '"
            + tmp.resolve("t.npy").toUri()
            + "'");
    try {
      assertThatThrownBy(() -> plain.sql("SELECT * FROM " + table).collect())
          .hasRootCauseInstanceOf(NpySessionCatalogMissingException.class)
          .rootCause()
          .hasMessageStartingWith("Cannot read or write the npy table at file:")
          .hasMessageContaining("t.npy: Spark 3.5.")
          .hasMessageContaining(
              "--conf spark.sql.catalog.spark_catalog=io.github.sparknpy.spark.NpySessionCatalog");
      assertThatThrownBy(() -> plain.sql("INSERT INTO " + table + " VALUES (1)").collect())
          .hasRootCauseInstanceOf(NpySessionCatalogMissingException.class);
    } finally {
      plain.sql("DROP TABLE IF EXISTS " + table);
    }
  }

  @Test
  void withItTablesReadAndWrite() {
    String table = "with_" + System.nanoTime();
    sql("CREATE TABLE %s (a INT, b DOUBLE) USING npy LOCATION '%s'", table, tmp.resolve("t.npy"));
    try {
      sql("INSERT INTO %s VALUES (1, 0.5), (2, 1.5)", table);
      assertThat(sql("SELECT sum(a), sum(b) FROM %s", table).first().toString())
          .isEqualTo("[3,2.0]");
    } finally {
      sql("DROP TABLE IF EXISTS %s", table);
    }
  }
}
