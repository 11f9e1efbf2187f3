package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.DType;
import io.github.sparknpy.npy.EncodedHeader;
import io.github.sparknpy.npy.NpyException;
import io.github.sparknpy.npy.NpyFormatException;
import io.github.sparknpy.npy.NpyHeader;
import io.github.sparknpy.npy.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.RecordDType;
import io.github.sparknpy.npy.io.ByteArrayInputFile;
import io.github.sparknpy.npy.io.SeekableInputStream;
import io.github.sparknpy.spark.NpyPaths;
import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.hadoop.HadoopConfs;
import io.github.sparknpy.spark.hadoop.HadoopInputFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobFilter;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a read and the schema their headers give, built on the driver: Hadoop listing
 * (hidden {@code _}/{@code .} names skipped, {@code pathGlobFilter}, {@code recursiveFileLookup},
 * sorted by path), then one small ranged read per file for its header, in parallel for many files.
 * Data pages are never read here.
 */
final class NpyFileIndex {
  private static final Logger LOG = LoggerFactory.getLogger(NpyFileIndex.class);
  private static final int PARALLEL_THRESHOLD = 8;
  private static final int MAX_THREADS = 16;

  final NpyReadOptions options;
  final Configuration conf;
  final List<NpyFileSpec> files;
  final StructType schema;
  final Map<String, ColumnSource> columns;

  private NpyFileIndex(
      NpyReadOptions options,
      Configuration conf,
      List<NpyFileSpec> files,
      StructType schema,
      Map<String, ColumnSource> columns) {
    this.options = options;
    this.conf = conf;
    this.files = files;
    this.schema = schema;
    this.columns = columns;
  }

  /**
   * Lists and probes the files. Returns null when no path exists and {@code requireExisting} is
   * false (a write target); when paths exist but hold no file, the index has no files and an empty
   * schema.
   */
  static NpyFileIndex build(
      SparkSession spark, CaseInsensitiveStringMap rawOptions, boolean requireExisting) {
    NpyReadOptions options = NpyReadOptions.parse(spark, rawOptions);
    Configuration conf = HadoopConfs.forOptions(spark, rawOptions);
    List<String> paths = NpyPaths.of(rawOptions);
    List<FileStatus> statuses;
    try {
      statuses = list(paths, conf, options, requireExisting);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + String.join(", ", paths), e);
    }
    if (statuses == null) {
      return null;
    }
    List<NpyFileSpec> files = probeAll(statuses, conf, options);
    if (files.isEmpty()) {
      return new NpyFileIndex(options, conf, files, new StructType(), Map.of());
    }
    checkSameLayout(files, options);
    Map<String, ColumnSource> columns = new LinkedHashMap<>();
    StructType schema = schemaOf(files.get(0), options, columns);
    return new NpyFileIndex(options, conf, files, schema, columns);
  }

  // ---------------------------------------------------------------- listing

  private static List<FileStatus> list(
      List<String> paths, Configuration conf, NpyReadOptions options, boolean requireExisting)
      throws IOException {
    GlobFilter filter =
        options.pathGlobFilter == null ? null : new GlobFilter(options.pathGlobFilter);
    TreeMap<String, FileStatus> found = new TreeMap<>();
    List<String> missing = new ArrayList<>();
    boolean anyExists = false;
    for (String p : paths) {
      Path path = new Path(p);
      FileSystem fs = path.getFileSystem(conf);
      FileStatus[] matches;
      if (isGlob(p)) {
        matches = fs.globStatus(path);
      } else {
        try {
          matches = new FileStatus[] {fs.getFileStatus(path)};
        } catch (FileNotFoundException e) {
          matches = null;
        }
      }
      if (matches == null || matches.length == 0) {
        missing.add(fs.makeQualified(path).toString());
        continue;
      }
      anyExists = true;
      for (FileStatus st : matches) {
        if (st.isDirectory()) {
          addDirectory(fs, st, filter, options.recursiveFileLookup, found);
        } else if (filter == null || filter.accept(st.getPath())) {
          found.put(st.getPath().toString(), st);
        }
      }
    }
    if (!anyExists && !requireExisting) {
      return null;
    }
    if (!missing.isEmpty()) {
      throw new NpyPathException(
          "Path does not exist: "
              + String.join(", ", missing)
              + (paths.size() > 1 ? " (of the paths " + String.join(", ", paths) + ")" : ""));
    }
    return new ArrayList<>(found.values());
  }

  private static boolean isGlob(String p) {
    for (char c : new char[] {'*', '?', '[', '{'}) {
      if (p.indexOf(c) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static void addDirectory(
      FileSystem fs,
      FileStatus dir,
      GlobFilter filter,
      boolean recursive,
      Map<String, FileStatus> found)
      throws IOException {
    for (FileStatus st : fs.listStatus(dir.getPath())) {
      String name = st.getPath().getName();
      if (name.startsWith("_") || name.startsWith(".")) {
        continue;
      }
      if (st.isDirectory()) {
        if (recursive) {
          addDirectory(fs, st, filter, true, found);
        }
      } else if (filter == null || filter.accept(st.getPath())) {
        found.put(st.getPath().toString(), st);
      }
    }
  }

  // ---------------------------------------------------------------- headers

  private static List<NpyFileSpec> probeAll(
      List<FileStatus> statuses, Configuration conf, NpyReadOptions options) {
    List<NpyFileSpec> out = new ArrayList<>(statuses.size());
    if (statuses.size() < PARALLEL_THRESHOLD) {
      for (FileStatus st : statuses) {
        NpyFileSpec spec = probeOrSkip(st, conf, options);
        if (spec != null) {
          out.add(spec);
        }
      }
      return out;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(MAX_THREADS, statuses.size()),
            r -> {
              Thread t = new Thread(r, "npy-header-reader");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<NpyFileSpec>> futures = new ArrayList<>();
      for (FileStatus st : statuses) {
        futures.add(pool.submit(() -> probeOrSkip(st, conf, options)));
      }
      for (Future<NpyFileSpec> f : futures) {
        NpyFileSpec spec = f.get();
        if (spec != null) {
          out.add(spec);
        }
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NpyException("Interrupted while reading .npy headers", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new NpyException(cause.getMessage(), cause);
    } finally {
      pool.shutdownNow();
    }
  }

  private static NpyFileSpec probeOrSkip(
      FileStatus st, Configuration conf, NpyReadOptions options) {
    try {
      return probe(st, conf, options);
    } catch (FileNotFoundException e) {
      if (options.ignoreMissingFiles) {
        LOG.warn("Skipped missing file {}", st.getPath());
        return null;
      }
      throw new UncheckedIOException("Cannot read " + st.getPath(), e);
    } catch (IOException | NpyFormatException | NpyNeedsRecoveryException e) {
      if (options.ignoreCorruptFiles) {
        LOG.warn("Skipped corrupt file {} (ignoreCorruptFiles): {}", st.getPath(), e.getMessage());
        return null;
      }
      if (e instanceof IOException io) {
        throw new UncheckedIOException("Cannot read " + st.getPath() + ": " + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
  }

  static NpyFileSpec probe(FileStatus st, Configuration conf, NpyReadOptions options)
      throws IOException {
    HadoopInputFile file = HadoopInputFile.fromStatus(st, conf);
    String path = st.getPath().toString();
    boolean npz = st.getPath().getName().toLowerCase(Locale.ROOT).endsWith(".npz");
    List<NpyPart> parts = new ArrayList<>();
    if (!npz) {
      if (options.member != null) {
        throw new NpyOptionException(
            "Cannot read member '"
                + options.member
                + "' of "
                + path
                + ": option member applies to .npz archives and this is a .npy file;"
                + " remove the option or read the archives only (e.g. pathGlobFilter=*.npz)");
      }
      EncodedHeader h = EncodedHeader.read(file, options.maxHeaderBytes);
      checkLength(path, h.header(), st.getLen() - h.dataOffset());
      parts.add(NpyPart.of(null, path, h.header(), false, 0, 0, h.dataOffset()));
    } else {
      try (SeekableInputStream in = file.newStream()) {
        List<NpzDirectory.Member> members = NpzDirectory.read(in, st.getLen(), path);
        List<String> names = new ArrayList<>();
        for (NpzDirectory.Member m : members) {
          if (!m.name().endsWith(".npy")) {
            continue;
          }
          String column = m.name().substring(0, m.name().length() - 4);
          names.add(column);
          if (options.member != null && !options.member.equals(column)) {
            continue;
          }
          parts.add(probeMember(in, path, column, m, options));
        }
        if (options.member != null && parts.isEmpty()) {
          throw new NpyOptionException(
              "Cannot read member '"
                  + options.member
                  + "' of "
                  + path
                  + ": the archive holds "
                  + (names.isEmpty() ? "no .npy members" : String.join(", ", names))
                  + ". Set option member to one of these");
        }
        if (parts.isEmpty()) {
          throw new NpyFormatException(
              "Cannot read " + path + ": the archive holds no .npy member");
        }
      }
    }
    long rowCount = -1;
    long rowBytes = 0;
    for (NpyPart part : parts) {
      SparkTypes.of(part.dtype(), part.location()); // an unsupported dtype fails here, per file
      RowGeometry g = part.geometry(options.rowAxisLast);
      if (rowCount >= 0 && g.rowCount != rowCount) {
        StringBuilder lengths = new StringBuilder();
        for (NpyPart q : parts) {
          lengths
              .append(lengths.length() == 0 ? "" : ", ")
              .append(q.column())
              .append(".npy: ")
              .append(q.geometry(options.rowAxisLast).rowCount);
        }
        throw new NpyFormatException(
            "Cannot read "
                + path
                + ": its members have different lengths along the row axis ("
                + lengths
                + "); every member becomes a column, so they must have the same number of rows."
                + " Read one of them with option member");
      }
      rowCount = g.rowCount;
      rowBytes += g.rowBytes;
    }
    return new NpyFileSpec(path, st.getLen(), List.copyOf(parts), rowCount, rowBytes);
  }

  private static NpyPart probeMember(
      SeekableInputStream in,
      String path,
      String column,
      NpzDirectory.Member m,
      NpyReadOptions options)
      throws IOException {
    String location = path + "[" + m.name() + "]";
    String columnName = options.member != null ? null : column;
    if (m.method() == NpzDirectory.STORED) {
      EncodedHeader h =
          EncodedHeader.read(
              new OffsetStream(in, m.dataOffset()),
              m.uncompressedSize(),
              location,
              options.maxHeaderBytes);
      checkLength(location, h.header(), m.uncompressedSize() - h.dataOffset());
      return NpyPart.of(
          columnName, location, h.header(), false, 0, 0, m.dataOffset() + h.dataOffset());
    }
    // Inflate 4 KiB; only a longer header (its length field says so) needs a second, exact pass.
    long limit = Math.min(m.uncompressedSize(), (long) options.maxHeaderBytes + 16);
    byte[] prefix = inflatePrefix(in, m, (int) Math.min(limit, 4096), location);
    if (prefix.length >= 12 && prefix[6] >= 1 && prefix[6] <= 3) {
      long needed =
          prefix[6] == 1
              ? 10 + ((prefix[8] & 0xff) | (prefix[9] & 0xff) << 8)
              : 12
                  + (ByteBuffer.wrap(prefix, 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()
                      & 0xffffffffL);
      if (needed > prefix.length && prefix.length < limit) {
        prefix = inflatePrefix(in, m, (int) Math.min(limit, needed), location);
      }
    }
    EncodedHeader h;
    try (SeekableInputStream s = new ByteArrayInputFile(prefix, location).newStream()) {
      h = EncodedHeader.read(s, m.uncompressedSize(), location, options.maxHeaderBytes);
    }
    checkLength(location, h.header(), m.uncompressedSize() - h.dataOffset());
    return NpyPart.of(
        columnName, location, h.header(), true, m.dataOffset(), m.compressedSize(), h.dataOffset());
  }

  private static byte[] inflatePrefix(
      SeekableInputStream in, NpzDirectory.Member m, int len, String location) throws IOException {
    byte[] out = new byte[len];
    Inflater inflater = new Inflater(true);
    try {
      byte[] chunk = new byte[64 * 1024];
      long pos = m.dataOffset();
      long end = m.dataOffset() + m.compressedSize();
      int filled = 0;
      while (filled < len) {
        if (inflater.needsInput()) {
          if (pos >= end) {
            throw new NpyFormatException(
                "Cannot read " + location + ": the compressed member ends before its header");
          }
          int n = (int) Math.min(chunk.length, end - pos);
          in.readFully(pos, ByteBuffer.wrap(chunk, 0, n));
          pos += n;
          inflater.setInput(chunk, 0, n);
        }
        int got = inflater.inflate(out, filled, len - filled);
        filled += got;
        if (got == 0 && inflater.finished()) {
          break;
        }
      }
      return filled == len ? out : Arrays.copyOf(out, filled);
    } catch (DataFormatException e) {
      throw new NpyFormatException(
          "Cannot read " + location + ": the deflate stream is corrupt (" + e.getMessage() + ")",
          e);
    } finally {
      inflater.end();
    }
  }

  static void checkLength(String location, NpyHeader header, long available) {
    if (available < header.dataBytes()) {
      throw truncated(location, header, available);
    }
  }

  static NpyNeedsRecoveryException truncated(String location, NpyHeader header, long available) {
    return new NpyNeedsRecoveryException(
        "Cannot read "
            + location
            + ": its header says shape "
            + Arrays.toString(header.shape())
            + " ("
            + header.dataBytes()
            + " bytes of data) but only "
            + Math.max(0, available)
            + " bytes of data are there. The file is truncated (e.g. a writer stopped early): run"
            + " 'npy recover "
            + location
            + "' to keep the complete rows, or set ignoreCorruptFiles=true to skip it");
  }

  // ---------------------------------------------------------------- schema

  private static void checkSameLayout(List<NpyFileSpec> files, NpyReadOptions options) {
    NpyFileSpec first = files.get(0);
    for (NpyFileSpec other : files.subList(1, files.size())) {
      String why = difference(first, other, options);
      if (why != null) {
        throw new NpyFormatException(
            "Cannot read "
                + first.path()
                + " and "
                + other.path()
                + " together: "
                + why
                + ". Files read together must have the same dtype and the same shape apart from"
                + " the row axis; read them separately. Headers: "
                + headers(first)
                + " and "
                + headers(other));
      }
    }
  }

  private static String headers(NpyFileSpec f) {
    StringBuilder sb = new StringBuilder();
    for (NpyPart p : f.parts()) {
      sb.append(sb.length() == 0 ? "" : "; ")
          .append(p.column() == null ? "" : p.column() + ".npy: ")
          .append(p.header());
    }
    return sb.toString();
  }

  private static String difference(NpyFileSpec a, NpyFileSpec b, NpyReadOptions options) {
    if (a.parts().size() != b.parts().size()) {
      return "they hold " + a.parts().size() + " and " + b.parts().size() + " arrays";
    }
    for (int i = 0; i < a.parts().size(); i++) {
      NpyPart p = a.parts().get(i);
      NpyPart q = b.parts().get(i);
      if (p.column() != null && !p.column().equals(q.column())) {
        return "member " + p.column() + ".npy faces member " + q.column() + ".npy";
      }
      DType dp = p.dtype();
      DType dq = q.dtype();
      if (!dp.isEquivalent(dq)) {
        return "dtypes " + dp.descr() + " and " + dq.descr() + " differ";
      }
      long[] sp = p.geometry(options.rowAxisLast).rowShape;
      long[] sq = q.geometry(options.rowAxisLast).rowShape;
      if (!Arrays.equals(sp, sq) || p.shape().length != q.shape().length) {
        return "shapes "
            + Arrays.toString(p.shape())
            + " and "
            + Arrays.toString(q.shape())
            + " differ apart from the row axis";
      }
    }
    return null;
  }

  private static StructType schemaOf(
      NpyFileSpec file, NpyReadOptions options, Map<String, ColumnSource> columns) {
    List<StructField> fields = new ArrayList<>();
    List<NpyPart> parts = file.parts();
    boolean npz = parts.get(0).column() != null;
    if (options.matrix && npz) {
      throw new NpyOptionException(
          "Cannot use layout=matrix on "
              + file.path()
              + ": it is a .npz archive; add option member to read one of its arrays as a matrix");
    }
    for (int i = 0; i < parts.size(); i++) {
      NpyPart part = parts.get(i);
      DType dtype = part.dtype();
      RowGeometry g = part.geometry(options.rowAxisLast);
      DataType element = SparkTypes.of(dtype, part.location());
      if (npz) {
        fields.add(
            new StructField(
                part.column(),
                SparkTypes.arrays(g.rowShape, 0, element, SparkTypes.nullable(dtype)),
                SparkTypes.nullable(dtype),
                Metadata.empty()));
        columns.put(part.column(), new ColumnSource(i, -1, null));
      } else if (options.matrix) {
        if (part.shape().length != 2 || dtype instanceof RecordDType) {
          throw new NpyOptionException(
              "Cannot use layout=matrix on "
                  + part.location()
                  + ": it needs a 2-D array of a plain dtype, the file has shape "
                  + Arrays.toString(part.shape())
                  + " and dtype "
                  + dtype.descr()
                  + ". Use layout=auto");
        }
        for (int c = 0; c < g.combos; c++) {
          String name = "_" + c;
          fields.add(new StructField(name, element, SparkTypes.nullable(dtype), Metadata.empty()));
          columns.put(name, new ColumnSource(i, c, null));
        }
      } else if (dtype instanceof RecordDType) {
        for (StructField f : ((StructType) element).fields()) {
          fields.add(
              new StructField(
                  f.name(),
                  SparkTypes.arrays(g.rowShape, 0, f.dataType(), f.nullable()),
                  f.nullable(),
                  Metadata.empty()));
          columns.put(f.name(), new ColumnSource(i, -1, f.name()));
        }
      } else {
        fields.add(
            new StructField(
                "value",
                SparkTypes.arrays(g.rowShape, 0, element, SparkTypes.nullable(dtype)),
                SparkTypes.nullable(dtype),
                Metadata.empty()));
        columns.put("value", new ColumnSource(i, -1, null));
      }
    }
    return SparkTypes.struct(fields);
  }

  /** A stream whose position 0 is {@code base} in another stream (a stored zip member). */
  private static final class OffsetStream extends SeekableInputStream {
    private final SeekableInputStream in;
    private final long base;

    OffsetStream(SeekableInputStream in, long base) {
      this.in = in;
      this.base = base;
    }

    @Override
    public long getPos() throws IOException {
      return in.getPos() - base;
    }

    @Override
    public void seek(long newPos) throws IOException {
      in.seek(base + newPos);
    }

    @Override
    public int read(ByteBuffer buf) throws IOException {
      return in.read(buf);
    }

    @Override
    public void close() {
      // the archive's stream is closed by its owner
    }
  }
}
