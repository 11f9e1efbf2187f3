package io.github.sparknpy.npy.cli;

import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.header.NpyHeader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code npy concat -o OUT FILE...}: {@link Npy#concat} into a new appendable file. */
final class ConcatCommand extends Command {
  @Override
  String name() {
    return "concat";
  }

  @Override
  String arguments() {
    return "-o OUT FILE...";
  }

  @Override
  String summary() {
    return "concatenate FILEs on their growth axis into a new appendable OUT";
  }

  @Override
  String details() {
    return """
        Concatenates the FILEs on their growth axis (axis 0 in C order, the last axis in
        Fortran order) into OUT, like np.concatenate. The FILEs must have the same dtype and
        memory order and differ only on the growth axis. OUT is written beside its final
        name and renamed when complete (replacing an existing OUT), and it is appendable.

        Options:
          -o, --output OUT  the file to write (required)
          --max-header-bytes N
                            refuse headers longer than N bytes (default 1048576, 1 MiB)
          -h, --help        show this help
        """;
  }

  @Override
  List<Args.Option> options() {
    return List.of(new Args.Option(true, "-o", "--output"), MAX_HEADER_BYTES);
  }

  @Override
  int run(Args args, PrintStream out, PrintStream err) throws IOException, UsageException {
    int maxHeaderBytes = maxHeaderBytes(args);
    String output = args.value("-o");
    if (output == null) {
      throw new UsageException("missing -o OUT");
    }
    if (output.isEmpty()) {
      throw new UsageException("OUT must not be empty");
    }
    if (args.operands().isEmpty()) {
      throw new UsageException("missing FILE");
    }
    Path outPath = CliFiles.localPath(output);
    if (Files.isDirectory(outPath)) {
      throw new FileSystemException(output, null, "is a directory");
    }
    List<Path> inputs = new ArrayList<>();
    for (String op : args.operands()) {
      inputs.add(CliFiles.existingFile(op));
    }
    NpyHeader h = Npy.concat(outPath, inputs, maxHeaderBytes);
    out.println(
        output
            + ": concatenated "
            + inputs.size()
            + (inputs.size() == 1 ? " file" : " files")
            + ", shape "
            + InfoCommand.shapeText(h.shape())
            + ", dtype "
            + InfoCommand.dtypeText(h.dtype()));
    return 0;
  }
}
