package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.config.NpyPaths;
import io.github.sparknpy.spark.config.OptionValues;
import io.github.sparknpy.spark.hadoop.HadoopConfs;
import io.github.sparknpy.spark.hadoop.HadoopInputFile;
import io.github.sparknpy.spark.hadoop.SerializableHadoopConf;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.SupportsDynamicOverwrite;
import org.apache.spark.sql.connector.write.SupportsTruncate;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Plans a write on the driver, before any task runs: parses the options, maps the schema to a dtype
 * (unsupported types fail here), resolves the target and save mode, and for Append checks that the
 * DataFrame produces exactly the existing file's dtype and row shape.
 */
public final class NpyWriteBuilder
    implements WriteBuilder, SupportsTruncate, SupportsDynamicOverwrite {
  private static final int MAX_LISTINGS = 3;
  private static final Pattern PART_NAME = Pattern.compile("part-(\\d+)-.*\\.npy");

  private final SparkSession spark;
  private final CaseInsensitiveStringMap options;
  private final LogicalWriteInfo info;
  private final boolean failIfExists;
  private boolean truncate;
  private boolean dynamic;
  private boolean managedTable;
  private Transform[] partitioning = new Transform[0];

  /**
   * @param failIfExists CREATE TABLE AS SELECT: a file another write creates at the path before the
   *     job commits fails the commit instead of being appended to
   */
  public NpyWriteBuilder(
      SparkSession spark,
      CaseInsensitiveStringMap options,
      LogicalWriteInfo info,
      boolean failIfExists) {
    this.spark = spark;
    this.options = options;
    this.info = info;
    this.failIfExists = failIfExists;
  }

  /**
   * A managed table of the session catalog: its location is a directory the catalog made under the
   * warehouse (and deletes on DROP TABLE), written as parts ({@code merge=false}) unless option
   * {@code merge} is given or a file stands there.
   */
  public NpyWriteBuilder managedTable(boolean managed) {
    this.managedTable = managed;
    return this;
  }

  /**
   * The table's partitioning ({@code partitionBy}, {@code PARTITIONED BY}, or the partition
   * directories found at the path): identity transforms of columns, written as {@code column=value}
   * directories.
   */
  public NpyWriteBuilder partitioning(Transform[] partitioning) {
    this.partitioning = partitioning == null ? new Transform[0] : partitioning.clone();
    return this;
  }

  /** Overwrite: the target is replaced at job commit (old content readable until then). */
  @Override
  public WriteBuilder truncate() {
    truncate = true;
    return this;
  }

  /**
   * Overwrite of the partitions written only (SQL {@code INSERT OVERWRITE} of a partitioned table
   * with {@code spark.sql.sources.partitionOverwriteMode=dynamic}).
   */
  @Override
  public WriteBuilder overwriteDynamicPartitions() {
    truncate = true;
    dynamic = true;
    return this;
  }

  @Override
  public Write build() {
    List<String> paths = NpyPaths.of(options);
    if (paths.size() != 1) {
      throw new NpyOptionException(
          "Cannot write to " + paths.size() + " paths " + paths + ": give exactly one path");
    }
    Configuration conf = HadoopConfs.forOptions(spark, options);
    NpyWriteOptions opts = new NpyWriteOptions(options, defaultMerge(paths.get(0), conf));
    String tz = spark.sessionState().conf().sessionLocalTimeZone();
    boolean ansi = spark.sessionState().conf().ansiEnabled();
    PartitionSpec spec = PartitionColumns.plan(info.schema(), partitioning, paths.get(0), tz);
    boolean npz =
        "npz".equals(opts.container)
            || (opts.container == null
                && paths.get(0).toLowerCase(java.util.Locale.ROOT).endsWith(".npz"));
    checkMemberOptions(opts, npz);
    if (opts.columns || npz) {
      if (spec != null) {
        throw new NpyOptionException(
            "Cannot write "
                + (npz ? "an .npz" : "layout=columns")
                + " partitioned by "
                + String.join(", ", spec.columns())
                + " to "
                + paths.get(0)
                + ": "
                + (npz ? "an archive" : "a column set")
                + " holds all rows of its members. Drop partitionBy (or write each partition to"
                + " its own path)");
      }
      return buildColumnSet(new Path(paths.get(0)), opts, conf, tz, ansi, npz);
    }
    if (spec != null) {
      return buildPartitioned(new Path(paths.get(0)), spec, opts, conf, ansi);
    }
    WriteLayout layout = WriteLayoutPlanner.plan(info.schema(), opts, tz, ansi);
    Path raw = new Path(paths.get(0));
    FilePlanner planner = new FilePlanner(raw, layout, opts, conf);
    return new NpyWrite(
        "npy write to " + raw + (opts.merge ? "" : " (parts)"),
        () -> {
          PlannedWrite plan = planner.plan(info.queryId(), truncate);
          return new NpyBatchWrite(plan.job(), plan.target());
        },
        planner,
        truncate
            ? "Cannot write the stream to "
                + raw
                + ": the streaming sink appends each micro-batch's rows to the file; outputMode"
                + " \"complete\" would replace the file at every micro-batch. Use"
                + " outputMode(\"append\")"
            : null);
  }

  /**
   * Plans a write of one file (merge=true) or directory of parts at {@code raw}: resolves the
   * target and its save mode as it stands now and, for Append, pins the layout to what is there.
   * Run once for a batch write (when Spark asks for the batch, not at {@code build()}, so that a
   * streaming query can repair its target first) and once per micro-batch of a streaming one.
   */
  final class FilePlanner {
    private final Path raw;
    private final WriteLayout layout;
    private final NpyWriteOptions opts;
    private final Configuration conf;

    private FilePlanner(Path raw, WriteLayout layout, NpyWriteOptions opts, Configuration conf) {
      this.raw = raw;
      this.layout = layout;
      this.opts = opts;
      this.conf = conf;
    }

    NpyWriteOptions options() {
      return opts;
    }

    /** Spark's id of the query; a streaming query keeps it across restarts (checkpoint). */
    String queryId() {
      return info.queryId();
    }

    WriteLayout layout() {
      return layout;
    }

    Configuration conf() {
      return conf;
    }

    /** The qualified target (symbolic links followed), without looking at what is there. */
    Path target() {
      try {
        FileSystem fs = raw.getFileSystem(conf);
        return WritePaths.resolve(fs.makeQualified(raw), isLocal(fs));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot plan the npy write to " + raw, e);
      }
    }

    /**
     * @param queryTag names the staging directory and the published parts: the query id, and for a
     *     micro-batch its epoch too
     */
    PlannedWrite plan(String queryTag, boolean replace) {
      try {
        ResolvedTarget resolved = resolveTarget(raw, opts, conf, replace);
        Existing existing =
            resolved.mode() == WriteTarget.Mode.APPEND
                ? readExisting(resolved, opts, layout, conf)
                : new Existing(null, 0, layout);
        Path path = resolved.path();
        Path staging = new Path(path.getParent(), ".npy-staging-" + queryTag);
        WriteJob job =
            new WriteJob(
                existing.layout(),
                opts.fillNulls,
                opts.truncateStrings,
                opts.batchBytes,
                staging.toString(),
                resolved.local(),
                new SerializableHadoopConf(conf));
        if (!resolved.local() && opts.commitCopy.equals(ExecutorCopy.EXECUTORS)) {
          throw new NpyOptionException(
              ("Cannot write to %s with commitCopy=executors: the executors copy parts only into"
                      + " files on a local or shared POSIX file system (file: paths). On %s the"
                      + " commit concatenates or copies on the file system's side where it can;"
                      + " remove the option, or use commitCopy=driver to copy through the driver")
                  .formatted(path, path.toUri().getScheme()));
        }
        if (opts.merge
            && !resolved.local()
            && !opts.commitCopy.equals(ExecutorCopy.DRIVER)
            && ConcatMerge.hasConcat(path.getFileSystem(conf), path)) {
          job = job.withDataOnlyParts();
        }
        WriteTarget target =
            new WriteTarget(
                    path.toString(),
                    resolved.mode(),
                    opts.merge,
                    failIfExists,
                    resolved.local(),
                    queryTag,
                    existing.header(),
                    existing.firstPart())
                .withCommitCopy(opts.commitCopy);
        return new PlannedWrite(job, target);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot plan the npy write to " + raw, e);
      }
    }
  }

  private static boolean isLocal(FileSystem fs) {
    return "file".equals(fs.getUri().getScheme());
  }

  /**
   * A partitioned write: the root is a directory of {@code column=value} directories (a file at it
   * only an Overwrite replaces); the layout is planned for the columns that are not partition
   * columns, and for Append pinned to the first partition file found.
   */
  private Write buildPartitioned(
      Path raw, PartitionSpec spec, NpyWriteOptions opts, Configuration conf, boolean ansi) {
    StructType dataSchema = spec.dataSchema();
    WriteLayout layout = WriteLayoutPlanner.plan(dataSchema, opts, spec.timeZone(), ansi);
    try {
      FileSystem fs = raw.getFileSystem(conf);
      boolean local = "file".equals(fs.getUri().getScheme());
      Path root = WritePaths.resolve(fs.makeQualified(raw), local);
      FileStatus status = fs.exists(root) ? fs.getFileStatus(root) : null;
      WriteTarget.Mode mode =
          truncate
              ? WriteTarget.Mode.OVERWRITE
              : status != null ? WriteTarget.Mode.APPEND : WriteTarget.Mode.CREATE;
      if (status != null && status.isFile() && mode != WriteTarget.Mode.OVERWRITE) {
        throw new NpyOptionException(
            ("Cannot write npy output partitioned by %s to %s: it is a file, and a partitioned"
                    + " write makes a directory of %s=… directories there. Write with"
                    + " mode(\"overwrite\") to replace the file, or choose another path")
                .formatted(String.join(", ", spec.columns()), root, spec.columns().get(0)));
      }
      boolean dynamicMode = mode == WriteTarget.Mode.OVERWRITE && (dynamic || dynamicOption());
      WriteLayout pinned = layout;
      NpyHeader existingHeader = null;
      if (mode == WriteTarget.Mode.APPEND) {
        Path sample = firstPartitionFile(fs, root, spec.columns().size(), opts.merge);
        if (sample != null) {
          existingHeader = readAppendHeader(sample, local, conf);
          pinned = WriteLayoutPlanner.pinTo(layout, opts, existingHeader, sample);
        }
      }
      boolean batchGiven = options.containsKey(NpyWriteOptions.BATCH_BYTES);
      WriteJob job =
          new WriteJob(
              pinned,
              opts.fillNulls,
              opts.truncateStrings,
              // one batch buffer per partition directory a task meets
              batchGiven ? opts.batchBytes : Math.min(opts.batchBytes, PARTITION_BATCH_BYTES),
              new Path(root.getParent(), ".npy-staging-" + info.queryId()).toString(),
              local,
              new SerializableHadoopConf(conf),
              spec);
      WriteTarget target =
          new WriteTarget(
              root.toString(),
              mode,
              opts.merge,
              failIfExists,
              local,
              info.queryId(),
              existingHeader,
              0,
              spec.columns(),
              dynamicMode);
      PlannedWrite planned = new PlannedWrite(job, target);
      return new NpyWrite(
          "npy write to " + root + " partitioned by " + String.join(", ", spec.columns()),
          () -> new NpyBatchWrite(planned.job(), planned.target()),
          null,
          "Cannot write the stream to "
              + root
              + ": the streaming sink appends to one .npy file or directory of parts, not to"
              + " partition directories (partitionBy, or key=value directories found at the"
              + " path). Write the stream without partitionBy, to a path without partition"
              + " directories");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot plan the npy write to " + raw, e);
    }
  }

  /** Options of member sets (columns layout, .npz) given to another write, and the reverse. */
  private void checkMemberOptions(NpyWriteOptions opts, boolean npz) {
    boolean set = opts.columns || npz;
    if (!set && opts.members != null) {
      throw new NpyOptionException(
          "Option members applies to layout=columns (one .npy file per member) and to .npz"
              + " archives: add option(\"layout\", \"columns\") or option(\"container\","
              + " \"npz\"), or remove members");
    }
    if (!set && !opts.memberDtypes.isEmpty()) {
      throw new NpyOptionException(
          "Options dtype.<member> ("
              + String.join(", ", opts.memberDtypes.keySet())
              + ") apply to layout=columns and .npz archives: use option dtype for a single file");
    }
    if (set && opts.dtype != null) {
      // a .npz path decides this too, so it is checked here and not with the options
      throw new NpyOptionException(
          "Cannot apply option dtype="
              + opts.dtype
              + " to layout=columns or an .npz: give each member its own, dtype.<member> (e.g."
              + " option(\"dtype.X\", \"<f2\")), as the members' columns differ");
    }
    if (!npz && opts.deflate) {
      throw new NpyOptionException(
          "Option compression=deflate applies to .npz archives (container=npz or a path ending"
              + " in .npz): .npy files are uncompressed, so that numpy can memory-map them");
    }
    if (npz && opts.matrix) {
      throw new NpyOptionException(
          "Cannot write an .npz with layout=matrix: an archive holds one member per column, or"
              + " per group of option members, and a group of several columns is stacked as a"
              + " matrix (members=X:a,b,c)");
    }
  }

  /**
   * {@code layout=columns}: one {@code .npy} per member in a directory, with a manifest; or (npz)
   * the same members in one archive. Written by one job; the target is resolved when Spark asks for
   * the batch.
   */
  private Write buildColumnSet(
      Path raw, NpyWriteOptions opts, Configuration conf, String tz, boolean ansi, boolean npz) {
    if (options.containsKey(NpyWriteOptions.MERGE) && !opts.merge) {
      throw new NpyOptionException(
          "Cannot write "
              + (npz ? "an .npz" : "layout=columns")
              + " with merge=false: each member is one .npy array. Remove option merge");
    }
    List<ColumnSetPlanner.Member> members = ColumnSetPlanner.plan(info.schema(), opts, tz, ansi);
    List<String> names = members.stream().map(ColumnSetPlanner.Member::name).toList();
    return new NpyWrite(
        (npz ? "npz archive at " : "npy column set at ")
            + raw
            + " ("
            + String.join(", ", names)
            + ")",
        () -> planColumnSet(raw, members, opts, conf, npz),
        null,
        "Cannot write the stream to "
            + raw
            + ": "
            + (npz ? "an .npz archive" : "layout=columns")
            + " publishes all members at once, and a streaming sink appends to one .npy file or"
            + " directory of parts. Write each micro-batch with foreachBatch, or write .npy");
  }

  private ColumnSetBatchWrite planColumnSet(
      Path raw,
      List<ColumnSetPlanner.Member> members,
      NpyWriteOptions opts,
      Configuration conf,
      boolean npz) {
    try {
      FileSystem fs = raw.getFileSystem(conf);
      boolean local = isLocal(fs);
      Path root = WritePaths.resolve(fs.makeQualified(raw), local);
      if (!truncate && fs.exists(root)) {
        throw new NpyWriteException(
            failIfExists
                ? ("Cannot create %s: another write created it while this job was planned, and"
                        + " the save mode (ErrorIfExists or Ignore) does not replace an existing"
                        + " path. Nothing was written")
                    .formatted(root)
                : ("Cannot append to %s with %s: its members are published together, and an"
                        + " Append would have to extend every member in step. Write with"
                        + " mode(\"overwrite\") to replace it, or write the new rows to another"
                        + " path. Nothing was written")
                    .formatted(root, npz ? "an .npz archive" : "layout=columns"));
      }
      Path staging = new Path(root.getParent(), ".npy-staging-" + info.queryId());
      List<ColumnSetJob.MemberJob> jobs = new java.util.ArrayList<>();
      SerializableHadoopConf hadoopConf = new SerializableHadoopConf(conf);
      boolean dataOnly =
          !local && !opts.commitCopy.equals(ExecutorCopy.DRIVER) && ConcatMerge.hasConcat(fs, root);
      for (int i = 0; i < members.size(); i++) {
        ColumnSetPlanner.Member m = members.get(i);
        WriteJob job =
            new WriteJob(
                m.layout(),
                opts.fillNulls,
                opts.truncateStrings,
                opts.batchBytes,
                new Path(staging, "m" + i).toString(),
                local,
                hadoopConf);
        if (dataOnly) {
          job = job.withDataOnlyParts();
        }
        jobs.add(new ColumnSetJob.MemberJob(m.name(), m.ordinals(), job));
      }
      WriteTarget target =
          new WriteTarget(
                  root.toString(),
                  truncate ? WriteTarget.Mode.OVERWRITE : WriteTarget.Mode.CREATE,
                  true,
                  failIfExists,
                  local,
                  info.queryId(),
                  null,
                  0)
              .withCommitCopy(opts.commitCopy);
      return new ColumnSetBatchWrite(
          new ColumnSetJob(staging.toString(), info.schema(), jobs, npz, opts.deflate), target);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot plan the npy write to " + raw, e);
    }
  }

  /** Spark's session default of option {@code partitionOverwriteMode}. */
  private static final String PARTITION_OVERWRITE_MODE_CONF =
      "spark.sql.sources.partitionOverwriteMode";

  /** Batch buffer of each partition directory's writer in a task, unless batchBytes is given. */
  private static final int PARTITION_BATCH_BYTES = 256 << 10;

  /**
   * Whether an Overwrite ({@code df.write.mode("overwrite")}, which Spark hands to the source as a
   * truncation) replaces only the partitions written: option {@code partitionOverwriteMode}, else
   * {@code spark.sql.sources.partitionOverwriteMode}, as Spark's file sources decide.
   */
  private boolean dynamicOption() {
    String session =
        spark
            .conf()
            .get(PARTITION_OVERWRITE_MODE_CONF, "static")
            .toLowerCase(java.util.Locale.ROOT);
    return OptionValues.choice(
            options,
            NpyWriteOptions.PARTITION_OVERWRITE_MODE,
            "dynamic".equals(session) ? "dynamic" : "static",
            "static",
            "dynamic")
        .equals("dynamic");
  }

  /**
   * The first partition file under {@code root} ({@code depth} directory levels down, in name
   * order): {@value PartitionPaths#MERGED_FILE} for merge=true, a part file for merge=false.
   */
  private static Path firstPartitionFile(FileSystem fs, Path root, int depth, boolean merge)
      throws IOException {
    List<Path> dirs = List.of(root);
    for (int level = 0; level < depth; level++) {
      List<Path> next = new java.util.ArrayList<>();
      for (Path d : dirs) {
        FileStatus[] children;
        try {
          children = fs.listStatus(d);
        } catch (FileNotFoundException e) {
          continue;
        }
        java.util.Arrays.sort(children);
        for (FileStatus s : children) {
          String name = s.getPath().getName();
          if (s.isDirectory() && name.indexOf('=') > 0 && !name.startsWith(".")) {
            next.add(s.getPath());
          }
        }
      }
      dirs = next;
    }
    for (Path d : dirs) {
      FileStatus[] children;
      try {
        children = fs.listStatus(d);
      } catch (FileNotFoundException e) {
        continue;
      }
      java.util.Arrays.sort(children);
      for (FileStatus s : children) {
        String name = s.getPath().getName();
        if (s.isFile()
            && (merge
                ? name.equals(PartitionPaths.MERGED_FILE)
                : PART_NAME.matcher(name).matches())) {
          return s.getPath();
        }
      }
    }
    return null;
  }

  /** The header of a partition file an Append must match; unreadable ones fail as for files. */
  private static NpyHeader readAppendHeader(Path sample, boolean local, Configuration conf)
      throws IOException {
    try {
      return readHeader(sample, local, conf);
    } catch (NpyNeedsRecoveryException e) {
      throw e;
    } catch (NpyFormatException e) {
      throw new NpyWriteException(
          ("Cannot append to %s: %s. An Append adds rows after the ones in the file, so it needs"
                  + " a .npy header it can read and extend; write with mode(\"overwrite\") to"
                  + " replace the directory, or choose another path. Nothing was written")
              .formatted(sample, e.getMessage()),
          e);
    }
  }

  /** {@code merge} when not given: true, but false for a managed table (unless a file is there). */
  private boolean defaultMerge(String path, Configuration conf) {
    if (!managedTable || options.containsKey(NpyWriteOptions.MERGE)) {
      return true;
    }
    Path p = new Path(path);
    try {
      return p.getFileSystem(conf).getFileStatus(p).isFile();
    } catch (FileNotFoundException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot plan the npy write to " + path, e);
    }
  }

  /** The qualified target, its file system, and the save mode it gets by what is there now. */
  private record ResolvedTarget(Path path, FileSystem fs, boolean local, WriteTarget.Mode mode) {}

  /**
   * For Append: the existing header the new rows must match (of the first part file for
   * merge=false; null for a directory without parts), the first free part number, and the layout
   * pinned to the header.
   */
  private record Existing(NpyHeader header, int firstPart, WriteLayout layout) {}

  /**
   * Qualifies the path (symlinks and ':' names as {@link WritePaths} resolves them), looks at what
   * is there now and derives the save mode; fails when merge does not fit a file or directory
   * found.
   */
  private ResolvedTarget resolveTarget(
      Path raw, NpyWriteOptions opts, Configuration conf, boolean replace) throws IOException {
    FileSystem fs = raw.getFileSystem(conf);
    boolean local = isLocal(fs);
    Path path = WritePaths.resolve(fs.makeQualified(raw), local);
    FileStatus status = fs.exists(path) ? fs.getFileStatus(path) : null;
    if (status != null && failIfExists && !replace) {
      // Spark found the path free when it chose to create it; another write created it since
      throw new NpyWriteException(
          ("Cannot create %s: another write created it while this job was planned, and the save"
                  + " mode (ErrorIfExists or Ignore) does not replace or extend an existing path."
                  + " Nothing was written; run the write again with mode append or overwrite if"
                  + " intended")
              .formatted(path));
    }
    WriteTarget.Mode mode =
        replace
            ? WriteTarget.Mode.OVERWRITE
            : status != null ? WriteTarget.Mode.APPEND : WriteTarget.Mode.CREATE;
    if (opts.merge && status != null && status.isDirectory() && managedTable) {
      throw new NpyOptionException(
          "Cannot write the managed npy table at "
              + path
              + " with merge=true: a table created without LOCATION is a directory of part files"
              + " under the warehouse, as Parquet's are. Drop option merge, or create the table"
              + " with LOCATION '/path/to/file.npy' to have one .npy file");
    }
    if (opts.merge && status != null && status.isDirectory()) {
      throw new NpyOptionException(
          "Cannot "
              + (mode == WriteTarget.Mode.APPEND ? "append to " : "overwrite ")
              + path
              + " with merge=true: it is a directory (written with merge=false?), and merge=true"
              + " writes one .npy file. Write with option merge=false, or choose a file path");
    }
    if (!opts.merge && status != null && status.isFile() && mode == WriteTarget.Mode.APPEND) {
      throw new NpyOptionException(
          "Cannot append part files to "
              + path
              + " (merge=false): it is a file. Append with merge=true, or choose a directory");
    }
    return new ResolvedTarget(path, fs, local, mode);
  }

  /**
   * Append: reads the header of the file (merge=true) or of the first part file (merge=false) and
   * pins {@code layout} to it.
   */
  private static Existing readExisting(
      ResolvedTarget resolved, NpyWriteOptions opts, WriteLayout layout, Configuration conf)
      throws IOException {
    Path path = resolved.path();
    // A part deleted between the listing and the read (another write overwriting the
    // directory) is listed again; a file deleted meanwhile fails clearly.
    for (int attempt = 1; ; attempt++) {
      Path sample = path;
      int firstPart = 0;
      if (!opts.merge) {
        sample = null;
        for (FileStatus s : resolved.fs().listStatus(path)) {
          Matcher m = PART_NAME.matcher(s.getPath().getName());
          if (s.isFile() && m.matches()) {
            firstPart = Math.max(firstPart, Integer.parseInt(m.group(1)) + 1);
            if (sample == null || s.getPath().getName().compareTo(sample.getName()) < 0) {
              sample = s.getPath();
            }
          }
        }
      }
      if (sample == null) {
        return new Existing(null, firstPart, layout);
      }
      NpyHeader existing;
      try {
        existing = readHeader(sample, resolved.local(), conf);
      } catch (NpyNeedsRecoveryException e) {
        throw e;
      } catch (NpyFormatException e) {
        throw new NpyWriteException(
            ("Cannot append to %s: %s. An Append adds rows after the ones in the file, so it needs"
                    + " a .npy header it can read and extend; write with mode(\"overwrite\") to"
                    + " replace the file, or choose another path. Nothing was written")
                .formatted(sample, e.getMessage()),
            e);
      } catch (FileNotFoundException | NoSuchFileException e) {
        if (opts.merge || attempt == MAX_LISTINGS) {
          throw new NpyWriteException(
              ("Cannot append to %s: %s was deleted while this write was planned (another"
                      + " write replacing or overwriting it?). Nothing was written; run the"
                      + " write again")
                  .formatted(path, sample),
              e);
        }
        continue;
      }
      return new Existing(
          existing, firstPart, WriteLayoutPlanner.pinTo(layout, opts, existing, sample));
    }
  }

  /**
   * The header of a file to append to, checked against its length. A local file whose length and
   * header disagree is read again under the appenders' lock, so a file mid-append is seen between
   * two appends, never as data its header does not count yet.
   */
  private static NpyHeader readHeader(Path file, boolean local, Configuration conf)
      throws IOException {
    long length;
    EncodedHeader h;
    Object named = file;
    if (local) {
      java.nio.file.Path localFile = java.nio.file.Path.of(file.toUri());
      named = localFile; // as 'npy recover' takes it
      try (NpyFile f = NpyFile.openBetweenAppends(localFile)) {
        h = f.encodedHeader();
        length = f.fileLength();
      }
    } else {
      HadoopInputFile in = HadoopInputFile.fromPath(file, conf).forFewReads();
      h = EncodedHeader.read(in);
      length = in.getLength();
    }
    NpyHeader header = h.header();
    if (length - h.dataOffset() != header.dataBytes()) {
      throw NpyNeedsRecoveryException.beforeAppend(
          named, header.dataBytes(), length - h.dataOffset());
    }
    return header;
  }
}
