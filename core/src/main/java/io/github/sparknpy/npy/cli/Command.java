package io.github.sparknpy.npy.cli;

import io.github.sparknpy.npy.header.EncodedHeader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/** One {@code npy} sub-command. */
abstract class Command {
  /** The word that selects the command, e.g. {@code info}. */
  abstract String name();

  /** The command's arguments for usage lines, e.g. {@code [--json] FILE...}. */
  abstract String arguments();

  /** One line for the overview. */
  abstract String summary();

  /** What the command does and its options, after its usage line in {@code npy COMMAND --help}. */
  abstract String details();

  /** The options it accepts (besides {@code -h}/{@code --help}). */
  abstract List<Args.Option> options();

  /**
   * Runs the command.
   *
   * @return the exit code
   * @throws UsageException for a command line it cannot run (exit code 2)
   */
  abstract int run(Args args, PrintStream out, PrintStream err) throws IOException, UsageException;

  /** {@code --max-header-bytes N}, which every command that reads headers accepts. */
  static final Args.Option MAX_HEADER_BYTES = new Args.Option(true, "--max-header-bytes");

  /** The value of {@code --max-header-bytes}, or the library's default. */
  static int maxHeaderBytes(Args args) throws UsageException {
    String value = args.value("--max-header-bytes");
    if (value == null) {
      return EncodedHeader.DEFAULT_MAX_HEADER_BYTES;
    }
    long n;
    try {
      n = Long.parseLong(value);
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 1 || n > Integer.MAX_VALUE) {
      throw new UsageException(
          "invalid --max-header-bytes '"
              + value
              + "': expected a whole number from 1 to "
              + Integer.MAX_VALUE);
    }
    return (int) n;
  }

  final String usageLine() {
    return "npy " + name() + " " + arguments();
  }

  final String help() {
    return "usage: " + usageLine() + "\n\n" + details();
  }
}
