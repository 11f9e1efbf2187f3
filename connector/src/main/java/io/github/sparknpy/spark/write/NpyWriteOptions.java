package io.github.sparknpy.spark.write;

import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.config.OptionValues;
import java.io.Serializable;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The writer's options, parsed and validated once on the driver (keys are case-insensitive, as in
 * Spark's file sources). Every key, its default and meaning is listed in docs/writing.md (Options).
 */
final class NpyWriteOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  /** {@code true} (default): one .npy at {@code path}; {@code false}: a directory of parts. */
  static final String MERGE = "merge";

  /**
   * {@code auto} (default): plain dtype for one column, records for several; {@code matrix}; {@code
   * columns}: a directory of row-aligned {@code .npy} files, one per column or member.
   */
  static final String LAYOUT = "layout";

  /**
   * {@code layout=columns}: the files and the columns of each, {@code X:f1,f2,f3;y:label}; default
   * one file per column, named after it.
   */
  static final String MEMBERS = "members";

  /**
   * {@code npy} or {@code npz} (one archive, a member per column or {@code members} entry); default
   * {@code npz} for a path ending in {@code .npz}, else {@code npy}.
   */
  static final String CONTAINER = "container";

  /** {@code container=npz}: {@code none} (stored, as np.savez) or {@code deflate}. */
  static final String COMPRESSION = "compression";

  /** Element dtype of a plain or matrix output, e.g. {@code <f4}; cast as Spark's cast does. */
  static final String DTYPE = "dtype";

  /** Fixed width (characters for strings, bytes for binaries) of every string/binary column. */
  static final String STRING_LENGTH = "stringLength";

  /** {@code error} (default) or {@code truncate} values longer than a fixed width. */
  static final String STRING_OVERFLOW = "stringOverflow";

  /** {@code error} (default) or {@code fill}: NaN, 0, false, empty. Null datetimes are NaT. */
  static final String NULLS = "nulls";

  /** Writes decimals other than (p≤18, 0) and (20, 0) as {@code <f8}; default false. */
  static final String ALLOW_PRECISION_LOSS = "allowPrecisionLoss";

  /**
   * Writes a header longer than numpy's {@code np.load} reads by default (10,000 characters, e.g.
   * hundreds of record columns) with a warning instead of refusing it; default false.
   */
  static final String ALLOW_LARGE_HEADER = "allowLargeHeader";

  /** Rows are converted in batches of about this many bytes per task; default 1m. */
  static final String BATCH_BYTES = "batchBytes";

  /**
   * {@code static} or {@code dynamic}: what an Overwrite of a partitioned write replaces (the whole
   * path, or only the partitions written); default {@code
   * spark.sql.sources.partitionOverwriteMode}.
   */
  static final String PARTITION_OVERWRITE_MODE = "partitionOverwriteMode";

  /**
   * Who copies the parts of a merged file on a local or shared POSIX file system at job commit:
   * {@code auto} (default: the executors for a file on a network file system written from a
   * cluster, else the driver), {@code driver} or {@code executors}.
   */
  static final String COMMIT_COPY = "commitCopy";

  final boolean merge;
  final String commitCopy;
  final boolean matrix;
  final boolean columns;
  final String members;

  /** {@code npy}, {@code npz}, or null when not given (decided by the path's extension). */
  final String container;

  /** {@code compression=deflate} of an {@code .npz}. */
  final boolean deflate;

  final String dtype;

  /** {@code dtype.<member>} of {@code layout=columns}, by member name as given (any case). */
  final Map<String, String> memberDtypes;

  final int stringLength;
  final Map<String, Integer> columnStringLengths;
  final boolean truncateStrings;
  final boolean fillNulls;
  final boolean allowPrecisionLoss;
  final boolean allowLargeHeader;
  final int batchBytes;

  NpyWriteOptions(CaseInsensitiveStringMap options) {
    this(options, true);
  }

  /**
   * @param defaultMerge {@code merge} when the option is not given: false for a managed table
   */
  NpyWriteOptions(CaseInsensitiveStringMap options, boolean defaultMerge) {
    merge = OptionValues.bool(options, MERGE, defaultMerge);
    commitCopy =
        OptionValues.choice(
            options,
            COMMIT_COPY,
            ExecutorCopy.AUTO,
            ExecutorCopy.AUTO,
            ExecutorCopy.DRIVER,
            ExecutorCopy.EXECUTORS);
    String layout = OptionValues.choice(options, LAYOUT, "auto", "auto", "matrix", "columns");
    matrix = layout.equals("matrix");
    columns = layout.equals("columns");
    container =
        options.containsKey(CONTAINER)
            ? OptionValues.choice(options, CONTAINER, "npy", "npy", "npz")
            : null;
    deflate =
        OptionValues.choice(options, COMPRESSION, "none", "none", "uncompressed", "deflate")
            .equals("deflate");
    String m = options.get(MEMBERS);
    members = m == null || m.isBlank() ? null : m;
    String d = options.get(DTYPE);
    dtype = d == null || d.isBlank() ? null : d.trim();
    Map<String, String> perMember = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    String dtypePrefix = DTYPE + ".";
    for (Map.Entry<String, String> e : options.entrySet()) {
      if (e.getKey().toLowerCase(Locale.ROOT).startsWith(dtypePrefix)
          && e.getValue() != null
          && !e.getValue().isBlank()) {
        perMember.put(e.getKey().substring(dtypePrefix.length()), e.getValue().trim());
      }
    }
    memberDtypes = Collections.unmodifiableMap(perMember);
    stringLength = OptionValues.positiveInt(options, STRING_LENGTH, -1);
    Map<String, Integer> perColumn = new TreeMap<>();
    String prefix = STRING_LENGTH.toLowerCase(Locale.ROOT) + ".";
    for (Map.Entry<String, String> e : options.entrySet()) {
      String key = e.getKey().toLowerCase(Locale.ROOT);
      if (key.startsWith(prefix)) {
        String column = e.getKey().substring(prefix.length());
        perColumn.put(
            column.toLowerCase(Locale.ROOT),
            OptionValues.positiveInt(options, e.getKey(), Integer.MAX_VALUE));
      }
    }
    columnStringLengths = Collections.unmodifiableMap(perColumn);
    truncateStrings =
        OptionValues.choice(options, STRING_OVERFLOW, "error", "error", "truncate")
            .equals("truncate");
    fillNulls = OptionValues.choice(options, NULLS, "error", "error", "fill").equals("fill");
    allowPrecisionLoss = OptionValues.bool(options, ALLOW_PRECISION_LOSS, false);
    allowLargeHeader = OptionValues.bool(options, ALLOW_LARGE_HEADER, false);
    long batch = OptionValues.positiveBytes(options, BATCH_BYTES, 1 << 20);
    if (batch > (1 << 30)) {
      throw new NpyOptionException(
          "Invalid value '"
              + options.get(BATCH_BYTES)
              + "' for option 'batchBytes': use at most 1g");
    }
    batchBytes = (int) batch;
  }

  /** These options for one member of a {@code layout=columns} write: its own layout and dtype. */
  NpyWriteOptions forMember(boolean memberMatrix, String memberDtype) {
    return new NpyWriteOptions(this, memberMatrix, memberDtype);
  }

  private NpyWriteOptions(NpyWriteOptions o, boolean memberMatrix, String memberDtype) {
    merge = true;
    commitCopy = o.commitCopy;
    matrix = memberMatrix;
    columns = false;
    members = null;
    container = "npy";
    deflate = false;
    dtype = memberDtype;
    memberDtypes = Map.of();
    stringLength = o.stringLength;
    columnStringLengths = o.columnStringLengths;
    truncateStrings = o.truncateStrings;
    fillNulls = o.fillNulls;
    allowPrecisionLoss = o.allowPrecisionLoss;
    allowLargeHeader = o.allowLargeHeader;
    batchBytes = o.batchBytes;
  }

  /** The fixed width for the string column at {@code path} (dotted, lower-cased), or -1 (auto). */
  int stringLengthFor(String path) {
    Integer w = columnStringLengths.get(path.toLowerCase(Locale.ROOT));
    return w != null ? w : stringLength;
  }
}
