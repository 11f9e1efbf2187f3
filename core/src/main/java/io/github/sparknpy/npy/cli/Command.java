package io.github.sparknpy.npy.cli;

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

  final String usageLine() {
    return "npy " + name() + " " + arguments();
  }

  final String help() {
    return "usage: " + usageLine() + "\n\n" + details();
  }
}
