package io.github.sparknpy.npy.cli;

import io.github.sparknpy.npy.NpyAppendArray;
import io.github.sparknpy.npy.NpyArray;
import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.header.NpyHeader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code npy append [--no-header-rewrite] TARGET SOURCE...}: appends the arrays of .npy files to
 * TARGET with {@link NpyAppendArray}, streaming each source in chunks of rows.
 */
final class AppendCommand extends Command {
  /** Bytes of source data per append. */
  static final int DEFAULT_CHUNK_BYTES = 64 << 20;

  private final int chunkBytes;

  AppendCommand() {
    this(DEFAULT_CHUNK_BYTES);
  }

  /** With another chunk size, for tests of the chunking. */
  AppendCommand(int chunkBytes) {
    this.chunkBytes = chunkBytes;
  }

  @Override
  String name() {
    return "append";
  }

  @Override
  String arguments() {
    return "[--no-header-rewrite] TARGET SOURCE...";
  }

  @Override
  String summary() {
    return "append the arrays of SOURCE files to TARGET (created if missing)";
  }

  @Override
  String details() {
    return """
        Appends the array of each SOURCE .npy file to TARGET on its growth axis (axis 0 in C
        order, the last axis in Fortran order), as npy-append-array does. TARGET is created
        when missing, with the dtype and memory order of the first SOURCE; an existing TARGET
        must be appendable ('npy ensure-appendable') and complete ('npy recover'). Sources
        must match TARGET on every other axis, and their dtype must convert safely to
        TARGET's (numpy's casting='safe'). All sources are checked before anything is
        written, and they are read in chunks, so they may be larger than memory.

        Options:
          --no-header-rewrite  write TARGET's header once at the end instead of after every
                               chunk (faster; if interrupted, 'npy recover TARGET' repairs it)
          --max-header-bytes N
                               refuse headers longer than N bytes (default 1048576, 1 MiB)
          -h, --help           show this help
        """;
  }

  @Override
  List<Args.Option> options() {
    return List.of(new Args.Option(false, "--no-header-rewrite"), MAX_HEADER_BYTES);
  }

  @Override
  int run(Args args, PrintStream out, PrintStream err) throws IOException, UsageException {
    int maxHeaderBytes = maxHeaderBytes(args);
    List<String> ops = args.operands();
    if (ops.isEmpty()) {
      throw new UsageException("missing TARGET and SOURCE");
    }
    if (ops.size() < 2) {
      throw new UsageException("missing SOURCE");
    }
    String targetName = ops.get(0);
    Path target = Path.of(targetName);
    if (Files.isDirectory(target)) {
      throw new FileSystemException(targetName, null, "is a directory");
    }
    List<NpyFile> sources = new ArrayList<>();
    try {
      for (String op : ops.subList(1, ops.size())) {
        NpyFile src = NpyFile.open(CliFiles.existingFile(op), maxHeaderBytes);
        sources.add(src);
        checkSource(src);
      }
      long sizeBefore = Files.exists(target) ? Files.size(target) : -1;
      NpyAppendArray appender =
          NpyAppendArray.builder(target)
              .rewriteHeaderOnAppend(!args.flag("--no-header-rewrite"))
              .maxHeaderBytes(maxHeaderBytes)
              .open();
      try {
        // Check every source against TARGET before writing any data: shapes here, dtypes by an
        // append of zero rows (which creates a new TARGET from the first source).
        for (NpyFile src : sources) {
          checkShape(appender.header(), src, targetName);
          appender.append(emptyPart(src, appender.header()));
        }
      } catch (IOException | RuntimeException e) {
        undoCreate(appender, target, sizeBefore, e);
        throw e;
      }
      List<String> lines = new ArrayList<>();
      try (appender) {
        for (NpyFile src : sources) {
          long rows = appendSource(appender, src);
          lines.add(
              "appended " + rows + (rows == 1 ? " row" : " rows") + " from " + src.location());
        }
        NpyHeader h = appender.header();
        lines.add(
            targetName
                + ": shape "
                + InfoCommand.shapeText(h.shape())
                + ", dtype "
                + InfoCommand.dtypeText(h.dtype()));
      }
      lines.forEach(out::println);
      return 0;
    } finally {
      for (NpyFile src : sources) {
        src.close();
      }
    }
  }

  private static void checkSource(NpyFile src) {
    NpyHeader h = src.header();
    if (h.ndim() == 0) {
      throw new IllegalArgumentException(
          "Cannot append "
              + src.location()
              + ": it holds a 0-d array, which has no axis to grow on. Save it with shape (1,) instead.");
    }
    if (src.needsRecovery()) {
      throw NpyNeedsRecoveryException.dataLength(
          "Cannot append " + src.location(),
          h.dataBytes(),
          Math.max(0, src.dataLengthOnDisk()),
          ". Run 'npy recover' on it first.");
    }
  }

  /**
   * Shapes must agree on every axis but TARGET's growth axis (dtypes are the library's to check).
   */
  private static void checkShape(NpyHeader target, NpyFile src, String targetName) {
    if (target == null) {
      return;
    }
    NpyHeader h = src.header();
    boolean ok = h.ndim() == target.ndim();
    for (int axis = 0; ok && axis < h.ndim(); axis++) {
      ok = axis == target.growthAxis() || h.dim(axis) == target.dim(axis);
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "Cannot append "
              + src.location()
              + " (shape "
              + InfoCommand.shapeText(h.shape())
              + ") to "
              + targetName
              + " (shape "
              + InfoCommand.shapeText(target.shape())
              + ", "
              + (target.fortranOrder() ? "Fortran" : "C")
              + " order): the shapes must have the same length and "
              + "differ only on axis "
              + target.growthAxis()
              + ", the growth axis of "
              + targetName);
    }
  }

  /**
   * The source's array without rows on TARGET's growth axis: appending it checks the dtype and
   * creates TARGET.
   */
  private static NpyArray emptyPart(NpyFile src, NpyHeader target) {
    NpyHeader h = src.header();
    long[] shape = h.shape();
    int growth = target != null && target.ndim() == h.ndim() ? target.growthAxis() : h.growthAxis();
    shape[growth] = 0;
    return NpyArray.of(h.dtype(), ByteBuffer.allocate(0), sourceFortran(h), shape);
  }

  private static boolean sourceFortran(NpyHeader h) {
    return h.fortranOrder() && h.ndim() > 1;
  }

  /** Removes (or empties) a TARGET this run created, when a source turned out not to fit. */
  private static void undoCreate(
      NpyAppendArray appender, Path target, long sizeBefore, Exception failure) {
    try {
      appender.close();
      if (sizeBefore < 0) {
        Files.deleteIfExists(target);
      } else if (sizeBefore == 0) {
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
          ch.truncate(0);
        }
      }
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** Appends all of {@code src} in chunks; returns the rows it added on TARGET's growth axis. */
  long appendSource(NpyAppendArray appender, NpyFile src) throws IOException {
    NpyHeader h = src.header();
    NpyHeader target = appender.header();
    boolean fortran = sourceFortran(h);
    if (h.ndim() > 1 && target.fortranOrder() != fortran) {
      return appendOtherOrder(appender, src, target.growthAxis());
    }
    long rows = h.rowCount();
    if (rows == 0) {
      return 0;
    }
    long rowBytes = h.rowBytes();
    long[] shape = h.shape();
    int growth = h.growthAxis();
    long perChunk = rowBytes == 0 ? rows : Math.max(1, chunkBytes / rowBytes);
    for (long first = 0; first < rows; first += perChunk) {
      long n = Math.min(perChunk, rows - first);
      shape[growth] = n;
      appender.append(NpyArray.of(h.dtype(), src.rows(first, n), fortran, shape));
    }
    return rows;
  }

  /**
   * Appends a source whose memory order differs from TARGET's. TARGET grows on the axis that varies
   * fastest in the source, so each chunk of TARGET rows is gathered from all source rows: a run of
   * {@code n} elements for every combination of the other axes. The chunk stays in the source's
   * order and the library reorders it.
   */
  private long appendOtherOrder(NpyAppendArray appender, NpyFile src, int targetAxis)
      throws IOException {
    NpyHeader h = src.header();
    long[] shape = h.shape();
    int sourceAxis = h.growthAxis();
    long outer = shape[sourceAxis];
    long runs = shape[targetAxis];
    long middle = 1;
    for (int axis = 0; axis < shape.length; axis++) {
      if (axis != sourceAxis && axis != targetAxis) {
        middle *= shape[axis];
      }
    }
    int item = h.dtype().itemSize();
    boolean fortran = sourceFortran(h);
    if (runs == 0) {
      return 0;
    }
    long bytesPerTargetRow = outer * middle * item;
    if (bytesPerTargetRow == 0) {
      appender.append(NpyArray.of(h.dtype(), ByteBuffer.allocate(0), fortran, shape));
      return runs;
    }
    long k = Math.max(1, Math.min(runs, chunkBytes / bytesPerTargetRow));
    if (k * bytesPerTargetRow > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "Cannot append "
              + src.location()
              + ": one row of it along the target's growth axis is "
              + bytesPerTargetRow
              + " bytes in the other memory order, too large to reorder in memory. Save it in the target's order.");
    }
    long rowsPerRead = Math.max(1, chunkBytes / h.rowBytes());
    ByteBuffer chunk = ByteBuffer.allocate((int) (k * bytesPerTargetRow));
    for (long first = 0; first < runs; first += k) {
      long n = Math.min(k, runs - first);
      int runBytes = (int) (n * item);
      int pos = 0;
      for (long s0 = 0; s0 < outer; s0 += rowsPerRead) {
        long count = Math.min(rowsPerRead, outer - s0);
        ByteBuffer rows = src.rows(s0, count);
        long runsRead = count * middle;
        for (long r = 0; r < runsRead; r++) {
          chunk.put(pos, rows, (int) ((r * runs + first) * item), runBytes);
          pos += runBytes;
        }
      }
      long[] part = shape.clone();
      part[targetAxis] = n;
      appender.append(NpyArray.of(h.dtype(), chunk.slice(0, pos), fortran, part));
    }
    return runs;
  }
}
