package io.github.sparknpy.npy.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs the CLI in-process and captures its exit code, stdout and stderr. */
final class CliRun {
  private CliRun() {}

  record Result(int code, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
    }
  }

  static Result npy(Object... args) {
    return npy(new NpyCli(NpyCli.defaultCommands()), args);
  }

  /** With the append command reading sources in chunks of {@code chunkBytes}. */
  static Result npyWithChunks(int chunkBytes, Object... args) {
    return npy(new NpyCli(List.of(new AppendCommand(chunkBytes))), args);
  }

  static Result npy(NpyCli cli, Object... args) {
    String[] argv = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      argv[i] = String.valueOf(args[i]);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = cli.execute(argv, o, e);
    }
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
