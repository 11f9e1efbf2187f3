package io.github.sparknpy.npy.cli;

import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.RecoveryResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code npy recover [--zerofill-incomplete] FILE}: rewrites the header from the data in the file.
 */
final class RecoverCommand extends Command {
  @Override
  String name() {
    return "recover";
  }

  @Override
  String arguments() {
    return "[--zerofill-incomplete] FILE";
  }

  @Override
  String summary() {
    return "repair FILE after an interrupted append: header rewritten from the data";
  }

  @Override
  String details() {
    return """
        Repairs FILE when its data is shorter or longer than its header says, after a crash
        or an append without header rewrites: the header is rewritten to count the complete
        rows actually in the file. An incomplete last row is cut off. The result is
        appendable. A FILE that is consistent already is left as it is (only made appendable
        if it was not).

        Options:
          --zerofill-incomplete  complete an incomplete last row with zero bytes instead of
                                 cutting it off
          --max-header-bytes N
                                 refuse headers longer than N bytes (default 1048576, 1 MiB)
          -h, --help             show this help
        """;
  }

  @Override
  List<Args.Option> options() {
    return List.of(new Args.Option(false, "--zerofill-incomplete"), MAX_HEADER_BYTES);
  }

  @Override
  int run(Args args, PrintStream out, PrintStream err) throws IOException, UsageException {
    int maxHeaderBytes = maxHeaderBytes(args);
    String operand = NpyCli.single(args, "FILE");
    Path path = CliFiles.existingFile(operand);
    RecoveryResult r = Npy.recover(path, args.flag("--zerofill-incomplete"), maxHeaderBytes);
    String made = r.madeAppendable() ? ", header rewritten to be appendable" : "";
    if (r.rowsBefore() == r.rowsAfter() && r.bytesTruncated() == 0 && r.bytesZeroFilled() == 0) {
      out.println(
          operand
              + ": nothing to recover, the data matches the header ("
              + count(r.rowsAfter(), "row")
              + ")"
              + made);
    } else {
      out.println(
          operand
              + ": rows "
              + r.rowsBefore()
              + " -> "
              + r.rowsAfter()
              + ", "
              + count(r.bytesTruncated(), "byte")
              + " truncated, "
              + count(r.bytesZeroFilled(), "byte")
              + " zero-filled"
              + made);
    }
    return 0;
  }

  private static String count(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }
}
