package io.github.sparknpy.npy.cli;

import io.github.sparknpy.npy.error.NpyException;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code npy} command-line tool: {@code info}, {@code head}, {@code append}, {@code concat},
 * {@code recover} and {@code ensure-appendable} on {@code .npy} files. Exit codes as Unix tools
 * have them: 0 on success, 1 when a file cannot be read or changed, 2 for a wrong command line.
 * Expected errors are printed to stderr as {@code npy: <message>}, without a stack trace.
 */
public final class NpyCli {
  /** Exit code on success. */
  public static final int OK = 0;

  /** Exit code when a file cannot be read or changed (missing, not .npy, incompatible, ...). */
  public static final int FAILURE = 1;

  /** Exit code for a wrong command line: unknown command or option, missing arguments. */
  public static final int USAGE = 2;

  private final Map<String, Command> commands = new LinkedHashMap<>();

  NpyCli(List<Command> commands) {
    for (Command c : commands) {
      this.commands.put(c.name(), c);
    }
  }

  static List<Command> defaultCommands() {
    return List.of(
        new InfoCommand(),
        new HeadCommand(),
        new AppendCommand(),
        new ConcatCommand(),
        new RecoverCommand(),
        new EnsureAppendableCommand());
  }

  public static void main(String[] args) {
    PrintStream out =
        new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
            false,
            StandardCharsets.UTF_8);
    PrintStream err =
        new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    int code = run(args, out, err);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * Runs the tool with {@code args} (the command and its arguments), writing to {@code out} and
   * {@code err}.
   *
   * @return the exit code: {@link #OK}, {@link #FAILURE} or {@link #USAGE}
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return new NpyCli(defaultCommands()).execute(args, out, err);
  }

  int execute(String[] args, PrintStream out, PrintStream err) {
    Command command = null;
    try {
      if (args.length == 0) {
        err.print(usage());
        return USAGE;
      }
      String first = args[0];
      List<String> rest = Arrays.asList(args).subList(1, args.length);
      if (first.equals("-h") || first.equals("--help") || first.equals("help")) {
        return help(rest, out);
      }
      if (first.equals("--version")) {
        if (!rest.isEmpty()) {
          throw new UsageException("--version takes no arguments");
        }
        out.println("npy " + version());
        return OK;
      }
      if (first.startsWith("-")) {
        throw new UsageException("unknown option '" + first + "'");
      }
      command = commands.get(first);
      if (command == null) {
        throw new UsageException("unknown command '" + first + "'");
      }
      if (wantsHelp(rest)) {
        out.print(command.help());
        return OK;
      }
      return command.run(Args.parse(rest, command.options()), out, err);
    } catch (UsageException e) {
      out.flush();
      if (command == null) {
        err.println("npy: " + e.getMessage());
        err.println("Run 'npy --help' for usage.");
      } else {
        err.println("npy " + command.name() + ": " + e.getMessage());
        err.println("usage: " + command.usageLine());
        err.println("Run 'npy " + command.name() + " --help' for details.");
      }
      return USAGE;
    } catch (IOException | RuntimeException e) {
      out.flush();
      if (isExpected(e)) {
        err.println("npy: " + CliFiles.message(e));
      } else {
        err.println("npy: internal error: " + e);
        e.printStackTrace(err);
      }
      return FAILURE;
    } finally {
      out.flush();
      err.flush();
    }
  }

  private int help(List<String> rest, PrintStream out) throws UsageException {
    if (rest.isEmpty()) {
      out.print(usage());
      return OK;
    }
    if (rest.size() > 1) {
      throw new UsageException("help takes at most one COMMAND");
    }
    Command c = commands.get(rest.get(0));
    if (c == null) {
      throw new UsageException("unknown command '" + rest.get(0) + "'");
    }
    out.print(c.help());
    return OK;
  }

  private static boolean wantsHelp(List<String> args) {
    for (String a : args) {
      if (a.equals("--")) {
        return false;
      }
      if (a.equals("-h") || a.equals("--help")) {
        return true;
      }
    }
    return false;
  }

  /**
   * This library's version: from {@code version.properties} (filtered by the build), else the jar
   * manifest's {@code Implementation-Version}, else "unknown".
   */
  static String version() {
    try (InputStream in = NpyCli.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version", "");
        if (!v.isEmpty() && !v.startsWith("${")) {
          return v;
        }
      }
    } catch (IOException e) {
      // fall back to the manifest
    }
    String v = NpyCli.class.getPackage().getImplementationVersion();
    return v != null ? v : "unknown";
  }

  /** The overview printed by {@code npy --help}. */
  String usage() {
    StringBuilder sb = new StringBuilder();
    sb.append("usage: npy COMMAND [OPTIONS] ARGS...\n\n");
    sb.append("Inspects, appends to and repairs NumPy .npy files.\n\n");
    sb.append("Commands:\n");
    for (Command c : commands.values()) {
      sb.append("  ").append(c.name()).append(' ').append(c.arguments()).append('\n');
      sb.append("      ").append(c.summary()).append('\n');
    }
    sb.append("  help [COMMAND]\n");
    sb.append("      show this help, or the help of COMMAND\n\n");
    sb.append("Run 'npy COMMAND --help' for the options of a command, 'npy --version' for the\n");
    sb.append("version.\n");
    sb.append(
        "Exit status: 0 on success, 1 when a file cannot be read or changed, 2 for a wrong\n");
    sb.append("command line. Errors are printed to stderr as 'npy: <message>'.\n");
    return sb.toString();
  }

  /** The one operand of a command that takes exactly one. */
  static String single(Args args, String name) throws UsageException {
    List<String> ops = args.operands();
    if (ops.isEmpty()) {
      throw new UsageException("missing " + name);
    }
    if (ops.size() > 1) {
      throw new UsageException("expected one " + name + ", got " + ops.size() + " arguments");
    }
    return ops.get(0);
  }

  /** True for errors on the data, which are reported by their message alone. */
  static boolean isExpected(Throwable e) {
    return e instanceof IOException
        || e instanceof UncheckedIOException
        || e instanceof NpyException
        || e instanceof IllegalArgumentException
        || e instanceof IllegalStateException
        || e instanceof IndexOutOfBoundsException
        || e instanceof ArithmeticException;
  }
}
