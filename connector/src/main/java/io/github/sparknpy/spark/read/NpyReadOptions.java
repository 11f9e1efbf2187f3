package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.config.OptionValues;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The read options: their keys, and their values parsed and validated once on the driver (where
 * {@link NpyScanBuilder} is made, or the table schema is inferred) and passed down to the file
 * index and the scan. Keys are case-insensitive, as in Spark's own file sources; every malformed
 * value fails with a message listing the valid ones.
 *
 * <p>Not for executors: tasks get the few values they need as a {@link ReadTaskOptions}.
 */
public final class NpyReadOptions {

  /**
   * {@code auto} (default), {@code matrix} (one scalar column per index of axis 1) or {@code
   * vector} (one Spark ML dense vector column {@code features} per row of a 2-D array).
   */
  public static final String LAYOUT = "layout";

  /** {@code first} (default): a row is one index along axis 0; {@code last}: the last axis. */
  public static final String ROW_AXIS = "rowAxis";

  /** Reads one member of each {@code .npz} archive as if it were a {@code .npy} file. */
  public static final String MEMBER = "member";

  /** Only files whose name matches this glob (Spark's {@code pathGlobFilter}). */
  public static final String PATH_GLOB_FILTER = "pathGlobFilter";

  /** Lists directories recursively (Spark's {@code recursiveFileLookup}), default false. */
  public static final String RECURSIVE_FILE_LOOKUP = "recursiveFileLookup";

  /** Skips unreadable files with a warning; default {@code spark.sql.files.ignoreCorruptFiles}. */
  public static final String IGNORE_CORRUPT_FILES = "ignoreCorruptFiles";

  /** Skips files deleted after listing; default {@code spark.sql.files.ignoreMissingFiles}. */
  public static final String IGNORE_MISSING_FILES = "ignoreMissingFiles";

  /**
   * Only files modified before this timestamp ({@code YYYY-MM-DDTHH:mm:ss} in the session time
   * zone), as Spark's file sources.
   */
  public static final String MODIFIED_BEFORE = "modifiedBefore";

  /** Only files modified after this timestamp, as {@link #MODIFIED_BEFORE}. */
  public static final String MODIFIED_AFTER = "modifiedAfter";

  /** The zone of {@link #MODIFIED_BEFORE} and {@link #MODIFIED_AFTER}; default the session's. */
  public static final String TIME_ZONE = "timeZone";

  /**
   * The directory above the partition directories ({@code column=value}) of the paths read, as in
   * Spark's file sources; default: each path that is a directory (the parent of a file).
   */
  public static final String BASE_PATH = "basePath";

  /** Largest header accepted, default 1 MiB. */
  public static final String MAX_HEADER_BYTES = "maxHeaderBytes";

  /**
   * Rows per columnar batch, default 4096 (fewer when rows are wide, see {@link
   * ReadTaskOptions#batchRows}).
   */
  public static final String BATCH_SIZE = "batchSize";

  /** Target bytes per partition; default {@code spark.sql.files.maxPartitionBytes} (128 MiB). */
  public static final String MAX_PARTITION_BYTES = "maxPartitionBytes";

  /** Memory-map local files (default true); false reads them with positioned reads. */
  public static final String MEMORY_MAP = "memoryMap";

  /**
   * Read the column runs of a batch with one Hadoop vectored read (default true; Hadoop 3.3.5+,
   * object stores fetch and merge ranges in parallel); false reads them one positioned read at a
   * time, as on older Hadoop (Parquet's {@code parquet.hadoop.vectored.io.enabled}).
   */
  public static final String VECTORED_READS = "vectoredReads";

  /** Streaming reads: at most this many new files per micro-batch (Spark's file stream option). */
  public static final String MAX_FILES_PER_TRIGGER = "maxFilesPerTrigger";

  /**
   * Streaming reads: about this many bytes of rows per micro-batch (at least one row), as Spark's
   * file stream option.
   */
  public static final String MAX_BYTES_PER_TRIGGER = "maxBytesPerTrigger";

  static final int DEFAULT_BATCH_SIZE = 4096;

  /** Rows wider than this cannot be read (a batch buffer must fit a Java array). */
  static final long MAX_ROW_BYTES = 1L << 30;

  final boolean matrix;
  final boolean vector;
  final boolean rowAxisLast;
  final String member;
  final String pathGlobFilter;
  final boolean recursiveFileLookup;
  final boolean ignoreCorruptFiles;
  final boolean ignoreMissingFiles;
  final int maxHeaderBytes;
  final int batchSize;
  final long maxPartitionBytes;
  final long openCostInBytes;

  /** Spark's {@code spark.sql.files.minPartitionNum}, else the leaf-node default parallelism. */
  final int minPartitionNum;

  /** Spark's {@code spark.sql.files.maxPartitionNum}; 0 when unset. */
  final int maxPartitionNum;

  final ModifiedTimeFilter modifiedTime;

  final String basePath;

  /** How partition columns are found (Spark's inference, timestamp type, zone, case). */
  final PartitionDiscovery.Settings partitionSettings;

  /** Directories listed at once beyond which listing runs on a thread pool (Spark's threshold). */
  final int parallelListingThreshold;

  /** Most listing threads (Spark's parallelPartitionDiscovery.parallelism, at most 64 here). */
  final int listingParallelism;

  final boolean memoryMap;
  final boolean vectoredReads;

  /** New files per micro-batch, 0 for no limit. */
  final int maxFilesPerTrigger;

  /** Bytes of rows per micro-batch, {@code Long.MAX_VALUE} for no limit. */
  final long maxBytesPerTrigger;

  /**
   * {@code datetime64} columns (units from hours to nanoseconds) read as {@code TIMESTAMP_NTZ}
   * instead of {@code TIMESTAMP}: {@code spark.sql.timestampType}, as Spark's CSV and JSON schema
   * inference follow it.
   */
  final boolean timestampNtz;

  private NpyReadOptions(SparkSession spark, CaseInsensitiveStringMap options) {
    String layout = OptionValues.choice(options, LAYOUT, "auto", "auto", "matrix", "vector");
    this.matrix = layout.equals("matrix");
    this.vector = layout.equals("vector");
    this.rowAxisLast =
        OptionValues.choice(options, ROW_AXIS, "first", "first", "last").equals("last");
    String m = options.get(MEMBER);
    if (m != null && m.isBlank()) {
      throw new NpyOptionException(
          "Invalid value '' for option 'member': give the name of an array in the .npz archive,"
              + " e.g. X or X.npy");
    }
    this.member = m == null ? null : m.endsWith(".npy") ? m.substring(0, m.length() - 4) : m;
    this.pathGlobFilter = options.get(PATH_GLOB_FILTER);
    this.recursiveFileLookup = OptionValues.bool(options, RECURSIVE_FILE_LOOKUP, false);
    this.ignoreCorruptFiles =
        OptionValues.bool(
            options,
            IGNORE_CORRUPT_FILES,
            Boolean.parseBoolean(conf(spark, "spark.sql.files.ignoreCorruptFiles", "false")));
    this.ignoreMissingFiles =
        OptionValues.bool(
            options,
            IGNORE_MISSING_FILES,
            Boolean.parseBoolean(conf(spark, "spark.sql.files.ignoreMissingFiles", "false")));
    this.maxHeaderBytes =
        OptionValues.positiveInt(options, MAX_HEADER_BYTES, EncodedHeader.DEFAULT_MAX_HEADER_BYTES);
    this.batchSize = OptionValues.positiveInt(options, BATCH_SIZE, DEFAULT_BATCH_SIZE);
    this.maxPartitionBytes =
        OptionValues.positiveBytes(
            options,
            MAX_PARTITION_BYTES,
            JavaUtils.byteStringAsBytes(conf(spark, "spark.sql.files.maxPartitionBytes", "128m")));
    this.memoryMap = OptionValues.bool(options, MEMORY_MAP, true);
    this.vectoredReads = OptionValues.bool(options, VECTORED_READS, true);
    this.maxFilesPerTrigger =
        options.containsKey(MAX_FILES_PER_TRIGGER)
            ? OptionValues.positiveInt(options, MAX_FILES_PER_TRIGGER, 1)
            : 0;
    this.maxBytesPerTrigger =
        options.containsKey(MAX_BYTES_PER_TRIGGER)
            ? OptionValues.positiveBytes(options, MAX_BYTES_PER_TRIGGER, 1)
            : Long.MAX_VALUE;
    this.timestampNtz =
        "TIMESTAMP_NTZ"
            .equalsIgnoreCase(conf(spark, "spark.sql.timestampType", "TIMESTAMP_LTZ").trim());
    this.openCostInBytes =
        JavaUtils.byteStringAsBytes(conf(spark, "spark.sql.files.openCostInBytes", "4m"));
    this.minPartitionNum = minPartitionNum(spark);
    this.maxPartitionNum = Integer.parseInt(conf(spark, "spark.sql.files.maxPartitionNum", "0"));
    String timeZone =
        options.containsKey(TIME_ZONE)
            ? options.get(TIME_ZONE)
            : conf(spark, "spark.sql.session.timeZone", java.util.TimeZone.getDefault().getID());
    this.modifiedTime =
        ModifiedTimeFilter.of(options.get(MODIFIED_BEFORE), options.get(MODIFIED_AFTER), timeZone);
    String base = options.get(BASE_PATH);
    if (base != null && base.isBlank()) {
      throw new NpyOptionException(
          "Invalid value '' for option 'basePath': give the directory above the partition"
              + " directories (column=value), or remove the option");
    }
    this.basePath = base;
    this.partitionSettings =
        new PartitionDiscovery.Settings(
            Boolean.parseBoolean(
                conf(spark, "spark.sql.sources.partitionColumnTypeInference.enabled", "true")),
            "TIMESTAMP_NTZ"
                .equalsIgnoreCase(conf(spark, "spark.sql.timestampType", "TIMESTAMP_LTZ")),
            ModifiedTimeFilter.zone(timeZone),
            Boolean.parseBoolean(conf(spark, "spark.sql.caseSensitive", "false")));
    this.parallelListingThreshold =
        Integer.parseInt(
            conf(spark, "spark.sql.sources.parallelPartitionDiscovery.threshold", "32"));
    this.listingParallelism =
        Math.max(
            1,
            Math.min(
                MAX_LISTING_THREADS,
                Integer.parseInt(
                    conf(
                        spark,
                        "spark.sql.sources.parallelPartitionDiscovery.parallelism",
                        "10000"))));
  }

  /** Listing threads at most, whatever Spark's parallelism (a driver-side pool, not a job). */
  static final int MAX_LISTING_THREADS = 64;

  /**
   * As Spark's {@code FilePartition.maxSplitBytes}: {@code spark.sql.files.minPartitionNum}, else
   * {@code spark.sql.leafNodeDefaultParallelism}, else the context's default parallelism.
   */
  private static int minPartitionNum(SparkSession spark) {
    String min = conf(spark, "spark.sql.files.minPartitionNum", null);
    if (min == null) {
      min = conf(spark, "spark.sql.leafNodeDefaultParallelism", null);
    }
    int n = min == null ? spark.sparkContext().defaultParallelism() : Integer.parseInt(min.trim());
    return Math.max(1, n);
  }

  static NpyReadOptions parse(SparkSession spark, CaseInsensitiveStringMap options) {
    return new NpyReadOptions(spark, options);
  }

  private static String conf(SparkSession spark, String key, String fallback) {
    if (!spark.conf().contains(key)) {
      return fallback;
    }
    String value = spark.conf().get(key);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  /**
   * Whether a file probed with {@code other} gives the same {@link NpyFileSpec} as with these
   * options (so a scan can reuse the headers read when its table was resolved).
   */
  boolean probesLike(NpyReadOptions other) {
    return rowAxisLast == other.rowAxisLast
        && maxHeaderBytes == other.maxHeaderBytes
        && java.util.Objects.equals(member, other.member);
  }

  /** What the tasks of a scan need of these options, to ship to the executors. */
  ReadTaskOptions forTasks() {
    return new ReadTaskOptions(
        rowAxisLast,
        batchSize,
        memoryMap,
        vectoredReads,
        maxHeaderBytes,
        ignoreCorruptFiles,
        ignoreMissingFiles);
  }
}
