package io.github.sparknpy.spark;

import java.util.Arrays;
import org.apache.spark.sql.connector.catalog.Identifier;

/**
 * Tells {@link NpyCatalog#loadTable} that the table is loaded for {@code
 * spark.read.format("npy").load(…)}, not for a write: Spark's reader asks the source for a time
 * travel version ({@link NpyDataSource#extractTimeTravelVersion}) right before it loads the table
 * on the same thread, and its writer never does. A read must fail at {@code load} on a missing path
 * (as Spark's file sources do), a write must be able to load a path that does not exist yet.
 */
final class LoadIntent {
  private static final ThreadLocal<Identifier> READ = new ThreadLocal<>();

  private LoadIntent() {}

  static void markRead(Identifier ident) {
    READ.set(ident);
  }

  /** Whether the next load of {@code ident} on this thread is a read; forgets the mark. */
  static boolean takeRead(Identifier ident) {
    Identifier marked = READ.get();
    READ.remove();
    return marked != null
        && marked.name().equals(ident.name())
        && Arrays.equals(marked.namespace(), ident.namespace());
  }
}
