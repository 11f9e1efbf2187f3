package io.github.sparknpy.spark;

import java.util.Set;

/**
 * Which of Spark's public entry points is asking {@link NpyDataSource} for a table. Spark calls
 * {@code TableProvider.getTable} and {@code inferSchema} the same way for {@code spark.read.load},
 * {@code df.write.save}, streams and session-catalog tables, and the DataSource V2 API carries no
 * hint of which; the answer decides what a path means (a read fails on a missing path, a save
 * creates it). Told apart by the caller's frames on this thread (class and method names only), on
 * Spark 3.5 ({@code org.apache.spark.sql.DataFrameWriter} …) and Spark 4 ({@code
 * org.apache.spark.sql.classic.DataFrameWriter} …). Should a release rename them, the table is
 * treated as a catalog table ({@link #OTHER}), and the tests of every supported line fail loudly.
 */
enum SparkCaller {
  /**
   * {@code df.write.format("npy").save(…)}: the table only decides whether Spark takes its V1 save
   * route ({@link NpyDataSource#createRelation(org.apache.spark.sql.SQLContext,
   * org.apache.spark.sql.SaveMode, scala.collection.immutable.Map, org.apache.spark.sql.Dataset)}).
   */
  SAVE,
  /** {@code spark.read.format("npy").load(…)} or {@code spark.readStream…load(…)}. */
  LOAD,
  /** Anything else: catalog tables, stream sinks. */
  OTHER;

  private static final Set<String> WRITERS =
      Set.of(
          "org.apache.spark.sql.DataFrameWriter", "org.apache.spark.sql.classic.DataFrameWriter");

  private static final Set<String> READERS =
      Set.of(
          "org.apache.spark.sql.DataFrameReader",
          "org.apache.spark.sql.classic.DataFrameReader",
          "org.apache.spark.sql.streaming.DataStreamReader",
          "org.apache.spark.sql.classic.DataStreamReader");

  /**
   * The caller of the current {@code getTable}/{@code inferSchema}. A save asks for its table in
   * the local function {@code getTable} of {@code DataFrameWriter.saveInternal} (3.5) or {@code
   * saveCommand} (4.x), compiled as {@code getTable$1}; {@code saveAsTable} and {@code insertInto}
   * go through catalogs instead. A read asks in {@code load} (and, for streams, {@code
   * loadInternal}); {@code spark.read.table} is a catalog read. Spark 4.2 resolves a load in its
   * analyzer, more than a hundred frames below {@code load}: the walk goes deep (it runs once per
   * table, when a query is planned).
   */
  static SparkCaller current() {
    return StackWalker.getInstance()
        .walk(
            frames ->
                frames
                    .limit(1024)
                    .map(SparkCaller::of)
                    .filter(c -> c != OTHER)
                    .findFirst()
                    .orElse(OTHER));
  }

  private static SparkCaller of(StackWalker.StackFrame f) {
    String cls = f.getClassName();
    String method = f.getMethodName();
    if (WRITERS.contains(cls)) {
      return method.equals("getTable$1") ? SAVE : OTHER;
    }
    if (READERS.contains(cls) && (method.equals("load") || method.equals("loadInternal"))) {
      return LOAD;
    }
    return OTHER;
  }
}
