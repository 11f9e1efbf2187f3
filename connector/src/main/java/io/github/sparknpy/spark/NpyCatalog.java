package io.github.sparknpy.spark;

import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.config.NpyPaths;
import io.github.sparknpy.spark.hadoop.HadoopConfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.apache.spark.sql.connector.catalog.TableChange;
import org.apache.spark.sql.connector.catalog.TableWritePrivilege;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * A catalog whose tables are paths: {@code npy.`/data/x.npy`} (optionally with table-shaping
 * options in the namespace, see {@link NpyTableIdentifier}). It never deletes or renames data.
 *
 * <p>Registered as {@code spark.sql.catalog.npy} in every session by {@link NpySessionExtensions}
 * (and by the first {@code format("npy")} read or write of a session), unless that key is set.
 */
public final class NpyCatalog implements TableCatalog {
  private static final String CONF_KEY = "spark.sql.catalog." + NpyDataSource.NAME;

  private String name = NpyDataSource.NAME;

  /**
   * Registers the catalog in the session of this thread ({@link SparkSession#active()}), and makes
   * that session the thread's active one if it has none: Spark looks the catalog up in the active
   * session's conf ({@code SQLConf.get}), which in a thread without an active session (a pool
   * thread started before the session, a Scala global Future) is a fallback conf without it, and
   * every {@code format("npy")} read and write there would fail with CATALOG_NOT_FOUND.
   */
  static synchronized void registerIfAbsent() {
    SparkSession session = SparkSession.active();
    if (SparkSession.getActiveSession().isEmpty()) {
      SparkSession.setActiveSession(session);
    }
    registerIfAbsent(session);
  }

  /** Registers the catalog in {@code session} unless a catalog named npy is configured there. */
  static synchronized void registerIfAbsent(SparkSession session) {
    if (!session.conf().contains(CONF_KEY)) {
      session.conf().set(CONF_KEY, NpyCatalog.class.getName());
    }
  }

  @Override
  public void initialize(String catalogName, CaseInsensitiveStringMap options) {
    this.name = catalogName;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Identifier[] listTables(String[] namespace) {
    return new Identifier[0];
  }

  /**
   * Any path loads, existing or not: SQL's {@code INSERT} loads its target before writing. A SQL
   * read of a path without files reads its schema as empty.
   */
  @Override
  public Table loadTable(Identifier ident) {
    return new NpyTable(
        SparkSession.active(),
        NpyTableIdentifier.decode(ident),
        null,
        false,
        NpyTable.Purpose.UNKNOWN,
        false);
  }

  /**
   * The target of a SQL {@code INSERT INTO/OVERWRITE npy.`path`}, {@code insertInto} or {@code
   * writeTo}: Spark names the write privileges it needs. The table is not asked for the files'
   * schema, so an Overwrite replaces files that cannot be read.
   */
  @Override
  public Table loadTable(Identifier ident, Set<TableWritePrivilege> writePrivileges) {
    if (writePrivileges == null || writePrivileges.isEmpty()) {
      return loadTable(ident);
    }
    return new NpyTable(
        SparkSession.active(),
        NpyTableIdentifier.decode(ident),
        null,
        false,
        NpyTable.Purpose.WRITE,
        false);
  }

  @Override
  public boolean tableExists(Identifier ident) {
    CaseInsensitiveStringMap options = NpyTableIdentifier.decode(ident);
    // The session's confs and the options too (e.g. fs.s3a.endpoint), as for reads and writes:
    // the context's configuration alone misses them, and the file system this call creates is
    // the one Hadoop caches for the later reads and writes of the job.
    Configuration conf = HadoopConfs.forOptions(SparkSession.active(), options);
    try {
      for (String p : NpyPaths.of(options)) {
        Path path = new Path(p);
        if (path.getFileSystem(conf).exists(path)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check whether " + ident.name() + " exists", e);
    }
  }

  @Override
  public Table createTable(
      Identifier ident, StructType schema, Transform[] partitions, Map<String, String> properties)
      throws TableAlreadyExistsException {
    NpyTable.checkNotBucketed(partitions);
    if (tableExists(ident)) {
      throw new TableAlreadyExistsException(ident.toString());
    }
    return new NpyTable(
        SparkSession.active(),
        NpyTableIdentifier.decode(ident),
        schema,
        true,
        NpyTable.Purpose.WRITE,
        false,
        partitions);
  }

  @Override
  public Table alterTable(Identifier ident, TableChange... changes) {
    throw new NpyOptionException(
        "Cannot alter " + ident.name() + ": the schema of a .npy file comes from its header");
  }

  /**
   * Never deletes: Spark calls this after a failed CREATE … AS SELECT, when the commit protocol has
   * already left nothing behind. Delete files with the file system's own tools.
   */
  @Override
  public boolean dropTable(Identifier ident) {
    return false;
  }

  @Override
  public void renameTable(Identifier oldIdent, Identifier newIdent) throws NoSuchTableException {
    throw new NpyOptionException(
        "Cannot rename " + oldIdent.name() + ": the npy catalog does not move files");
  }
}
