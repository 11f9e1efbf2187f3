package io.github.sparknpy.npy.cli;

import io.github.sparknpy.npy.Npy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** {@code npy ensure-appendable [--in-place] FILE}: gives the header numpy's spare space. */
final class EnsureAppendableCommand extends Command {
  @Override
  String name() {
    return "ensure-appendable";
  }

  @Override
  String arguments() {
    return "[--in-place] FILE";
  }

  @Override
  String summary() {
    return "give FILE's header the spare space appends need";
  }

  @Override
  String details() {
    return """
        Makes FILE appendable: rewrites its header with the spare space numpy leaves for the
        growth axis to grow (files from older numpy versions or other tools may lack it).
        When the header has to grow, the data moves: by default into a new file beside FILE
        that then replaces it atomically. A FILE that is appendable already is not written.

        Options:
          --in-place  move the data inside FILE instead (no second copy on disk, but an
                      interruption leaves FILE damaged)
          --max-header-bytes N
                      refuse headers longer than N bytes (default 1048576, 1 MiB)
          -h, --help  show this help
        """;
  }

  @Override
  List<Args.Option> options() {
    return List.of(new Args.Option(false, "--in-place"), MAX_HEADER_BYTES);
  }

  @Override
  int run(Args args, PrintStream out, PrintStream err) throws IOException, UsageException {
    int maxHeaderBytes = maxHeaderBytes(args);
    String operand = NpyCli.single(args, "FILE");
    Path path = CliFiles.existingFile(operand);
    boolean changed = Npy.ensureAppendable(path, args.flag("--in-place"), maxHeaderBytes);
    out.println(
        operand
            + (changed
                ? ": made appendable (header rewritten)"
                : ": already appendable, unchanged"));
    return 0;
  }
}
