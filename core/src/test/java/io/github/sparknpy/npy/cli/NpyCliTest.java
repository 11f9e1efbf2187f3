package io.github.sparknpy.npy.cli;

import static io.github.sparknpy.npy.cli.CliRun.npy;
import static io.github.sparknpy.npy.cli.CliRun.npyWithChunks;
import static io.github.sparknpy.npy.cli.Fixtures.bytes;
import static io.github.sparknpy.npy.cli.Fixtures.copy;
import static io.github.sparknpy.npy.cli.Fixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.cli.CliRun.Result;
import io.github.sparknpy.npy.testing.Numpy;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command on files written by numpy, with the results checked by numpy. */
class NpyCliTest {
  @TempDir Path tmp;

  // ---------------------------------------------------------------- info

  /** What numpy's own header reader says about each file, as info --json would print it. */
  private static final String INFO_EXPECTED =
      """
      import os
      import numpy.lib._format_impl as F
      files = sys.argv[2:]
      lines = open(sys.argv[1], encoding='utf-8').read().splitlines()
      assert len(lines) == len(files), (len(lines), len(files))
      for path, line in zip(files, lines):
          actual = json.loads(line)
          with open(path, 'rb') as f:
              version = F.read_magic(f)
              shape, fortran, dtype = F._read_array_header(f, version)
              offset = f.tell()
          descr = F.dtype_to_descr(dtype)
          data_bytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
          grown = list(shape)
          if grown:
              grown[-1 if fortran else 0] = 10 ** (np.lib.format.GROWTH_AXIS_MAX_DIGITS - 1)
          text = "{'descr': %r, 'fortran_order': %r, 'shape': %r, }" % (descr, fortran, tuple(grown))
          prefix = 10 if version == (1, 0) else 12
          encoding = 'utf8' if version == (3, 0) else 'latin1'
          expected = {
              'version': '%d.%d' % version,
              'descr': json.loads(json.dumps(descr)),
              'shape': list(shape),
              'fortran_order': fortran,
              'data_offset': offset,
              'data_bytes': data_bytes,
              'appendable': len(shape) > 0 and offset - prefix >= len(text.encode(encoding)) + 1,
              'needs_recovery': os.path.getsize(path) - offset != data_bytes,
          }
          print(path)
          print(json.dumps(expected, sort_keys=True))
          print(json.dumps(actual, sort_keys=True))
          print(json.dumps(list(actual)))
      """;

  private static final List<String> INFO_FILES =
      List.of(
          "floats.npy",
          "ints.npy",
          "bigendian.npy",
          "cube.npy",
          "fortran2d.npy",
          "fortran3d.npy",
          "records.npy",
          "padded.npy",
          "nested.npy",
          "v2.npy",
          "v3.npy",
          "scalar.npy",
          "empty.npy",
          "truncated.npy",
          "long.npy",
          "legacy.npy");

  @Test
  void infoJsonMatchesNumpysHeaderReader() throws Exception {
    List<Object> args = new ArrayList<>(List.of("info", "--json"));
    INFO_FILES.forEach(f -> args.add(fixture(f)));
    Result r = npy(args.toArray());
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.lines()).hasSize(INFO_FILES.size());

    Path out = Files.writeString(tmp.resolve("info.jsonl"), r.out(), StandardCharsets.UTF_8);
    List<Object> pyArgs = new ArrayList<>(List.of(out));
    INFO_FILES.forEach(f -> pyArgs.add(fixture(f)));
    List<String> check = Numpy.run(INFO_EXPECTED, pyArgs.toArray()).lines().toList();
    SoftAssertions soft = new SoftAssertions();
    for (int i = 0; i < check.size(); i += 4) {
      soft.assertThat(check.get(i + 2))
          .as("info --json of " + check.get(i))
          .isEqualTo(check.get(i + 1));
      soft.assertThat(check.get(i + 3))
          .as("keys of " + check.get(i))
          .isEqualTo(
              "[\"version\", \"descr\", \"shape\", \"fortran_order\", \"data_offset\", \"data_bytes\", \"appendable\", \"needs_recovery\"]");
    }
    soft.assertAll();
    assertThat(check).hasSize(4 * INFO_FILES.size());

    // The cases that matter, spelled out (so numpy and this tool cannot agree on a wrong answer).
    List<String> lines = r.lines();
    assertThat(lines.get(INFO_FILES.indexOf("floats.npy")))
        .isEqualTo(
            "{\"version\": \"1.0\", \"descr\": \"<f8\", \"shape\": [13], \"fortran_order\": false, \"data_offset\": 128, \"data_bytes\": 104, "
                + "\"appendable\": true, \"needs_recovery\": false}");
    assertThat(lines.get(INFO_FILES.indexOf("padded.npy")))
        .contains(
            "\"descr\": [[[\"T\", \"a\"], \"<i4\"], [\"\", \"|V4\"], [\"b\", \"<f8\"], [\"c\", \"<f4\", [2]], [\"\", \"|V8\"]], \"shape\": [2, 3]");
    assertThat(lines.get(INFO_FILES.indexOf("nested.npy")))
        .contains("\"descr\": [[\"a\", [\"<f4\", [2]], [3]], [\"q'\\\"\\\\\\t\", \"|u1\"]]");
    assertThat(lines.get(INFO_FILES.indexOf("v2.npy")))
        .startsWith("{\"version\": \"2.0\", \"descr\": \"<u2\"");
    assertThat(lines.get(INFO_FILES.indexOf("v3.npy")))
        .startsWith("{\"version\": \"3.0\", \"descr\": [[\"\u540d\", \"<i2\"]]");
    assertThat(lines.get(INFO_FILES.indexOf("fortran3d.npy")))
        .contains("\"shape\": [2, 3, 4], \"fortran_order\": true");
    assertThat(lines.get(INFO_FILES.indexOf("scalar.npy")))
        .contains("\"shape\": [], ")
        .endsWith("\"appendable\": false, \"needs_recovery\": false}");
    assertThat(lines.get(INFO_FILES.indexOf("truncated.npy")))
        .endsWith("\"data_bytes\": 80, \"appendable\": true, \"needs_recovery\": true}");
    assertThat(lines.get(INFO_FILES.indexOf("long.npy")))
        .endsWith("\"data_bytes\": 80, \"appendable\": true, \"needs_recovery\": true}");
    assertThat(lines.get(INFO_FILES.indexOf("legacy.npy")))
        .endsWith("\"data_bytes\": 12, \"appendable\": false, \"needs_recovery\": false}");
  }

  @Test
  void infoTextIsAnAlignedBlockPerFile() {
    Path ints = fixture("ints.npy");
    Path truncated = fixture("truncated.npy");
    Result r = npy("info", ints, truncated);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .isEqualTo(
            ints
                + ":\n"
                + "  version         1.0\n"
                + "  dtype           <i4\n"
                + "  shape           (15, 3)\n"
                + "  fortran_order   false\n"
                + "  data_offset     128\n"
                + "  data_bytes      180\n"
                + "  appendable      true\n"
                + "  needs_recovery  false\n"
                + "\n"
                + truncated
                + ":\n"
                + "  version         1.0\n"
                + "  dtype           <i8\n"
                + "  shape           (10,)\n"
                + "  fortran_order   false\n"
                + "  data_offset     128\n"
                + "  data_bytes      80\n"
                + "  appendable      true\n"
                + "  needs_recovery  true (the header implies 80 bytes of data, the file has 75; run 'npy recover')\n");

    Result rec = npy("info", fixture("padded.npy"));
    assertThat(rec.out())
        .contains(
            "  dtype           [(('T', 'a'), '<i4'), ('', '|V4'), ('b', '<f8'), ('c', '<f4', (2,)), ('', '|V8')]\n")
        .contains("  shape           (2, 3)\n");
  }

  @Test
  void infoReportsBadFilesAndStillDescribesTheOthers() {
    Path missing = tmp.resolve("missing.npy");
    Result r =
        npy(
            "info",
            "--json",
            fixture("ints.npy"),
            missing,
            fixture("not_npy.txt"),
            fixture("floats.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.lines()).hasSize(2);
    assertThat(r.lines().get(0)).contains("\"shape\": [15, 3]");
    assertThat(r.lines().get(1)).contains("\"shape\": [13]");
    assertThat(r.err())
        .isEqualTo(
            "npy: "
                + missing
                + ": no such file or directory\n"
                + "npy: Cannot read "
                + fixture("not_npy.txt")
                + ": not a .npy file, it starts with 'hello, t' instead of the magic string \\x93NUMPY\n");
  }

  // ---------------------------------------------------------------- head

  /**
   * numpy's text for the first n rows along axis 0: str() of scalars and records, rows as nested
   * lists.
   */
  private static final String HEAD_EXPECTED =
      """
      sys.stdout.reconfigure(encoding='utf-8')
      def fmt(x):
          if isinstance(x, np.ndarray):
              return '[' + ' '.join(fmt(y) for y in x) + ']'
          return str(x)
      for case in sys.argv[1:]:
          path, n = case.rsplit('|', 1)
          a = np.load(path)
          rows = [a[()]] if a.ndim == 0 else a[:int(n)]
          print(json.dumps([fmt(row) for row in rows], ensure_ascii=False))
      """;

  @Test
  void headPrintsRowsAsNumpyDoes() {
    // file, -n (null: default of 10)
    Object[][] cases = {
      {"floats.npy", null},
      {"floats.npy", 20},
      {"ints.npy", 3},
      {"records.npy", null},
      {"fortran2d.npy", 2},
      {"cube.npy", null},
      {"bigendian.npy", 1},
      {"c_235.npy", 1},
      {"fortran3d.npy", null},
      {"empty.npy", null},
      {"scalar.npy", null},
    };
    List<Object> pyArgs = new ArrayList<>();
    List<String> actual = new ArrayList<>();
    for (Object[] c : cases) {
      Path file = fixture((String) c[0]);
      Result r = c[1] == null ? npy("head", file) : npy("head", "-n", c[1], file);
      assertThat(r.code()).as(r.toString()).isZero();
      assertThat(r.err()).isEmpty();
      actual.add(Json.write(r.lines()));
      pyArgs.add(file + "|" + (c[1] == null ? 10 : c[1]));
    }
    List<String> expected = Numpy.run(HEAD_EXPECTED, pyArgs.toArray()).lines().toList();
    for (int i = 0; i < cases.length; i++) {
      assertThat(actual.get(i))
          .as("head of " + cases[i][0] + " -n " + cases[i][1])
          .isEqualTo(expected.get(i));
    }

    // A few spelled out.
    assertThat(npy("head", "-n", 3, fixture("ints.npy")).out())
        .isEqualTo("[-7 -6 -5]\n[-4 -3 -2]\n[-1 0 1]\n");
    assertThat(npy("head", "-n3", fixture("floats.npy")).out()).isEqualTo("0.0\n0.5\n-1.25\n");
    assertThat(npy("head", fixture("records.npy")).lines())
        .containsExactly(
            "(1, 2.5, b'ab', 'xy')",
            "(-2, 1e+20, b'', '\u00e9')",
            "(3, -0.0, b'x\"y', '\u540d\u5b57')",
            "(4, 0.1, b'q', '')");
    assertThat(npy("head", "--lines=1", fixture("cube.npy")).out())
        .isEqualTo("[[0 1] [2 3] [4 5]]\n");
    assertThat(npy("head", "-n", 2, fixture("fortran2d.npy")).out())
        .isEqualTo("[0 1 2 3 4]\n[5 6 7 8 9]\n");
    assertThat(npy("head", fixture("scalar.npy")).out()).isEqualTo("3.5\n");
    assertThat(npy("head", "-n", 0, fixture("ints.npy")).out()).isEmpty();
    assertThat(npy("head", fixture("floats.npy")).lines()).hasSize(10);
  }

  @Test
  void headOfATruncatedFilePrintsTheRowsThereAndFails() {
    Result r = npy("head", "-n", 20, fixture("truncated.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.lines()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8");
    assertThat(r.err())
        .startsWith(
            "npy: Cannot read "
                + fixture("truncated.npy")
                + ": its header says 80 bytes of data but the file has 75.")
        .contains("npy recover")
        .doesNotContain("\tat ");
  }

  // ---------------------------------------------------------------- append

  /**
   * For each case: whether the target equals np.concatenate of the sources, its dtype, shape and
   * order.
   */
  private static final String CONCAT_CHECK =
      """
      for case in sys.argv[1:]:
          target, axis, *sources = case.split('|')
          t = np.load(target, mmap_mode='r')
          expected = np.concatenate([np.load(s) for s in sources], axis=int(axis))
          same = np.array_equal(t, expected) and t.shape == expected.shape
          print('ok' if same else 'DIFFERENT', t.dtype.str, t.shape, 'F' if np.isfortran(t) else 'C')
      """;

  private static String concatCase(Path target, int axis, Path... sources) {
    StringBuilder sb = new StringBuilder().append(target).append('|').append(axis);
    for (Path s : sources) {
      sb.append('|').append(s);
    }
    return sb.toString();
  }

  @Test
  void appendMatchesNumpyConcatenate() {
    List<String> cases = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    Path ints = fixture("ints.npy");
    Path more = fixture("ints_more.npy");
    Path small = fixture("smallints.npy");

    // A new target from C-order sources, with a safe cast i2 -> i4 for the last one.
    Path created = tmp.resolve("created.npy");
    Result r = npy("append", created, ints, more, small);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.lines())
        .containsExactly(
            "appended 15 rows from " + ints,
            "appended 5 rows from " + more,
            "appended 4 rows from " + small,
            created + ": shape (24, 3), dtype <i4");
    cases.add(concatCase(created, 0, ints, more, small));
    expected.add("ok <i4 (24, 3) C");

    // The same with one row per chunk (the header is written once, after the data).
    Path deferred = tmp.resolve("deferred.npy");
    r = npyWithChunks(12, "append", deferred, ints, more, small);
    assertThat(r.code()).as(r.toString()).isZero();
    cases.add(concatCase(deferred, 0, ints, more, small));
    expected.add("ok <i4 (24, 3) C");

    // An existing C target; a Fortran-order source is gathered into C-order chunks.
    Path existing = copy("ints.npy", tmp, "existing.npy");
    Path fk3 = fixture("fortran_k3.npy");
    r = npyWithChunks(8, "append", existing, fk3, more);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.lines())
        .containsExactly(
            "appended 7 rows from " + fk3,
            "appended 5 rows from " + more,
            existing + ": shape (27, 3), dtype <i4");
    cases.add(concatCase(existing, 0, ints, fk3, more));
    expected.add("ok <i4 (27, 3) C");

    // 3-D: a Fortran source into a C target, with a middle axis; several source rows per read.
    Path cube = copy("cube.npy", tmp, "cube_target.npy");
    Path fk32 = fixture("fortran_k32.npy");
    r = npyWithChunks(48, "append", cube, fk32);
    assertThat(r.code()).as(r.toString()).isZero();
    cases.add(concatCase(cube, 0, fixture("cube.npy"), fk32));
    expected.add("ok <i8 (7, 3, 2) C");

    // A Fortran target grows on its last axis: from a C source (gathered) and a Fortran one (rows).
    Path f3 = copy("fortran3d.npy", tmp, "f3_target.npy");
    Path c235 = fixture("c_235.npy");
    r = npyWithChunks(8, "append", f3, c235, fixture("fortran3d.npy"));
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.lines())
        .containsExactly(
            "appended 5 rows from " + c235,
            "appended 4 rows from " + fixture("fortran3d.npy"),
            f3 + ": shape (2, 3, 13), dtype <f4");
    cases.add(concatCase(f3, 2, fixture("fortran3d.npy"), c235, fixture("fortran3d.npy")));
    expected.add("ok <f4 (2, 3, 13) F");

    // A new target takes the first source's order and dtype (here Fortran, big-endian).
    Path newF = tmp.resolve("new_fortran.npy");
    assertThat(
            npyWithChunks(20, "append", newF, fixture("fortran2d.npy"), fixture("fortran2d.npy"))
                .code())
        .isZero();
    cases.add(concatCase(newF, 1, fixture("fortran2d.npy"), fixture("fortran2d.npy")));
    expected.add("ok <i4 (4, 10) F");
    Path big = tmp.resolve("big.npy");
    assertThat(npy("append", big, fixture("bigendian.npy"), fixture("bigendian.npy")).code())
        .isZero();
    cases.add(concatCase(big, 0, fixture("bigendian.npy"), fixture("bigendian.npy")));
    expected.add("ok >i8 (6, 2) C");

    // Records, and an empty source.
    Path recs = tmp.resolve("records.npy");
    assertThat(
            npyWithChunks(100, "append", recs, fixture("records.npy"), fixture("records.npy"))
                .code())
        .isZero();
    cases.add(concatCase(recs, 0, fixture("records.npy"), fixture("records.npy")));
    expected.add("ok |V35 (8,) C");
    Path fromEmpty = tmp.resolve("from_empty.npy");
    r = npy("append", fromEmpty, fixture("empty.npy"), fixture("doubles.npy"));
    assertThat(r.lines()).first().isEqualTo("appended 0 rows from " + fixture("empty.npy"));
    cases.add(concatCase(fromEmpty, 0, fixture("empty.npy"), fixture("doubles.npy")));
    expected.add("ok <f8 (2, 3) C");

    assertThat(Numpy.run(CONCAT_CHECK, cases.toArray()).lines().toList()).isEqualTo(expected);
    // Every target is complete and appendable.
    List<Object> infoArgs =
        new ArrayList<>(
            List.of(
                "info", "--json", created, deferred, existing, cube, f3, newF, big, recs,
                fromEmpty));
    assertThat(npy(infoArgs.toArray()).lines())
        .allSatisfy(
            line -> assertThat(line).endsWith("\"appendable\": true, \"needs_recovery\": false}"));
  }

  @Test
  void appendRefusesIncompatibleSourcesBeforeWritingAnything() {
    Path ints = fixture("ints.npy");

    // Unsafe cast f8 -> i4: the existing target is untouched.
    Path target = copy("ints.npy", tmp, "target.npy");
    byte[] before = bytes(target);
    Result r = npy("append", target, fixture("ints_more.npy"), fixture("doubles.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .startsWith(
            "npy: Cannot append to "
                + target
                + ": Cannot cast array data from dtype '<f8' to '<i4' according to the rule 'safe'")
        .doesNotContain("\tat ");
    assertThat(bytes(target)).isEqualTo(before);

    // A new target is not left behind when a later source does not fit.
    Path fresh = tmp.resolve("fresh.npy");
    r = npy("append", fresh, ints, fixture("ints_wide.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "npy: Cannot append "
                + fixture("ints_wide.npy")
                + " (shape (2, 4)) to "
                + fresh
                + " (shape (0, 3), C order): the shapes must have the same length and differ only on axis 0, the growth axis of "
                + fresh
                + "\n");
    assertThat(fresh).doesNotExist();
    assertThat(npy("append", fresh, ints, fixture("doubles.npy")).code()).isEqualTo(1);
    assertThat(fresh).doesNotExist();
    r = npy("append", fresh, ints, fixture("cube.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("(shape (2, 3, 2)) to " + fresh);
    assertThat(fresh).doesNotExist();

    // Sources that cannot be read or have no rows: nothing is created.
    r = npy("append", fresh, ints, tmp.resolve("nope.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo("npy: " + tmp.resolve("nope.npy") + ": no such file or directory\n");
    r = npy("append", fresh, fixture("truncated.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "npy: Cannot append "
                + fixture("truncated.npy")
                + ": its header says 80 bytes of data but the file has 75. Run 'npy recover' on it first.\n");
    r = npy("append", fresh, fixture("scalar.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("it holds a 0-d array");
    r = npy("append", fresh, fixture("not_npy.txt"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("npy: Cannot read " + fixture("not_npy.txt") + ": not a .npy file");
    assertThat(fresh).doesNotExist();

    // Targets the library refuses.
    Path legacy = copy("legacy.npy", tmp);
    r = npy("append", legacy, fixture("v2.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("npy: Cannot append to " + legacy + ": its header has no spare space")
        .contains("npy ensure-appendable");
    Path truncated = copy("truncated.npy", tmp);
    r = npy("append", truncated, fixture("truncated.npy"));
    assertThat(r.code()).isEqualTo(1);
    Path trTarget = copy("truncated.npy", tmp, "tr_target.npy");
    r = npy("append", trTarget, fixture("floats.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .startsWith(
            "npy: Cannot append to "
                + trTarget
                + ": its header says 80 bytes of data but the file has 75")
        .contains("npy recover");
    r = npy("append", tmp, ints);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("npy: " + tmp + ": is a directory\n");
  }

  // ---------------------------------------------------------------- recover

  private static final String LOAD_CHECK =
      """
      for case in sys.argv[1:]:
          path, values = case.split('|')
          a = np.load(path)
          m = np.load(path, mmap_mode='r')
          print('ok' if np.array_equal(a, json.loads(values)) and np.array_equal(m, a) else 'DIFFERENT: %s' % a.tolist())
      """;

  @Test
  void recoverRepairsFilesSoNumpyLoadsThem() {
    Path cut = copy("truncated.npy", tmp, "cut.npy");
    Path filled = copy("truncated.npy", tmp, "filled.npy");
    Path longer = copy("long.npy", tmp);
    Path legacy = copy("legacy.npy", tmp);
    Path ints = copy("ints.npy", tmp);

    Result r = npy("recover", cut);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo(cut + ": rows 10 -> 9, 3 bytes truncated, 0 bytes zero-filled\n");
    r = npy("recover", "--zerofill-incomplete", filled);
    assertThat(r.out())
        .isEqualTo(filled + ": rows 10 -> 10, 0 bytes truncated, 5 bytes zero-filled\n");
    r = npy("recover", longer);
    assertThat(r.out())
        .isEqualTo(longer + ": rows 10 -> 10, 3 bytes truncated, 0 bytes zero-filled\n");
    r = npy("recover", legacy);
    assertThat(r.out())
        .isEqualTo(
            legacy
                + ": nothing to recover, the data matches the header (3 rows), header rewritten to be appendable\n");
    r = npy("recover", ints);
    assertThat(r.out())
        .isEqualTo(ints + ": nothing to recover, the data matches the header (15 rows)\n");
    assertThat(bytes(ints)).isEqualTo(bytes(fixture("ints.npy")));
    r = npy("recover", cut);
    assertThat(r.out())
        .isEqualTo(cut + ": nothing to recover, the data matches the header (9 rows)\n");

    assertThat(
            Numpy.run(
                    LOAD_CHECK,
                    cut + "|[0,1,2,3,4,5,6,7,8]",
                    filled + "|[0,1,2,3,4,5,6,7,8,9]",
                    longer + "|[0,1,2,3,4,5,6,7,8,9]",
                    legacy + "|[5,6,7]")
                .lines()
                .toList())
        .containsExactly("ok", "ok", "ok", "ok");
    assertThat(npy("info", "--json", cut, filled, longer, legacy).lines())
        .allSatisfy(
            line -> assertThat(line).endsWith("\"appendable\": true, \"needs_recovery\": false}"));

    r = npy("recover", fixture("not_npy.txt"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("npy: Cannot read " + fixture("not_npy.txt") + ": not a .npy file");
    r = npy("recover", tmp.resolve("nope.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo("npy: " + tmp.resolve("nope.npy") + ": no such file or directory\n");
  }

  /** Spark and Hadoop print local files as file: URIs; the CLI takes them as they are printed. */
  @Test
  void fileUrisAsSparkPrintsThemNameLocalFiles() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("a dir"));
    Path cut = copy("truncated.npy", dir, "cut.npy");
    Result r = npy("recover", "file:" + cut);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).endsWith(": rows 10 -> 9, 3 bytes truncated, 0 bytes zero-filled\n");
    for (String form :
        List.of(
            "file://" + cut,
            "file://localhost" + cut,
            cut.toUri().toString(), // percent-escaped: file:///…/a%20dir/cut.npy
            "FILE:" + cut)) {
      r = npy("recover", form);
      assertThat(r.code()).as(form + ": " + r).isZero();
      assertThat(r.out())
          .as(form)
          .endsWith(": nothing to recover, the data matches the header (9 rows)\n");
    }
    r = npy("info", "file:" + cut);
    assertThat(r.code()).as(r.toString()).isZero();
    Path out = dir.resolve("both.npy");
    r = npy("concat", "-o", "file:" + out, "file:" + cut, cut);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(Files.exists(out)).isTrue();

    r = npy("recover", "hdfs://namenode:8020/data/x.npy");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "npy: hdfs://namenode:8020/data/x.npy: not a local file: npy works on local files;"
                + " copy it to a local disk (e.g. hdfs dfs -get, aws s3 cp), run npy on the copy,"
                + " then put the result back\n");
    r = npy("recover", "file://otherhost/tmp/x.npy");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "npy: file://otherhost/tmp/x.npy: names host 'otherhost': npy works on this"
                + " machine's files only\n");
    r = npy("recover", "file:" + dir.resolve("nope.npy"));
    assertThat(r.err())
        .isEqualTo("npy: file:" + dir.resolve("nope.npy") + ": no such file or directory\n");
  }

  // ---------------------------------------------------------------- ensure-appendable

  @Test
  void ensureAppendableRewritesLegacyHeaders() throws IOException {
    Path copied = copy("legacy.npy", tmp, "copied.npy");
    Path inPlace = copy("legacy.npy", tmp, "in_place.npy");
    Result r = npy("ensure-appendable", copied);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo(copied + ": made appendable (header rewritten)\n");
    r = npy("ensure-appendable", "--in-place", inPlace);
    assertThat(r.out()).isEqualTo(inPlace + ": made appendable (header rewritten)\n");
    r = npy("ensure-appendable", copied);
    assertThat(r.out()).isEqualTo(copied + ": already appendable, unchanged\n");
    Path ints = copy("ints.npy", tmp);
    assertThat(npy("ensure-appendable", "--in-place", ints).out())
        .isEqualTo(ints + ": already appendable, unchanged\n");
    assertThat(bytes(ints)).isEqualTo(bytes(fixture("ints.npy")));

    assertThat(Numpy.run(LOAD_CHECK, copied + "|[5,6,7]", inPlace + "|[5,6,7]").lines().toList())
        .containsExactly("ok", "ok");
    assertThat(npy("info", "--json", copied, inPlace).lines())
        .allSatisfy(
            line -> assertThat(line).endsWith("\"appendable\": true, \"needs_recovery\": false}"));
    assertThat(npy("append", copied, fixture("v2.npy")).code()).isZero();

    Path truncated = copy("legacy.npy", tmp, "legacy_truncated.npy");
    try (FileChannel ch = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 2);
    }
    r = npy("ensure-appendable", truncated);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "npy: Cannot make "
                + truncated
                + " appendable: its header says 12 bytes of data but the file has 10."
                + " Call Npy.recover(path, ...) or run 'npy recover', which also makes it appendable.\n");
    r = npy("ensure-appendable", fixture("scalar.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .startsWith(
            "npy: Cannot make " + fixture("scalar.npy") + " appendable: it holds a 0-d array");
  }

  // ---------------------------------------------------------------- concat

  @Test
  void concatMatchesNumpyConcatenate() {
    Path out = tmp.resolve("out.npy");
    Path ints = fixture("ints.npy");
    Path more = fixture("ints_more.npy");
    Result r = npy("concat", "-o", out, ints, more, ints);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo(out + ": concatenated 3 files, shape (35, 3), dtype <i4\n");
    Path outF = tmp.resolve("out_f.npy");
    r = npy("concat", "--output=" + outF, fixture("fortran3d.npy"), fixture("fortran3d.npy"));
    assertThat(r.code()).as(r.toString()).isZero();
    Path outRec = tmp.resolve("out_rec.npy");
    assertThat(npy("concat", "--output", outRec, fixture("padded.npy")).code()).isZero();

    assertThat(
            Numpy.run(
                    CONCAT_CHECK,
                    concatCase(out, 0, ints, more, ints),
                    concatCase(outF, 2, fixture("fortran3d.npy"), fixture("fortran3d.npy")),
                    concatCase(outRec, 0, fixture("padded.npy")))
                .lines()
                .toList())
        .containsExactly("ok <i4 (35, 3) C", "ok <f4 (2, 3, 8) F", "ok |V32 (2, 3) C");
    assertThat(npy("info", "--json", out, outF, outRec).lines())
        .allSatisfy(
            line -> assertThat(line).endsWith("\"appendable\": true, \"needs_recovery\": false}"));

    Path bad = tmp.resolve("bad.npy");
    r = npy("concat", "-o", bad, ints, fixture("ints_wide.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .startsWith(
            "npy: Cannot concatenate "
                + fixture("ints_wide.npy")
                + " (shape (2, 4), fortran_order False) with "
                + ints);
    r = npy("concat", "-o", bad, ints, fixture("smallints.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "npy: Cannot concatenate "
                + fixture("smallints.npy")
                + " with "
                + ints
                + ": dtype '<i2' differs from '<i4'\n");
    r = npy("concat", "-o", bad, ints, fixture("truncated.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("npy recover");
    r = npy("concat", "-o", bad, ints, tmp.resolve("nope.npy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo("npy: " + tmp.resolve("nope.npy") + ": no such file or directory\n");
    assertThat(bad).doesNotExist();
  }
}
