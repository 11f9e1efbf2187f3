package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.header.NpyHeader;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The mapping of a DataFrame's schema to a numpy dtype and row shape, planned on the driver by
 * {@link WriteLayoutPlanner} before any task runs. Shipped to the tasks, which write rows with
 * {@link #writeRow} into the lengths and widths of their {@link WriteState}; the job commit fixes
 * the output's header with {@link #prepare}.
 */
final class WriteLayout implements Serializable {
  private static final long serialVersionUID = 1L;

  final StructType inputSchema;

  /** The type each top-level column is cast to before writing (Spark cast), or null. */
  final DataType[] castTo;

  final String timeZone;
  final boolean ansi;
  final ColumnNode root;
  final boolean record;
  final boolean allowLargeHeader;
  final List<ColumnNode> nodes;
  private final long[] initialDims;
  private final int[] initialWidths;
  private boolean pinned;

  WriteLayout(
      StructType inputSchema,
      DataType[] castTo,
      String timeZone,
      boolean ansi,
      ColumnNode root,
      boolean record,
      boolean allowLargeHeader,
      long[] dims,
      int[] widths) {
    this.inputSchema = inputSchema;
    this.castTo = castTo;
    this.timeZone = timeZone;
    this.ansi = ansi;
    this.root = root;
    this.record = record;
    this.allowLargeHeader = allowLargeHeader;
    List<ColumnNode> all = new ArrayList<>();
    root.collect(all);
    this.nodes = all;
    this.initialDims = dims;
    this.initialWidths = widths;
  }

  /** A fresh state for a task (or the job): lengths unknown, widths fixed or automatic. */
  WriteState newState(int partition, boolean fillNulls, boolean truncate) {
    WriteState st = new WriteState(initialDims, initialWidths, fillNulls, truncate, partition);
    st.dimsFromFile = pinned;
    return st;
  }

  /** This layout with lengths and widths taken from {@code st} (e.g. pinned to a file). */
  WriteLayout withInitial(WriteState st) {
    WriteLayout copy =
        new WriteLayout(
            inputSchema,
            castTo,
            timeZone,
            ansi,
            root,
            record,
            allowLargeHeader,
            st.dims.clone(),
            st.widths.clone());
    copy.pinned = true;
    return copy;
  }

  /** The string columns whose width is measured from the data (no {@code stringLength}). */
  List<String> autoWidthColumns() {
    WriteState st = newState(-1, false, false);
    List<String> out = new ArrayList<>();
    for (ColumnNode n : nodes) {
      if (n instanceof StringNode && st.widths[n.id] < 0 && !out.contains(n.column)) {
        out.add(n.column);
      }
    }
    return out;
  }

  boolean hasAutoWidth(WriteState st) {
    return root.hasAutoWidth(st);
  }

  void resolveRow(InternalRow row, WriteState st) {
    if (record) {
      ((ColumnNode.StructNode) root).resolveFields(row, st);
    } else if (!(root instanceof ColumnNode.MatrixNode)) {
      root.resolve(row, 0, st);
    }
  }

  void measureRow(InternalRow row, WriteState st) {
    if (record) {
      ((ColumnNode.StructNode) root).measureFields(row, st);
    } else if (!(root instanceof ColumnNode.MatrixNode)) {
      root.measure(row, 0, st);
    }
  }

  void writeRow(InternalRow row, ByteBuffer out, int pos, WriteState st) {
    if (root instanceof ColumnNode.MatrixNode m) {
      m.writeRow(row, out, pos, st);
    } else if (record) {
      ((ColumnNode.StructNode) root).writeFields(row, out, pos, st);
    } else {
      root.write(row, 0, out, pos, st);
    }
  }

  /**
   * The output's header for {@code rows} rows, once it is final (job commit; Append planning):
   * fixes unknown lengths and widths as {@link #partHeader} does, then refuses a header numpy does
   * not read by default (unless {@code allowLargeHeader}) and warns about very wide string columns.
   */
  NpyHeader prepare(WriteState st, long rows) {
    NpyHeader header = partHeader(st, rows);
    OutputLimits.checkHeader(header, inputSchema.fields().length, allowLargeHeader);
    OutputLimits.warnWideStrings(root, st, rows);
    return header;
  }

  /**
   * Fixes unknown lengths (0) and widths (longest seen, at least 1); returns the header of a task's
   * part, unchecked (the job commit checks the output's).
   */
  NpyHeader partHeader(WriteState st, long rows) {
    root.prepare(st);
    long[] sub = root.subShape(st);
    long[] shape = new long[sub.length + 1];
    shape[0] = rows;
    System.arraycopy(sub, 0, shape, 1, sub.length);
    return NpyHeader.of(root.leafDType(st), false, shape);
  }

  /** Row bytes once {@link #prepare} ran. */
  int rowBytes(WriteState st) {
    return st.bytes[root.id];
  }

  /** Takes lengths and string widths from an existing file's header (Append). */
  void pin(NpyHeader existing, WriteState st) {
    root.pin(existing.dtype(), existing.rowShape(), st);
  }

  /** The column described for Append mismatch messages. */
  String describeColumns() {
    StringBuilder sb = new StringBuilder();
    for (StructField f : inputSchema.fields()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(f.name()).append(' ').append(f.dataType().simpleString());
    }
    return sb.toString();
  }

  boolean needsCast() {
    return Arrays.stream(castTo).anyMatch(t -> t != null);
  }
}
