package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.error.NpyException;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.io.ByteArrayInputFile;
import io.github.sparknpy.npy.io.SeekableInputStream;
import io.github.sparknpy.spark.config.NpyOptionException;
import io.github.sparknpy.spark.hadoop.HadoopInputFile;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the header of each file, on a small driver thread pool when there are many: one ranged read
 * per {@code .npy}; for a {@code .npz}, its zip directory and each member's header (a deflated
 * member's header is inflated from its first bytes). Data pages are never read. Unreadable files
 * are skipped with a warning under {@code ignoreCorruptFiles}.
 */
final class NpyFileProbe {
  private static final Logger LOG = LoggerFactory.getLogger(NpyFileProbe.class);
  private static final int PARALLEL_THRESHOLD = 8;
  private static final int MAX_THREADS = 16;

  /** Header reads of a local file that changed while it was read, before taking the last one. */
  private static final int PROBE_ATTEMPTS = 3;

  private NpyFileProbe() {}

  /**
   * Whether {@code listed} is still the file {@code spec} was read from: a listing's millisecond
   * modification time cannot tell apart two files written in the same millisecond (a file renamed
   * over another of the same length), so local files are compared by inode and nanosecond time too
   * (one status call), other file systems by the listed status (etag where it has one).
   */
  private static boolean sameFile(NpyFileSpec spec, FileStatus listed) {
    if (spec.identity() == null) {
      return false;
    }
    try {
      return spec.identity().unchanged(FileIdentity.of(listed));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The files of {@code statuses}, probed, in order (those skipped under {@code ignoreCorruptFiles}
   * or {@code ignoreMissingFiles} left out); a file listed with the same length, modification time
   * and identity ({@link #sameFile}) as in {@code known} (the headers read when the table was
   * resolved) is taken from there without opening it: tasks still check that the file they open is
   * the planned one.
   */
  static List<NpyFileSpec> probeAll(
      List<FileStatus> statuses,
      Configuration conf,
      NpyReadOptions options,
      Map<String, NpyFileIndex.Probed> known) {
    List<NpyFileSpec> out = new ArrayList<>(statuses.size());
    List<FileStatus> toProbe = new ArrayList<>(statuses.size());
    NpyFileSpec[] reused = new NpyFileSpec[statuses.size()];
    for (int i = 0; i < statuses.size(); i++) {
      FileStatus st = statuses.get(i);
      NpyFileIndex.Probed p = known.get(st.getPath().toString());
      if (p != null
          && p.length() == st.getLen()
          && p.modificationTime() == st.getModificationTime()
          && sameFile(p.spec(), st)) {
        reused[i] = p.spec();
      } else {
        toProbe.add(st);
      }
    }
    if (toProbe.size() < statuses.size()) {
      List<NpyFileSpec> probed = probeAll(toProbe, conf, options, Map.of());
      Map<String, NpyFileSpec> byPath = new java.util.HashMap<>();
      for (NpyFileSpec spec : probed) {
        byPath.put(spec.path(), spec);
      }
      for (int i = 0; i < statuses.size(); i++) {
        NpyFileSpec spec =
            reused[i] != null ? reused[i] : byPath.get(statuses.get(i).getPath().toString());
        if (spec != null) {
          out.add(spec);
        }
      }
      return out;
    }
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
    } catch (IOException | NpyFormatException e) {
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
    return probe(st, conf, options, false);
  }

  /**
   * @param setMember a member file of a column set: option {@code member} picks among the set's
   *     members, so it does not apply to the file itself
   */
  static NpyFileSpec probe(
      FileStatus st, Configuration conf, NpyReadOptions options, boolean setMember)
      throws IOException {
    FileIdentity identity = FileIdentity.of(st);
    long length = identity.length();
    HadoopInputFile file = HadoopInputFile.of(st.getPath(), length, conf);
    String path = st.getPath().toString();
    String lowerName = st.getPath().getName().toLowerCase(Locale.ROOT);
    boolean npz =
        lowerName.endsWith(".npz") || (!lowerName.endsWith(".npy") && isZip(file, length));
    List<NpyPart> parts = new ArrayList<>();
    DataSample dataSample = null;
    if (!npz) {
      if (options.member != null && !setMember) {
        throw new NpyOptionException(
            "Cannot read member '"
                + options.member
                + "' of "
                + path
                + ": option member applies to .npz archives and this is a .npy file;"
                + " remove the option or read the archives only (e.g. pathGlobFilter=*.npz)");
      }
      EncodedHeader h;
      DataSample sample = null;
      boolean local = FileIdentity.isLocal(st.getPath());
      for (int attempt = 1; ; attempt++) {
        // Header and data sample from one open file; a local file is stated before and after,
        // so the identity tasks check is the file the header came from.
        try (SeekableInputStream in = file.newStream()) {
          h = EncodedHeader.read(in, length, path, options.maxHeaderBytes);
          if (local) {
            long start = h.dataOffset();
            sample = DataSample.read(in, start, start + h.header().dataBytes(), length);
          }
        } catch (EOFException e) {
          if (!local || attempt == PROBE_ATTEMPTS) {
            throw e;
          }
          h = null; // shorter than stated: it changed, look again
        }
        if (!local) {
          break;
        }
        FileIdentity after = FileIdentity.now(st.getPath(), file.fileSystem());
        if (h == null) {
          identity = after;
          length = after.length();
          file = HadoopInputFile.of(st.getPath(), length, conf);
          continue;
        }
        boolean settled = identity.unchanged(after) || attempt == PROBE_ATTEMPTS;
        identity = after;
        length = after.length();
        if (settled) {
          break;
        }
        file = HadoopInputFile.of(st.getPath(), length, conf);
      }
      if (length - h.dataOffset() < h.header().dataBytes()) {
        // A file appended to since it was listed has a header that counts rows written after the
        // listing (appends write the data before the header): its length now covers them.
        identity = FileIdentity.now(st.getPath(), file.fileSystem());
        length = identity.length();
      }
      checkLength(path, h.header(), length - h.dataOffset());
      parts.add(NpyPart.of(null, path, h.header(), false, 0, 0, h.dataOffset()));
      dataSample = sample;
    } else {
      try (SeekableInputStream in = file.newStream()) {
        List<NpzDirectory.Member> members = NpzDirectory.read(in, length, path);
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
      SparkTypes.of(
          part.dtype(), part.location(), false); // an unsupported dtype fails here, per file
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
      if (g.rowBytes > NpyReadOptions.MAX_ROW_BYTES) {
        throw new NpyException(
            "Cannot read "
                + part.location()
                + ": one row (shape "
                + Arrays.toString(g.rowShape)
                + " of "
                + g.itemSize
                + "-byte items) is "
                + g.rowBytes
                + " bytes, and the reader handles rows up to "
                + NpyReadOptions.MAX_ROW_BYTES
                + " bytes. Read it with the other rowAxis, or split the array with numpy");
      }
    }
    return new NpyFileSpec(
        path, length, List.copyOf(parts), rowCount, rowBytes, identity, dataSample, List.of());
  }

  /**
   * A file named neither {@code .npy} nor {@code .npz} is an archive when it starts as a zip does
   * ({@code PK\3\4}), as np.load tells them apart (the writer's {@code container=npz} takes any
   * path).
   */
  private static boolean isZip(HadoopInputFile file, long length) throws IOException {
    if (length < 4) {
      return false;
    }
    byte[] magic = new byte[4];
    try (SeekableInputStream in = file.newStream()) {
      in.readFully(magic);
    }
    return magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
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
    if (available > header.dataBytes()) {
      // numpy ignores such bytes too; they are usually rows an appender with deferred header
      // writes has not counted yet (still writing, or crashed), so say how to get them.
      if (RecoverHint.firstWarning(location, available)) {
        LOG.warn(
            "{}: {} bytes follow the {} rows its header declares and are not read. An appender with"
                + " deferred header writes may still be writing or may have crashed: {} to count"
                + " the complete rows",
            location,
            available - header.dataBytes(),
            header.rowCount(),
            RecoverHint.recover(location));
      }
    }
  }

  static NpyFormatException truncated(String location, NpyHeader header, long available) {
    if (isMember(location)) {
      // 'npy recover' rewrites the header of a .npy file; it cannot repair a zip member.
      return new NpyFormatException(
          "Cannot read "
              + location
              + ": its header says shape "
              + Arrays.toString(header.shape())
              + " ("
              + header.dataBytes()
              + " bytes of data) but the member holds only "
              + Math.max(0, available)
              + " bytes of data. The archive is damaged or truncated: write it again (np.savez),"
              + " or set ignoreCorruptFiles=true to skip it");
    }
    return new NpyNeedsRecoveryException(
        "Cannot read "
            + location
            + ": its header says shape "
            + Arrays.toString(header.shape())
            + " ("
            + header.dataBytes()
            + " bytes of data) but only "
            + Math.max(0, available)
            + " bytes of data are there. The file is truncated (e.g. a writer stopped early): "
            + RecoverHint.recover(location)
            + " to keep the complete rows, or set ignoreCorruptFiles=true to skip it");
  }

  /** Whether {@code location} names a member of an archive ({@code a.npz[x.npy]}). */
  static boolean isMember(String location) {
    return location.endsWith(".npy]") && location.contains(".npz[");
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
