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
 * <p>Register it for SQL with {@code spark.sql.catalog.npy=io.github.sparknpy.spark.NpyCatalog};
 * the first {@code format("npy")} read or write in a session registers it too.
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
   * Any path loads, existing or not: Append and Overwrite load their target before writing. A load
   * for {@code spark.read.format("npy").load(…)} ({@link LoadIntent}) fails on a missing path or
   * one without files, as Spark's file sources do. {@code df.write.save(path)} loads its target
   * through this method too: it is told apart by Spark's {@code DataFrameWriter} on the calling
   * stack (see {@link #loadedByDataFrameWriter}).
   */
  @Override
  public Table loadTable(Identifier ident) {
    boolean read = LoadIntent.takeRead(ident);
    NpyTable.Purpose purpose =
        read
            ? NpyTable.Purpose.READ
            : loadedByDataFrameWriter() ? NpyTable.Purpose.WRITE : NpyTable.Purpose.UNKNOWN;
    return new NpyTable(
        SparkSession.active(), NpyTableIdentifier.decode(ident), null, false, purpose, false);
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

  /** The classes of {@code df.write} on Spark 3.5 and on Spark 4. */
  private static final Set<String> DATA_FRAME_WRITERS =
      Set.of(
          "org.apache.spark.sql.DataFrameWriter", "org.apache.spark.sql.classic.DataFrameWriter");

  /**
   * True when {@code df.write.save(path)} loads the table: Spark's {@code DataFrameWriter} loads an
   * Append or Overwrite target with {@link #loadTable(Identifier)}, exactly as {@code
   * spark.read.load(path)} loads what it reads, and the public API offers no other way to tell the
   * two apart. Should a Spark release rename the class, writes fall back to reading the target's
   * schema (an unreadable file then fails the Overwrite, as before), never the other way round.
   */
  static boolean loadedByDataFrameWriter() {
    return StackWalker.getInstance()
        .walk(
            frames ->
                frames.limit(48).anyMatch(f -> DATA_FRAME_WRITERS.contains(f.getClassName())));
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
