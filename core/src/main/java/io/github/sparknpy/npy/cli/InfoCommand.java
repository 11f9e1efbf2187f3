package io.github.sparknpy.npy.cli;

import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code npy info [--json] FILE...}: what each header says, from the header and file length only.
 */
final class InfoCommand extends Command {
  @Override
  String name() {
    return "info";
  }

  @Override
  String arguments() {
    return "[--json] FILE...";
  }

  @Override
  String summary() {
    return "describe files: format version, dtype, shape, order, sizes, appendability";
  }

  @Override
  String details() {
    return """
        Describes each FILE from its header and length (the data is not read): the format
        version, the dtype (numpy's descr), the shape, whether it is in Fortran order, where
        the data starts, how many bytes of data the header implies (elements x itemsize),
        whether 'npy append' can append to it, and whether its data is shorter or longer than
        the header says (then 'npy recover' repairs it).

        Options:
          --json      print one JSON object per file and line, with the keys version, descr,
                      shape, fortran_order, data_offset, data_bytes, appendable and
                      needs_recovery (descr as numpy's dtype.descr, tuples as lists)
          --max-header-bytes N
                      refuse headers longer than N bytes (default 1048576, 1 MiB)
          -h, --help  show this help

        A FILE that cannot be read is reported on stderr and the others are still described;
        the exit status is then 1.
        """;
  }

  @Override
  List<Args.Option> options() {
    return List.of(new Args.Option(false, "--json"), MAX_HEADER_BYTES);
  }

  @Override
  int run(Args args, PrintStream out, PrintStream err) throws UsageException {
    if (args.operands().isEmpty()) {
      throw new UsageException("missing FILE");
    }
    boolean json = args.flag("--json");
    int maxHeaderBytes = maxHeaderBytes(args);
    int status = 0;
    boolean first = true;
    for (String operand : args.operands()) {
      Info info;
      try {
        info = Info.of(CliFiles.existingFile(operand), maxHeaderBytes);
      } catch (IOException | RuntimeException e) {
        if (!NpyCli.isExpected(e)) {
          throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        out.flush();
        err.println("npy: " + CliFiles.message(e));
        status = 1;
        continue;
      }
      if (json) {
        out.println(Json.write(info.toJson()));
      } else {
        if (!first) {
          out.println();
        }
        out.print(info.toText(operand));
      }
      first = false;
      out.flush();
    }
    return status;
  }

  /** What {@code info} reports about one file. */
  record Info(EncodedHeader encoded, long fileBytes) {
    static Info of(Path path, int maxHeaderBytes) throws IOException {
      EncodedHeader encoded = Npy.readHeader(path, maxHeaderBytes);
      return new Info(encoded, Files.size(path));
    }

    NpyHeader header() {
      return encoded.header();
    }

    long dataOnDisk() {
      return fileBytes - encoded.dataOffset();
    }

    boolean needsRecovery() {
      return dataOnDisk() != header().dataBytes();
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version", encoded.version().toString());
      m.put("descr", header().dtype().descrAsJsonValue());
      m.put("shape", header().shape());
      m.put("fortran_order", header().fortranOrder());
      m.put("data_offset", encoded.dataOffset());
      m.put("data_bytes", header().dataBytes());
      m.put("appendable", encoded.isAppendable());
      m.put("needs_recovery", needsRecovery());
      return m;
    }

    String toText(String name) {
      NpyHeader h = header();
      StringBuilder sb = new StringBuilder(name).append(":\n");
      line(sb, "version", encoded.version().toString());
      line(sb, "dtype", dtypeText(h.dtype()));
      line(sb, "shape", shapeText(h.shape()));
      line(sb, "fortran_order", Boolean.toString(h.fortranOrder()));
      line(sb, "data_offset", Long.toString(encoded.dataOffset()));
      line(sb, "data_bytes", Long.toString(h.dataBytes()));
      line(sb, "appendable", Boolean.toString(encoded.isAppendable()));
      String recovery = Boolean.toString(needsRecovery());
      if (needsRecovery()) {
        recovery +=
            " (the header implies "
                + h.dataBytes()
                + " bytes of data, the file has "
                + Math.max(0, dataOnDisk())
                + "; run 'npy recover')";
      }
      line(sb, "needs_recovery", recovery);
      return sb.toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
      sb.append("  ").append(key).append(" ".repeat(16 - key.length())).append(value).append('\n');
    }
  }

  /** A scalar dtype as its type string ({@code <f8}), a record as its descr literal. */
  static String dtypeText(DType dtype) {
    return dtype instanceof ScalarDType s ? s.typestr() : dtype.descr();
  }

  /** A shape as Python writes a tuple: {@code (3,)}, {@code (2, 3)}, {@code ()}. */
  static String shapeText(long[] shape) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(shape[i]);
    }
    return sb.append(shape.length == 1 ? ",)" : ")").toString();
  }
}
