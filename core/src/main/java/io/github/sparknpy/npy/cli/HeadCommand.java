package io.github.sparknpy.npy.cli;

import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.header.NpyHeader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/** {@code npy head [-n N] FILE}: the first rows along axis 0 as text. */
final class HeadCommand extends Command {
  static final long DEFAULT_ROWS = 10;

  @Override
  String name() {
    return "head";
  }

  @Override
  String arguments() {
    return "[-n N] FILE";
  }

  @Override
  String summary() {
    return "print the first N rows (default 10) along axis 0";
  }

  @Override
  String details() {
    return """
        Prints the first N rows of FILE along axis 0 (also for Fortran order), one per line,
        with values written as numpy prints them: a 1-D array gives one value per line, a
        row of a higher-dimensional array is a nested list such as [[1 2] [3 4]], and records
        are tuples such as (1, 2.5, b'ab'). A 0-d array prints its one value.

        Options:
          -n, --lines N  how many rows to print (default 10)
          --max-header-bytes N
                         refuse headers longer than N bytes (default 1048576, 1 MiB)
          -h, --help     show this help
        """;
  }

  @Override
  List<Args.Option> options() {
    return List.of(new Args.Option(true, "-n", "--lines"), MAX_HEADER_BYTES);
  }

  @Override
  int run(Args args, PrintStream out, PrintStream err) throws IOException, UsageException {
    int maxHeaderBytes = maxHeaderBytes(args);
    long n = DEFAULT_ROWS;
    String value = args.value("-n");
    if (value != null) {
      try {
        n = Long.parseLong(value);
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 0) {
        throw new UsageException(
            "invalid number of rows '" + value + "': expected a whole number, 0 or more");
      }
    }
    String operand = NpyCli.single(args, "FILE");
    try (NpyFile file = NpyFile.open(CliFiles.existingFile(operand), maxHeaderBytes)) {
      NpyHeader h = file.header();
      if (h.ndim() == 0) {
        if (n > 0) {
          out.println(file.get());
        }
        return 0;
      }
      long[] shape = h.shape();
      long[] index = new long[shape.length];
      long rows = Math.min(n, shape[0]);
      StringBuilder sb = new StringBuilder();
      for (long i = 0; i < rows; i++) {
        index[0] = i;
        sb.setLength(0);
        append(sb, file, shape, index, 1);
        out.println(sb);
      }
    }
    return 0;
  }

  /** Writes the sub-array at {@code index[0..axis)} as nested brackets, or one element. */
  private static void append(StringBuilder sb, NpyFile file, long[] shape, long[] index, int axis)
      throws IOException {
    if (axis == shape.length) {
      sb.append(file.get(index));
      return;
    }
    sb.append('[');
    for (long j = 0; j < shape[axis]; j++) {
      if (j > 0) {
        sb.append(' ');
      }
      index[axis] = j;
      append(sb, file, shape, index, axis + 1);
    }
    sb.append(']');
  }
}
