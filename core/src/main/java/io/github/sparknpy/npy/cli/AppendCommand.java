package io.github.sparknpy.npy.cli;

import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.NpyAppendArray;
import io.github.sparknpy.npy.NpyArray;
import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.RowSource;
import io.github.sparknpy.npy.dtype.Casting;
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
 * {@code npy append TARGET SOURCE...}: appends the arrays of .npy files to TARGET. {@link
 * NpyAppendArray} checks every source and creates a missing TARGET; {@link Npy#append} then streams
 * the rows in chunks, converting and reordering them, under TARGET's lock.
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
    return "TARGET SOURCE...";
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
        written, and they are read in chunks, so they may be larger than memory. If the
        append fails, TARGET is left as it was.

        Options:
          --max-header-bytes N
                               refuse headers longer than N bytes (default 1048576, 1 MiB)
          -h, --help           show this help
        """;
  }

  @Override
  List<Args.Option> options() {
    return List.of(MAX_HEADER_BYTES);
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
    Path target = CliFiles.localPath(targetName);
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
          NpyAppendArray.builder(target).maxHeaderBytes(maxHeaderBytes).open();
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
      // TARGET exists now (with its header, if this run created it). The rows go in with the
      // core's one append: data first and forced, then the header once; a failure leaves TARGET
      // as it was.
      int growth = appender.header().growthAxis();
      appender.close();
      List<RowSource> rows = new ArrayList<>(sources.size());
      for (NpyFile src : sources) {
        rows.add(RowSource.of(Path.of(src.location()), src.encodedHeader()));
      }
      NpyHeader h;
      try {
        h = Npy.append(target, rows, Casting.SAFE, maxHeaderBytes, chunkBytes);
      } catch (IOException | RuntimeException e) {
        undoCreate(appender, target, sizeBefore, e);
        throw e;
      }
      List<String> lines = new ArrayList<>();
      for (NpyFile src : sources) {
        long n = src.header().dim(growth);
        lines.add("appended %s %s from %s".formatted(n, n == 1 ? "row" : "rows", src.location()));
      }
      lines.add(
          "%s: shape %s, dtype %s"
              .formatted(
                  targetName, InfoCommand.shapeText(h.shape()), InfoCommand.dtypeText(h.dtype())));
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
          ("Cannot append %s: it holds a 0-d array, which has no axis to grow on. Save it with"
                  + " shape (1,) instead.")
              .formatted(src.location()));
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
          ("Cannot append %s (shape %s) to %s (shape %s, %s order): the shapes must have the same"
                  + " length and differ only on axis %s, the growth axis of %s")
              .formatted(
                  src.location(),
                  InfoCommand.shapeText(h.shape()),
                  targetName,
                  InfoCommand.shapeText(target.shape()),
                  target.fortranOrder() ? "Fortran" : "C",
                  target.growthAxis(),
                  targetName));
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
}
