package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that an output header is one numpy opens with its defaults, and warns when fixed-width
 * strings blow up the output: both run where the header is final (the driver, when the dtype is
 * fixed before any task; the job commit, before anything is published).
 */
final class OutputLimits {
  private static final Logger LOG = LoggerFactory.getLogger(OutputLimits.class);

  /** numpy's {@code _MAX_HEADER_SIZE}: the longest header {@code np.load} reads by default. */
  static final int NUMPY_MAX_HEADER_SIZE = 10_000;

  /** A string or binary column warns when its fixed width is at least this (characters, bytes)… */
  static final int WIDE_STRING_WIDTH = 1024;

  /** … and it takes at least this many bytes of the output. */
  static final long WIDE_STRING_BYTES = 100L << 20;

  private OutputLimits() {}

  /**
   * The length numpy compares with {@code max_header_size}: the header text after the length field
   * (dictionary, spare space, padding and newline), in characters as numpy decodes it.
   */
  static int numpyHeaderLength(NpyHeader header) {
    byte[] encoded = header.encode();
    int major = encoded[6];
    int prefix = major == 1 ? 10 : 12;
    return new String(
            encoded,
            prefix,
            encoded.length - prefix,
            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1)
        .length();
  }

  /**
   * Refuses a header longer than numpy reads by default, unless {@code allowLargeHeader}; then it
   * warns with the same fixes.
   */
  static void checkHeader(NpyHeader header, int columns, boolean allowLargeHeader) {
    int length = numpyHeaderLength(header);
    if (length <= NUMPY_MAX_HEADER_SIZE) {
      return;
    }
    String what =
        String.format(
            Locale.ROOT,
            "%d columns as .npy: their header would be %d characters, more than the %d that numpy's"
                + " np.load reads by default (its max_header_size)",
            columns,
            length,
            NUMPY_MAX_HEADER_SIZE);
    String load = String.format(Locale.ROOT, "np.load(path, max_header_size=%d)", roundUp(length));
    if (!allowLargeHeader) {
      throw new NpyOptionException(
          "Cannot write "
              + what
              + ", so np.load would refuse the file. Write with layout=matrix (numeric columns,"
              + " one dtype, a short header), select fewer columns, or set option "
              + NpyWriteOptions.ALLOW_LARGE_HEADER
              + "=true and open it with "
              + load
              + ". Nothing was written");
    }
    LOG.warn(
        "Writing {} ({}=true): open the file with {}, or write layout=matrix or fewer columns so"
            + " that np.load opens it without options",
        what,
        NpyWriteOptions.ALLOW_LARGE_HEADER,
        load);
  }

  private static int roundUp(int length) {
    return (length + 999) / 1000 * 1000;
  }

  /**
   * Warns for each string or binary column at least {@link #WIDE_STRING_WIDTH} wide that takes at
   * least {@link #WIDE_STRING_BYTES} of the {@code rows}: fixed-width strings pad every value to
   * the longest one.
   */
  static void warnWideStrings(ColumnNode root, WriteState st, long rows) {
    walk(root, 1, st, rows);
  }

  private static void walk(ColumnNode node, long perRow, WriteState st, long rows) {
    if (node instanceof StringNode s) {
      warnIfWide(s, perRow, st, rows);
    } else if (node instanceof ColumnNode.ArrayNode a) {
      walk(a.element, perRow * Math.max(0, st.dims[a.id]), st, rows);
    } else if (node instanceof ColumnNode.StructNode s) {
      for (ColumnNode f : s.fields) {
        walk(f, perRow, st, rows);
      }
    }
  }

  private static void warnIfWide(StringNode s, long perRow, WriteState st, long rows) {
    int width = st.widths[s.id];
    long itemBytes = s.unicode ? 4L * width : width;
    double total = (double) itemBytes * perRow * rows;
    if (width < WIDE_STRING_WIDTH || total < WIDE_STRING_BYTES) {
      return;
    }
    LOG.warn(
        "Column '{}' is {} (fixed width: every value is padded to {} {}, {} bytes), so its {} rows"
            + " take {} of the output. numpy strings have one width, set by the longest value:"
            + " cap it with option {}.{}=N and {}=truncate, or shorten or drop the long values",
        s.column,
        s.leafDType(st).descr().replace("'", ""),
        width,
        s.unicode ? "characters" : "bytes",
        itemBytes,
        rows,
        size(total),
        NpyWriteOptions.STRING_LENGTH,
        s.column,
        NpyWriteOptions.STRING_OVERFLOW);
  }

  private static String size(double bytes) {
    String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    double v = bytes;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0
        ? String.format(Locale.ROOT, "%.0f bytes", v)
        : String.format(Locale.ROOT, "%.1f %s (%,.0f bytes)", v, units[u], bytes);
  }
}
