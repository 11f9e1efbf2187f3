package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.spark.NpyPaths;
import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.hadoop.HadoopConfs;
import io.github.sparknpy.spark.hadoop.HadoopInputFile;
import io.github.sparknpy.spark.hadoop.SerializableHadoopConf;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.SupportsTruncate;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Plans a write on the driver, before any task runs: parses the options, maps the schema to a dtype
 * (unsupported types fail here), resolves the target and save mode, and for Append checks that the
 * DataFrame produces exactly the existing file's dtype and row shape.
 */
public final class NpyWriteBuilder implements WriteBuilder, SupportsTruncate {
  private static final int MAX_LISTINGS = 3;
  private static final Pattern PART_NAME = Pattern.compile("part-(\\d+)-.*\\.npy");

  private final SparkSession spark;
  private final CaseInsensitiveStringMap options;
  private final LogicalWriteInfo info;
  private final boolean failIfExists;
  private boolean truncate;

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

  /** Overwrite: the target is replaced at job commit (old content readable until then). */
  @Override
  public WriteBuilder truncate() {
    truncate = true;
    return this;
  }

  @Override
  public Write build() {
    NpyWriteOptions opts = new NpyWriteOptions(options);
    List<String> paths = NpyPaths.of(options);
    if (paths.size() != 1) {
      throw new NpyOptionException(
          "Cannot write to " + paths.size() + " paths " + paths + ": give exactly one path");
    }
    String tz = spark.sessionState().conf().sessionLocalTimeZone();
    boolean ansi = spark.sessionState().conf().ansiEnabled();
    WriteLayout layout = WriteLayout.of(info.schema(), opts, tz, ansi);
    Configuration conf = HadoopConfs.forOptions(spark, options);
    try {
      Path raw = new Path(paths.get(0));
      FileSystem fs = raw.getFileSystem(conf);
      boolean local = "file".equals(fs.getUri().getScheme());
      Path path = WritePaths.resolve(fs.makeQualified(raw), local);
      FileStatus status = fs.exists(path) ? fs.getFileStatus(path) : null;
      WriteTarget.Mode mode =
          truncate
              ? WriteTarget.Mode.OVERWRITE
              : status != null ? WriteTarget.Mode.APPEND : WriteTarget.Mode.CREATE;
      NpyHeader existing = null;
      int firstPart = 0;
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
      if (mode == WriteTarget.Mode.APPEND) {
        // A part deleted between the listing and the read (another write overwriting the
        // directory) is listed again; a file deleted meanwhile fails clearly.
        for (int attempt = 1; ; attempt++) {
          Path sample = path;
          firstPart = 0;
          if (!opts.merge) {
            sample = null;
            for (FileStatus s : fs.listStatus(path)) {
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
            break;
          }
          try {
            existing = readExisting(sample, local, conf);
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
          layout = pinTo(layout, opts, existing, sample);
          break;
        }
      }
      String queryId = info.queryId();
      Path staging = new Path(path.getParent(), ".npy-staging-" + queryId);
      WriteJob job =
          new WriteJob(
              layout,
              opts.fillNulls,
              opts.truncateStrings,
              opts.batchBytes,
              staging.toString(),
              local,
              new SerializableHadoopConf(conf));
      WriteTarget target =
          new WriteTarget(
              path.toString(), mode, opts.merge, failIfExists, local, queryId, existing, firstPart);
      return new NpyWrite(job, target);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot plan the npy write to " + paths.get(0), e);
    }
  }

  /**
   * The header of a file to append to, checked against its length. A local file's header and length
   * are read under the appenders' lock (shared), so a file mid-append is seen between two appends,
   * never as data its header does not count yet.
   */
  private static NpyHeader readExisting(Path file, boolean local, Configuration conf)
      throws IOException {
    long length;
    EncodedHeader h;
    Object named = file;
    if (local) {
      java.nio.file.Path localFile = java.nio.file.Path.of(file.toUri());
      named = localFile; // as 'npy recover' takes it
      try (NpyFile f = NpyFile.open(localFile)) {
        h = f.encodedHeader();
        length = f.fileLength();
      }
    } else {
      HadoopInputFile in = HadoopInputFile.fromPath(file, conf);
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

  /** Append: fixes lengths and widths to the file's, and fails unless the dtype matches exactly. */
  private static WriteLayout pinTo(
      WriteLayout layout, NpyWriteOptions opts, NpyHeader existing, Path file) {
    WriteState st = layout.newState(-1, opts.fillNulls, opts.truncateStrings);
    if (!existing.fortranOrder()) {
      layout.pin(existing, st);
    }
    WriteState probe = layout.newState(-1, opts.fillNulls, opts.truncateStrings);
    System.arraycopy(st.dims, 0, probe.dims, 0, st.dims.length);
    System.arraycopy(st.widths, 0, probe.widths, 0, st.widths.length);
    NpyHeader mine = layout.prepare(probe, existing.rowCount());
    boolean same =
        !existing.fortranOrder()
            && mine.dtype().descr().equals(existing.dtype().descr())
            && Arrays.equals(mine.rowShape(), existing.rowShape());
    if (!same) {
      throw new NpySchemaMismatchException(
          String.format(
              Locale.ROOT,
              "Cannot append to %s: it holds %s rows of shape %s%s, but the DataFrame (%s) makes"
                  + " %s rows of shape %s. Append needs exactly the same dtype and row shape:"
                  + " select and cast the columns to match (or use options dtype/stringLength),"
                  + " or write to a new path or with mode overwrite. The file was not changed",
              file,
              existing.dtype().descr(),
              shapeText(existing.rowShape()),
              existing.fortranOrder() ? " in Fortran order" : "",
              layout.describeColumns(),
              mine.dtype().descr(),
              shapeText(mine.rowShape())));
    }
    return layout.withInitial(st);
  }

  private static String shapeText(long[] rowShape) {
    StringBuilder sb = new StringBuilder("(N");
    for (long d : rowShape) {
      sb.append(", ").append(d);
    }
    return sb.append(')').toString();
  }
}
