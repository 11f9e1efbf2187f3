package io.github.sparknpy.spark;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.SparkSessionExtensionsProvider;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.Function1;
import scala.runtime.BoxedUnit;

/**
 * Makes {@code SELECT … FROM npy.`/path/x.npy`} work in sessions that never call {@code
 * format("npy")} (spark-sql, the Thrift server, SQL notebooks): Spark loads this class through
 * {@code META-INF/services/org.apache.spark.sql.SparkSessionExtensionsProvider} from the jar on the
 * class path, and when a session builds its analyzer (before its first query is resolved) the
 * {@code npy} path catalog is registered in it, unless {@code spark.sql.catalog.npy} is set to
 * something else. The injected check itself checks nothing.
 */
public final class NpySessionExtensions implements SparkSessionExtensionsProvider {
  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    Function1<SparkSession, Function1<LogicalPlan, BoxedUnit>> registerCatalog =
        session -> {
          NpyCatalog.registerIfAbsent(session);
          return plan -> BoxedUnit.UNIT;
        };
    extensions.injectCheckRule(registerCatalog);
    return BoxedUnit.UNIT;
  }
}
