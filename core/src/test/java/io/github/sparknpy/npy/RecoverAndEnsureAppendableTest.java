package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyIncompatibleArrayException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.error.NpyNotAppendableException;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.testing.Numpy;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecoverAndEnsureAppendableTest {
  @TempDir Path dir;

  private static void truncate(Path file, long bytesToCut) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - bytesToCut);
    }
  }

  /** A (10, 4) int64 array in C or Fortran order, cut inside the last element or the last row. */
  @ParameterizedTest(name = "fortran={0} cut={1} zerofill={2}")
  @CsvSource({
    "false,3,false",
    "false,3,true",
    "false,8,false",
    "false,8,true",
    "false,16,false",
    "false,16,true",
    "true,3,false",
    "true,3,true",
    "true,24,false",
    "true,24,true"
  })
  void recoversFilesCutInsideAnElementOrARow(boolean fortran, int cut, boolean zerofill)
      throws Exception {
    Path file = dir.resolve("cut.npy");
    // Fortran files grow on the last axis: shape (4, 10) whose rows are the 10 columns.
    Numpy.run(
        "a = np.arange(40, dtype='<i8').reshape(10, 4) + 1\n"
            + "np.save(sys.argv[1], np.asfortranarray(a.T) if sys.argv[2] == 'true' else a)",
        file,
        fortran);
    truncate(file, cut);
    assertThat(Npy.needsRecovery(file)).isTrue();
    RecoveryResult result = Npy.recover(file, zerofill);
    long rowBytes = 32;
    long kept = 320 - cut;
    long expectRows = zerofill ? (kept + rowBytes - 1) / rowBytes : kept / rowBytes;
    assertThat(result.rowsBefore()).isEqualTo(10);
    assertThat(result.rowsAfter()).isEqualTo(expectRows);
    assertThat(result.bytesZeroFilled()).isEqualTo(zerofill ? expectRows * rowBytes - kept : 0);
    assertThat(result.bytesTruncated()).isEqualTo(zerofill ? 0 : kept - expectRows * rowBytes);
    assertThat(Npy.needsRecovery(file)).isFalse();
    assertThat(Npy.isAppendable(file)).isTrue();
    String script =
        "a = np.load(sys.argv[1], mmap_mode='r')\n"
            + "fortran = sys.argv[2] == 'true'\n"
            + "rows = a.T if fortran else a\n"
            + "want = np.arange(40, dtype='<i8').reshape(10, 4) + 1\n"
            + "n = int(sys.argv[3]); full = (320 - int(sys.argv[4])) // 32\n"
            + "assert rows.shape == (n, 4), rows.shape\n"
            + "assert np.array_equal(rows[:full], want[:full])\n"
            + "if n > full:\n"
            + "    flat = want[full].copy(); got = rows[full]\n"
            + "    keep = ((320 - int(sys.argv[4])) % 32) // 8\n"
            + "    assert np.array_equal(got[:keep], flat[:keep]), (got, flat)\n"
            + "    assert not got[keep + 1:].any()\n"
            + "print('ok')";
    assertThat(Numpy.run(script, file, fortran, expectRows, cut).trim()).isEqualTo("ok");
  }

  @Test
  void recoversDataLongerThanTheHeaderSays() throws Exception {
    Path file = dir.resolve("long.npy");
    Numpy.run("np.save(sys.argv[1], np.arange(3, dtype='<f8'))", file);
    // A log written with deferred headers: two and a half rows beyond what the header says.
    Files.write(
        file,
        new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40, 1, 2, 3, 4},
        StandardOpenOption.APPEND);
    RecoveryResult r = Npy.recover(file, false);
    assertThat(r.rowsAfter()).isEqualTo(5);
    assertThat(r.bytesTruncated()).isEqualTo(4);
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", file).trim())
        .isEqualTo("[0.0, 1.0, 2.0, 1.0, 2.0]");
  }

  @Test
  void recoverIsANoOpOnHealthyFilesAndHandlesEdgeCases() throws Exception {
    Path ok = dir.resolve("ok.npy");
    Numpy.run("np.save(sys.argv[1], np.ones((2, 2)))", ok);
    byte[] before = Files.readAllBytes(ok);
    assertThat(Npy.recover(ok, true).unchanged()).isTrue();
    assertThat(Files.readAllBytes(ok)).isEqualTo(before);

    Path scalar = dir.resolve("scalar.npy");
    Numpy.run("np.save(sys.argv[1], np.float64(2.5))", scalar);
    assertThat(Npy.recover(scalar, false).unchanged()).isTrue();
    truncate(scalar, 3);
    assertThatThrownBy(() -> Npy.recover(scalar, false))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(scalar.toString())
        .hasMessageContaining("0-d")
        .hasMessageContaining("zerofill");
    assertThat(Npy.recover(scalar, true).bytesZeroFilled()).isEqualTo(3);
    assertThat(Numpy.run("print(np.load(sys.argv[1]).shape)", scalar).trim()).isEqualTo("()");

    Path empty = dir.resolve("empty.npy");
    Files.write(empty, new byte[0]);
    assertThatThrownBy(() -> Npy.recover(empty, false))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(empty.toString())
        .hasMessageContaining("0 bytes");
    assertThatThrownBy(() -> Npy.ensureAppendable(empty, true))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(empty.toString());

    Path emptyRows = dir.resolve("emptyrows.npy");
    Numpy.run("np.save(sys.argv[1], np.zeros((3, 0)))", emptyRows);
    assertThat(Npy.recover(emptyRows, false).unchanged()).isTrue();
  }

  @Test
  void recoverMakesALegacyFileAppendableToo() throws Exception {
    Path file = dir.resolve("legacy.npy");
    byte[] data = new byte[8 * 5 + 3];
    for (int i = 0; i < 5; i++) {
      data[i * 8] = (byte) (i + 1);
    }
    Files.write(file, LegacyFiles.legacyNpy("<i8", "(4,)", data));
    RecoveryResult r = Npy.recover(file, false);
    assertThat(r.rowsAfter()).isEqualTo(5);
    assertThat(Npy.isAppendable(file)).isTrue();
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", file).trim())
        .isEqualTo("[1, 2, 3, 4, 5]");
  }

  /** Legacy headers, in place and by copy, over data spanning several 8 MiB copy buffers. */
  @ParameterizedTest(name = "inPlace={0} fortran={1}")
  @CsvSource({"true,false", "false,false", "true,true", "false,true"})
  void ensureAppendableMovesDataExactly(boolean inPlace, boolean fortran) throws Exception {
    int rows = 700_000; // 700,000 x 4 int64 = 22.4 MB
    byte[] data = new byte[rows * 4 * 8];
    java.nio.ByteBuffer.wrap(data)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .asLongBuffer()
        .put(java.util.stream.LongStream.range(0, rows * 4L).toArray());
    Path file = dir.resolve("legacy.npy");
    String shape = fortran ? "(4, " + rows + ")" : "(" + rows + ", 4)";
    Files.write(file, LegacyFiles.legacyNpy("<i8", fortran, shape, data));
    assertThat(Npy.isAppendable(file)).isFalse();
    assertThat(Npy.ensureAppendable(file, inPlace)).isTrue();
    assertThat(Npy.isAppendable(file)).isTrue();
    assertThat(Npy.ensureAppendable(file, inPlace)).isFalse();
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      long[] more = {-1, -2, -3, -4};
      out.append(fortran ? NpyArray.of(more, 4, 1).withFortranLayout() : NpyArray.of(more, 1, 4));
    }
    String script =
        "a = np.load(sys.argv[1], mmap_mode='r')\n"
            + "n = int(sys.argv[2]); fortran = sys.argv[3] == 'true'\n"
            + "flat = np.arange(n * 4, dtype='<i8')\n"
            + "want = flat.reshape(4, n, order='F') if fortran else flat.reshape(n, 4)\n"
            + "want = np.concatenate([want, -np.arange(1, 5).reshape((4, 1) if fortran else (1, 4))], axis=1 if fortran else 0)\n"
            + "assert a.shape == want.shape and np.array_equal(a, want)\n"
            + "import io; b = io.BytesIO(); np.save(b, np.asfortranarray(want) if fortran else want)\n"
            + "assert open(sys.argv[1], 'rb').read() == b.getvalue()\n"
            + "print('ok')";
    assertThat(Numpy.run(script, file, rows, fortran).trim()).isEqualTo("ok");
    assertThat(dir.toFile().list()).containsExactly("legacy.npy");
  }

  @Test
  void ensureAppendableRefusesWhatItCannotFix() throws Exception {
    Path scalar = dir.resolve("scalar.npy");
    Numpy.run("np.save(sys.argv[1], np.int32(1))", scalar);
    assertThatThrownBy(() -> Npy.ensureAppendable(scalar, false))
        .isInstanceOf(NpyNotAppendableException.class)
        .hasMessageContaining(scalar.toString())
        .hasMessageContaining("0-d");
    Path cut = dir.resolve("cut.npy");
    Files.write(cut, LegacyFiles.legacyNpy("<i4", "(3,)", new byte[10]));
    byte[] before = Files.readAllBytes(cut);
    assertThatThrownBy(() -> Npy.ensureAppendable(cut, true))
        .isInstanceOf(NpyNeedsRecoveryException.class)
        .hasMessageContaining(cut.toString())
        .hasMessageContaining("recover");
    assertThat(Files.readAllBytes(cut)).isEqualTo(before);
  }

  @Test
  void concatJoinsOnTheGrowthAxisAndChecksInputs() throws Exception {
    Path a = dir.resolve("a.npy");
    Path b = dir.resolve("b.npy");
    Path c = dir.resolve("c.npy");
    Numpy.run(
        "np.save(sys.argv[1], np.asfortranarray(np.arange(6.).reshape(2, 3)))\n"
            + "np.save(sys.argv[2], np.asfortranarray(np.arange(4.).reshape(2, 2) + 10))\n"
            + "np.save(sys.argv[3], np.arange(4.).reshape(2, 2))",
        a,
        b,
        c);
    Path out = dir.resolve("out.npy");
    NpyHeader h = Npy.concat(out, java.util.List.of(a, b));
    assertThat(h.shape()).containsExactly(2, 5);
    assertThat(
            Numpy.run(
                    "x = np.load(sys.argv[1], mmap_mode='r')\n"
                        + "w = np.concatenate([np.load(sys.argv[2]), np.load(sys.argv[3])], axis=1)\n"
                        + "print(np.array_equal(x, w), x.flags.f_contiguous)",
                    out,
                    a,
                    b)
                .trim())
        .isEqualTo("True True");
    assertThat(Npy.isAppendable(out)).isTrue();
    assertThatThrownBy(() -> Npy.concat(dir.resolve("bad.npy"), java.util.List.of(a, c)))
        .isInstanceOf(NpyIncompatibleArrayException.class)
        .hasMessageContaining(c.toString())
        .hasMessageContaining("same order");
    assertThat(dir.resolve("bad.npy")).doesNotExist();
  }
}
