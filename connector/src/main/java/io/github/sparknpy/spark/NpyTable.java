package io.github.sparknpy.spark;

import io.github.sparknpy.spark.config.KnownOptions;
import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.config.NpyPaths;
import io.github.sparknpy.spark.hadoop.HadoopConfs;
import io.github.sparknpy.spark.read.NpyMetadataColumns;
import io.github.sparknpy.spark.read.NpyScanBuilder;
import io.github.sparknpy.spark.read.NpyTableSchema;
import io.github.sparknpy.spark.read.RequestedSchema;
import io.github.sparknpy.spark.write.NpyWriteBuilder;
import io.github.sparknpy.spark.write.PartitionColumns;
import io.github.sparknpy.spark.write.PartitionPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.MetadataColumn;
import org.apache.spark.sql.connector.catalog.SupportsMetadataColumns;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.SupportsWrite;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.apache.spark.sql.connector.expressions.Expressions;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * One or more {@code .npy} / {@code .npz} files (or directories of them) as a table. The schema
 * comes from the headers; a path that does not exist yet is an empty table a write can create.
 */
public final class NpyTable implements SupportsRead, SupportsWrite, SupportsMetadataColumns {
  private static final Set<TableCapability> DECLARED_TABLE =
      EnumSet.of(
          TableCapability.BATCH_READ,
          TableCapability.MICRO_BATCH_READ,
          TableCapability.BATCH_WRITE,
          TableCapability.STREAMING_WRITE,
          TableCapability.TRUNCATE,
          TableCapability.OVERWRITE_DYNAMIC);

  /**
   * Paths written through {@code format("npy")}: the writer maps the incoming columns itself
   * (record fields, matrix layout, Append checks against the existing header), so Spark must not
   * force the read schema (whose names are {@code value} or {@code _0 …}) on them.
   */
  private static final Set<TableCapability> PATH_TABLE =
      EnumSet.of(
          TableCapability.BATCH_READ,
          TableCapability.MICRO_BATCH_READ,
          TableCapability.BATCH_WRITE,
          TableCapability.STREAMING_WRITE,
          TableCapability.TRUNCATE,
          TableCapability.OVERWRITE_DYNAMIC,
          TableCapability.ACCEPT_ANY_SCHEMA);

  private final SparkSession spark;
  private final CaseInsensitiveStringMap options;
  private final StructType declaredSchema;
  private final boolean created;
  private final Purpose purpose;
  private final boolean managed;
  private final Transform[] declaredPartitioning;
  private volatile StructType schema;
  private volatile Transform[] foundPartitioning;

  /** The files' listing, headers and partition columns, when the schema came from them. */
  private volatile NpyTableSchema resolved;

  /** What Spark loaded a table for, where its call says so. */
  enum Purpose {
    /**
     * {@code spark.read.format("npy").load(…)}: the schema fails on a missing path or paths without
     * files instead of being empty (an empty write target); a declared schema is the one given to
     * {@code spark.read.schema(…)}, checked against the files' ({@link RequestedSchema}).
     */
    READ,
    /**
     * To be written to (Append or Overwrite): its schema is not read from the files, which an
     * Overwrite replaces whatever they hold (an Append reads the header it needs itself, in {@link
     * NpyWriteBuilder}).
     */
    WRITE,
    /**
     * Asked for by {@code df.write.save(…)}: it lacks {@link TableCapability#BATCH_WRITE}, so that
     * Spark takes its V1 save route, which hands the source every save mode and the {@code
     * partitionBy} columns ({@link DataFrameSave}). Nothing else is asked of it.
     */
    SAVE,
    /** Not known (SQL reads, catalog tables): the files' schema when they have one. */
    UNKNOWN
  }

  /** Capabilities of {@link Purpose#SAVE}: no batch write. */
  private static final Set<TableCapability> SAVE_TABLE =
      EnumSet.of(
          TableCapability.BATCH_READ,
          TableCapability.MICRO_BATCH_READ,
          TableCapability.STREAMING_WRITE,
          TableCapability.ACCEPT_ANY_SCHEMA);

  /** The table {@code df.write.save(…)} asks for ({@link Purpose#SAVE}). */
  static NpyTable forSave(SparkSession spark, CaseInsensitiveStringMap options) {
    return new NpyTable(spark, options, null, false, Purpose.SAVE, false);
  }

  NpyTable(SparkSession spark, CaseInsensitiveStringMap options, StructType declaredSchema) {
    this(spark, options, declaredSchema, false, Purpose.UNKNOWN, false);
  }

  /**
   * @param created made for a write that creates the path: SQL CREATE TABLE AS SELECT on a path
   *     ({@link NpyCatalog#createTable}) or an ErrorIfExists or Ignore save ({@link
   *     DataFrameSave}); its write must not replace or extend a file that another write creates at
   *     the path meanwhile
   * @param purpose what Spark loaded the table for, where it is known
   * @param managed a managed table of the session catalog, whose location (a directory under the
   *     warehouse) the catalog chose: written as a directory of parts unless option {@code merge}
   *     says otherwise
   */
  NpyTable(
      SparkSession spark,
      CaseInsensitiveStringMap options,
      StructType declaredSchema,
      boolean created,
      Purpose purpose,
      boolean managed) {
    this(spark, options, declaredSchema, created, purpose, managed, new Transform[0]);
  }

  /**
   * @param partitioning the columns the table is partitioned by ({@code partitionBy} of a CREATE
   *     TABLE AS SELECT, {@code PARTITIONED BY}): identity transforms
   */
  NpyTable(
      SparkSession spark,
      CaseInsensitiveStringMap options,
      StructType declaredSchema,
      boolean created,
      Purpose purpose,
      boolean managed,
      Transform[] partitioning) {
    PartitionColumns.checkTransforms(partitioning);
    this.declaredPartitioning = partitioning == null ? new Transform[0] : partitioning.clone();
    this.spark = spark;
    this.options = options;
    this.declaredSchema = declaredSchema;
    this.created = created;
    this.purpose = purpose;
    this.managed = managed;
  }

  /**
   * Refuses {@code bucketBy} and {@code CLUSTERED BY … INTO n BUCKETS} with their own message
   * (Spark passes bucketing as a {@code bucket} or {@code sorted_bucket} transform among the
   * partitioning).
   */
  static void checkNotBucketed(Transform[] partitioning) {
    if (partitioning == null) {
      return;
    }
    for (Transform t : partitioning) {
      if ("bucket".equals(t.name()) || "sorted_bucket".equals(t.name())) {
        throw new NpyOptionException(
            "Cannot write npy output bucketed by "
                + t.describe()
                + ": npy files cannot be bucketed. A .npy file (or a merge=false directory of"
                + " parts) holds rows in write order, with no bucket files for Spark to join or"
                + " aggregate without a shuffle. Remove bucketBy / CLUSTERED BY … INTO n BUCKETS,"
                + " or write the table with a format that buckets (e.g. parquet)");
      }
    }
  }

  /**
   * The columns the table is partitioned by: those it was created with ({@code partitionBy} of a
   * CREATE TABLE AS SELECT, {@code PARTITIONED BY}, or of {@code df.write.save}), else for a write
   * target the {@code column=value} directories found at its path ({@link #writePartitioning},
   * which walks one directory per level instead of listing every file), else for a read those of
   * the files' listing, as identity transforms (as Spark's file sources report them).
   */
  @Override
  public Transform[] partitioning() {
    if (declaredPartitioning.length == 0 && purpose != Purpose.WRITE && purpose != Purpose.SAVE) {
      // a read: the partition columns of the files' listing, as Spark's file sources report them
      schema();
      NpyTableSchema files = resolved;
      String[] columns = files == null ? new String[0] : files.partitionColumns();
      Transform[] out = new Transform[columns.length];
      for (int i = 0; i < columns.length; i++) {
        out[i] = Expressions.identity(quoted(columns[i]));
      }
      return out;
    }
    return writePartitioning();
  }

  /**
   * The partitioning a write of this table uses: declared, else (for a write target) found in the
   * directories at its path. A minimal discovery of the columns only, kept apart from the reader's
   * partition discovery.
   */
  public Transform[] writePartitioning() {
    if (declaredPartitioning.length > 0 || purpose != Purpose.WRITE) {
      return declaredPartitioning.clone();
    }
    Transform[] found = foundPartitioning;
    if (found == null) {
      found = discoverPartitioning();
      foundPartitioning = found;
    }
    return found.clone();
  }

  private Transform[] discoverPartitioning() {
    List<String> paths = NpyPaths.of(options);
    if (paths.size() != 1) {
      return new Transform[0];
    }
    Path root = new Path(paths.get(0));
    try {
      List<String> columns =
          PartitionPaths.discoverColumns(
              root.getFileSystem(HadoopConfs.forOptions(spark, options)), root);
      Transform[] t = new Transform[columns.size()];
      for (int i = 0; i < t.length; i++) {
        t[i] = Expressions.identity(quoted(columns.get(i)));
      }
      return t;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the partition directories of " + root, e);
    }
  }

  /** A column name as one part of a reference ({@code Expressions.identity} parses dots). */
  private static String quoted(String column) {
    return column.matches("[A-Za-z_][A-Za-z0-9_]*")
        ? column
        : "`" + column.replace("`", "``") + "`";
  }

  /** The options the table was resolved with, including {@code path} or {@code paths}. */
  public CaseInsensitiveStringMap options() {
    return options;
  }

  @Override
  public String name() {
    return String.join(",", NpyPaths.of(options));
  }

  /**
   * The files' schema (from their headers), else the declared one. A table loaded for a write to a
   * path takes whatever schema is written ({@link TableCapability#ACCEPT_ANY_SCHEMA}): nothing of
   * the old files is read, so an Overwrite replaces a file that is truncated, pickled or not a
   * {@code .npy} at all. A catalog table whose files cannot be read has its declared schema, so
   * that INSERT OVERWRITE replaces them too; a read of it fails when the scan opens them.
   */
  @Override
  public StructType schema() {
    StructType result = schema;
    if (result == null) {
      StructType declared = declaredSchema == null ? new StructType() : declaredSchema;
      if (purpose == Purpose.READ) {
        NpyTableSchema files = NpyTableSchema.inferForRead(spark, options);
        resolved = files;
        result =
            declared.isEmpty()
                ? files.schema()
                : RequestedSchema.check(
                    declared,
                    files.schema(),
                    Set.of(files.partitionColumns()),
                    name(),
                    caseSensitive());
      } else if (purpose == Purpose.SAVE || (purpose == Purpose.WRITE && declared.isEmpty())) {
        result = declared;
      } else if (declared.isEmpty()) {
        Optional<NpyTableSchema> files = NpyTableSchema.infer(spark, options);
        resolved = files.orElse(null);
        result = files.map(NpyTableSchema::schema).orElse(declared);
      } else {
        result = inferOrDeclared(declared);
      }
      schema = result;
    }
    return result;
  }

  private boolean caseSensitive() {
    return Boolean.parseBoolean(spark.conf().get("spark.sql.caseSensitive", "false"));
  }

  private StructType inferOrDeclared(StructType declared) {
    if (!options.containsKey(NpyPaths.PATH) && !options.containsKey(NpyPaths.PATHS)) {
      return declared; // a managed table before the catalog gives it its location
    }
    try {
      Optional<NpyTableSchema> files = NpyTableSchema.infer(spark, options);
      resolved = files.orElse(null);
      return files.map(NpyTableSchema::schema).orElse(declared);
    } catch (RuntimeException e) {
      // unreadable files: an overwrite replaces them, a scan of the table reports them
      return declared;
    }
  }

  /**
   * Tables with declared columns ({@code CREATE TABLE t (k BIGINT, v DOUBLE) USING npy}) let Spark
   * resolve inserts against their columns as for any table: by position for INSERT INTO, with
   * Spark's store-assignment casts, so the file gets the table's names and types.
   */
  @Override
  public Set<TableCapability> capabilities() {
    if (purpose == Purpose.SAVE) {
      return SAVE_TABLE;
    }
    if (purpose == Purpose.READ) {
      return PATH_TABLE;
    }
    return declaredSchema == null || declaredSchema.isEmpty() ? PATH_TABLE : DECLARED_TABLE;
  }

  @Override
  public MetadataColumn[] metadataColumns() {
    return NpyMetadataColumns.all();
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap scanOptions) {
    KnownOptions.warnUnknown(userOptions(scanOptions), false, "the npy read of " + name());
    StructType tableSchema = schema();
    NpyScanBuilder builder = new NpyScanBuilder(spark, merged(scanOptions), tableSchema, resolved);
    boolean declared = declaredSchema != null && !declaredSchema.isEmpty();
    return declared && purpose != Purpose.READ ? builder.emptyWithoutFiles() : builder;
  }

  @Override
  public WriteBuilder newWriteBuilder(LogicalWriteInfo info) {
    Map<String, String> given = userOptions(info.options());
    KnownOptions.refuseForeignWriteOptions(given, name());
    KnownOptions.warnUnknown(given, true, "the npy write to " + name());
    return new NpyWriteBuilder(spark, merged(info.options()), info, created)
        .managedTable(managed)
        .partitioning(writePartitioning());
  }

  /**
   * The options a user gave: those of this read or write ({@code .option(…)}), and a catalog
   * table's {@code OPTIONS (…)}, which Spark's session catalog passes as {@code option.<key>}
   * properties (the other table properties, {@code TBLPROPERTIES}, owner and the like, are not
   * options and are not checked).
   */
  private Map<String, String> userOptions(CaseInsensitiveStringMap perCall) {
    Map<String, String> given = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, String> e : options.asCaseSensitiveMap().entrySet()) {
      if (e.getKey().toLowerCase(Locale.ROOT).startsWith(TableCatalog.OPTION_PREFIX)) {
        given.put(e.getKey().substring(TableCatalog.OPTION_PREFIX.length()), e.getValue());
      }
    }
    if (perCall != null) {
      given.putAll(perCall.asCaseSensitiveMap());
    }
    return given;
  }

  /**
   * Table options, overridden by the ones given to this scan or write. A key given per call
   * replaces the table's key that differs only in case ({@code maxHeaderBytes} and {@code
   * maxheaderbytes}) instead of both reaching the map in an arbitrary order; the per-call spelling
   * is kept, since Hadoop settings passed as options are case-sensitive.
   */
  private CaseInsensitiveStringMap merged(CaseInsensitiveStringMap perCall) {
    Map<String, String> all = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    all.putAll(options.asCaseSensitiveMap());
    if (perCall != null) {
      for (Map.Entry<String, String> e : perCall.asCaseSensitiveMap().entrySet()) {
        all.remove(e.getKey());
        all.put(e.getKey(), e.getValue());
      }
    }
    return new CaseInsensitiveStringMap(all);
  }
}
