package io.github.sparknpy.npy.cli;

import static io.github.sparknpy.npy.cli.CliRun.npy;
import static io.github.sparknpy.npy.cli.Fixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.cli.CliRun.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Help, usage errors (exit 2) and errors on files (exit 1), with their messages. */
class NpyCliUsageTest {
  static final String USAGE =
      """
      usage: npy COMMAND [OPTIONS] ARGS...

      Inspects, appends to and repairs NumPy .npy files.

      Commands:
        info [--json] FILE...
            describe files: format version, dtype, shape, order, sizes, appendability
        head [-n N] FILE
            print the first N rows (default 10) along axis 0
        append TARGET SOURCE...
            append the arrays of SOURCE files to TARGET (created if missing)
        concat -o OUT FILE...
            concatenate FILEs on their growth axis into a new appendable OUT
        recover [--zerofill-incomplete] FILE
            repair FILE after an interrupted append: header rewritten from the data
        ensure-appendable [--in-place] FILE
            give FILE's header the spare space appends need
        help [COMMAND]
            show this help, or the help of COMMAND

      Run 'npy COMMAND --help' for the options of a command, 'npy --version' for the
      version.
      Exit status: 0 on success, 1 when a file cannot be read or changed, 2 for a wrong
      command line. Errors are printed to stderr as 'npy: <message>'.
      """;

  @TempDir Path tmp;

  @Test
  void helpPrintsUsageToStdout() {
    for (String[] args : new String[][] {{"--help"}, {"-h"}, {"help"}}) {
      Result r = npy((Object[]) args);
      assertThat(r.code()).isZero();
      assertThat(r.out()).isEqualTo(USAGE);
      assertThat(r.err()).isEmpty();
    }
    Result none = npy();
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.out()).isEmpty();
    assertThat(none.err()).isEqualTo(USAGE);
  }

  @Test
  void versionPrintsTheProjectVersion() {
    Result r = npy("--version");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .matches("npy \\d+\\.\\d+\\.\\d+\\S*\n")
        .isEqualTo("npy " + NpyCli.version() + "\n");
    assertThat(r.err()).isEmpty();
    Result extra = npy("--version", "x");
    assertThat(extra.code()).isEqualTo(2);
    assertThat(extra.err()).startsWith("npy: --version takes no arguments\n");
  }

  @Test
  void everyCommandHasHelp() {
    String[][] commands = {
      {"info", "usage: npy info [--json] FILE...\n\n"},
      {"head", "usage: npy head [-n N] FILE\n\n"},
      {"append", "usage: npy append TARGET SOURCE...\n\n"},
      {"concat", "usage: npy concat -o OUT FILE...\n\n"},
      {"recover", "usage: npy recover [--zerofill-incomplete] FILE\n\n"},
      {"ensure-appendable", "usage: npy ensure-appendable [--in-place] FILE\n\n"},
    };
    for (String[] c : commands) {
      Result help = npy("help", c[0]);
      assertThat(help.code()).isZero();
      assertThat(help.out()).startsWith(c[1]).contains("Options:").contains("-h, --help");
      assertThat(npy(c[0], "--help").out()).isEqualTo(help.out());
      assertThat(npy(c[0], "x.npy", "-h").out()).isEqualTo(help.out());
    }
    assertThat(npy("info", "--help").out()).contains("--json").contains("needs_recovery");
    // After "--", -h is an operand.
    Result r = npy("info", "--", "-h");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("npy: -h: no such file or directory\n");
  }

  @Test
  void unknownCommandsAndOptionsAreUsageErrors() {
    assertUsageError(npy("frob"), "npy: unknown command 'frob'\nRun 'npy --help' for usage.\n");
    assertUsageError(npy("--frob"), "npy: unknown option '--frob'\nRun 'npy --help' for usage.\n");
    assertUsageError(
        npy("help", "frob"), "npy: unknown command 'frob'\nRun 'npy --help' for usage.\n");
    assertUsageError(
        npy("help", "info", "head"),
        "npy: help takes at most one COMMAND\nRun 'npy --help' for usage.\n");
    assertUsageError(
        npy("info", "--bogus", "x.npy"),
        "npy info: unknown option '--bogus'\nusage: npy info [--json] FILE...\nRun 'npy info --help' for details.\n");
    assertUsageError(
        npy("info", "--json=yes", "x.npy"),
        "npy info: option '--json' takes no value\nusage: npy info [--json] FILE...\nRun 'npy info --help' for details.\n");
    assertUsageError(
        npy("head", "-x", "x.npy"),
        "npy head: unknown option '-x'\nusage: npy head [-n N] FILE\nRun 'npy head --help' for details.\n");
    assertUsageError(
        npy("recover", "--in-place", "x.npy"),
        "npy recover: unknown option '--in-place'\nusage: npy recover [--zerofill-incomplete] FILE\n"
            + "Run 'npy recover --help' for details.\n");
  }

  @Test
  void missingOrExtraArgumentsAreUsageErrors() {
    assertUsageError(
        npy("info"),
        "npy info: missing FILE\nusage: npy info [--json] FILE...\nRun 'npy info --help' for details.\n");
    assertUsageError(
        npy("info", "--json"),
        "npy info: missing FILE\nusage: npy info [--json] FILE...\nRun 'npy info --help' for details.\n");
    assertThat(npy("head").err()).startsWith("npy head: missing FILE\n");
    assertThat(npy("head", "a.npy", "b.npy").err())
        .startsWith("npy head: expected one FILE, got 2 arguments\n");
    assertThat(npy("head", "-n").err()).startsWith("npy head: option '-n' needs a value\n");
    assertThat(npy("head", "-n", "abc", "a.npy").err())
        .startsWith("npy head: invalid number of rows 'abc': expected a whole number, 0 or more\n");
    assertThat(npy("head", "-n", "-1", "a.npy").err())
        .startsWith("npy head: invalid number of rows '-1'");
    assertThat(npy("append").err())
        .startsWith("npy append: missing TARGET and SOURCE\nusage: npy append TARGET SOURCE...\n");
    assertThat(npy("append", "t.npy").err()).startsWith("npy append: missing SOURCE\n");
    assertThat(npy("recover").err()).startsWith("npy recover: missing FILE\n");
    assertThat(npy("recover", "a.npy", "b.npy").err())
        .startsWith("npy recover: expected one FILE, got 2 arguments\n");
    assertThat(npy("ensure-appendable").err()).startsWith("npy ensure-appendable: missing FILE\n");
    assertThat(npy("concat", "a.npy").err())
        .startsWith("npy concat: missing -o OUT\nusage: npy concat -o OUT FILE...\n");
    assertThat(npy("concat", "-o", "out.npy").err()).startsWith("npy concat: missing FILE\n");
    assertThat(npy("concat", "a.npy", "-o").err())
        .startsWith("npy concat: option '-o' needs a value\n");
    for (Object[] args :
        new Object[][] {
          {"head"},
          {"append", "t"},
          {"recover"},
          {"ensure-appendable", "a", "b"},
          {"concat", "a"},
          {"head", "-n", "x", "a"}
        }) {
      Result r = npy(args);
      assertThat(r.code()).as(r.toString()).isEqualTo(2);
      assertThat(r.out()).isEmpty();
    }
    // Nothing was created by the failed commands.
    assertThat(Path.of("t.npy")).doesNotExist();
    assertThat(Path.of("out.npy")).doesNotExist();
  }

  @Test
  void errorsOnFilesExitWithOneAndTheirMessage() throws Exception {
    Path missing = tmp.resolve("missing.npy");
    Path notNpy = fixture("not_npy.txt");
    Path stub =
        Files.write(tmp.resolve("stub.npy"), new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1});
    Path badHeader =
        Files.write(
            tmp.resolve("bad_header.npy"),
            concat(
                new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 16, 0},
                "{'descr': 7}    \n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

    for (String command : new String[] {"info", "head", "recover", "ensure-appendable"}) {
      assertFailure(npy(command, missing), "npy: " + missing + ": no such file or directory\n");
      assertFailure(npy(command, tmp), "npy: " + tmp + ": is a directory\n");
      assertFailure(
          npy(command, notNpy),
          "npy: Cannot read "
              + notNpy
              + ": not a .npy file, it starts with 'hello, t' instead of the magic string \\x93NUMPY\n");
      assertFailure(
          npy(command, stub),
          "npy: Cannot read "
              + stub
              + ": it has 7 bytes, too short for a .npy header (at least 10). The file is truncated or not a .npy file.\n");
      Result r = npy(command, badHeader);
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err())
          .startsWith("npy: Cannot read " + badHeader + ": ")
          .doesNotContain("\tat ");
    }
    assertFailure(
        npy("concat", "-o", tmp.resolve("o.npy"), notNpy),
        "npy: Cannot read "
            + notNpy
            + ": not a .npy file, it starts with 'hello, t' instead of the magic string \\x93NUMPY\n");
    assertFailure(
        npy("concat", "-o", tmp, fixture("ints.npy")), "npy: " + tmp + ": is a directory\n");
    assertFailure(npy("info", ""), "npy: '': no such file or directory\n");
    Path unreadable = Files.copy(fixture("ints.npy"), tmp.resolve("unreadable.npy"));
    if (unreadable.toFile().setReadable(false)
        && !Files.isReadable(unreadable)) { // not when running as root
      assertFailure(npy("head", unreadable), "npy: " + unreadable + ": permission denied\n");
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void assertUsageError(Result r, String err) {
    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo(err);
  }

  private static void assertFailure(Result r, String err) {
    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).isEqualTo(err);
    assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
  }
}
