package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.error.NpyException;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyIncompatibleArrayException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.error.NpyNotAppendableException;
import io.github.sparknpy.npy.error.NpyUnsupportedDtypeException;
import io.github.sparknpy.npy.header.NpyVersion;
import io.github.sparknpy.npy.io.ByteArrayInputFile;
import io.github.sparknpy.npy.testing.DirectorySnapshot;
import io.github.sparknpy.npy.testing.Numpy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core rows of the bad-input matrix in docs/reliability.md, one test per row: what the caller
 * gets (type and message naming the file and the remedy) and that no file was changed, created or
 * deleted.
 */
class BadInputMatrixTest {
  @TempDir Path dir;

  /**
   * A .npy file of the given version whose header dictionary is {@code dict}, then {@code data}.
   */
  private Path rawNpy(String name, int major, String dict, byte[] data) throws IOException {
    int prefix = major == 1 ? 10 : 12;
    byte[] text = dict.getBytes(StandardCharsets.ISO_8859_1);
    int padded = text.length + 1;
    padded += (64 - (prefix + padded) % 64) % 64;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(padded);
    out.write(len.array(), 0, major == 1 ? 2 : 4);
    out.write(text);
    for (int i = text.length; i < padded - 1; i++) {
      out.write(' ');
    }
    out.write('\n');
    out.write(data);
    Path file = dir.resolve(name);
    Files.write(file, out.toByteArray());
    return file;
  }

  private Path npSave(String name, String expression) {
    Path file = dir.resolve(name);
    Numpy.run("np.save(sys.argv[1], " + expression + ")", file);
    return file;
  }

  /** Every way to open {@code file} fails alike, and nothing under {@link #dir} changes. */
  private void assertOpenFails(Path file, Class<? extends NpyException> type, String... parts)
      throws IOException {
    DirectorySnapshot before = DirectorySnapshot.of(dir);
    byte[] bytes = Files.readAllBytes(file);
    List<ThrowingCallable> opens =
        List.of(
            () -> NpyFile.open(file).close(),
            () -> NpyFile.open(new ByteArrayInputFile(bytes, file.toString())).close(),
            () -> NpyAppendArray.open(file).close(),
            () -> Npy.recover(file, false),
            () -> Npy.ensureAppendable(file, true));
    for (ThrowingCallable open : opens) {
      var thrown =
          assertThatThrownBy(open).isInstanceOf(type).hasMessageContaining(file.toString());
      for (String part : parts) {
        thrown.hasMessageContaining(part);
      }
    }
    before.assertUnchanged();
  }

  @Test
  void emptyFile() throws IOException {
    Path file = dir.resolve("empty.npy");
    Files.write(file, new byte[0]);
    DirectorySnapshot before = DirectorySnapshot.of(dir);
    assertThatThrownBy(() -> NpyFile.open(file))
        .isInstanceOf(NpyFormatException.class)
        .hasMessage(
            "Cannot read " + file + ": the file has only 0 bytes, a truncated magic string");
    assertThatThrownBy(() -> Npy.recover(file, false))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("Cannot recover " + file + ": it is empty (0 bytes)")
        .hasMessageContaining("No row was ever in it: delete it, or append to it");
    before.assertUnchanged();
  }

  @Test
  void truncatedHeader() throws IOException {
    Path good = npSave("good.npy", "np.arange(12.0).reshape(4, 3)");
    Path file = dir.resolve("cut.npy");
    Files.write(file, Arrays.copyOf(Files.readAllBytes(good), 40));
    assertOpenFails(
        file,
        NpyFormatException.class,
        "the header says it is 118 bytes long but the file ends at 40 bytes",
        "truncated");
  }

  @Test
  void truncatedData() throws IOException {
    Path file = npSave("cut.npy", "np.arange(12.0).reshape(4, 3)");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 5));
    DirectorySnapshot before = DirectorySnapshot.of(dir);
    try (NpyFile npy = NpyFile.open(file)) {
      // The complete rows stay readable; the cut one names the remedy.
      assertThat(npy.rows(0, 3).remaining()).isEqualTo(72);
      assertThatThrownBy(() -> npy.rows(0, 4))
          .isInstanceOf(NpyNeedsRecoveryException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("npy recover");
    }
    assertThatThrownBy(() -> NpyAppendArray.open(file))
        .isInstanceOf(NpyNeedsRecoveryException.class)
        .hasMessage(
            "Cannot append to "
                + file
                + ": its header says 96 bytes of data but the file has 91 (an append was"
                + " interrupted). Call Npy.recover(path, ...) or run 'npy recover' first.");
    before.assertUnchanged();
  }

  @Test
  void wrongMagic() throws IOException {
    Path file = dir.resolve("zip.npy");
    Files.write(file, "PK\u0003\u0004 not numpy at all".getBytes(StandardCharsets.ISO_8859_1));
    assertOpenFails(
        file, NpyFormatException.class, "not a .npy file", "instead of the magic string");
  }

  @Test
  void unknownVersion() throws IOException {
    Path file =
        rawNpy(
            "v4.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }", new byte[0]);
    byte[] bytes = Files.readAllBytes(file);
    bytes[6] = 4;
    Files.write(file, bytes);
    assertOpenFails(
        file,
        NpyFormatException.class,
        "unsupported .npy format version 4.0 (this library reads 1.0, 2.0 and 3.0)");
  }

  @Test
  void headerLengthUpTo4GiBIsRefusedBeforeAnyAllocation() throws IOException {
    for (int major : new int[] {2, 3}) {
      Path file = dir.resolve("huge-v" + major + ".npy");
      ByteBuffer b = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN);
      b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0}).putInt(-1);
      b.put((byte) '{').put((byte) '}');
      Files.write(file, b.array());
      assertOpenFails(
          file,
          NpyFormatException.class,
          "its header is 4294967295 bytes, more than the limit of 1048576 bytes",
          "raise the maximum header size");
    }
  }

  @Test
  void headerOverAConfiguredLimit() throws IOException {
    Path file = npSave("wide.npy", "np.zeros(2, [('f%03d' % i, '<i4') for i in range(100)])");
    DirectorySnapshot before = DirectorySnapshot.of(dir);
    assertThatThrownBy(() -> NpyFile.open(file, 1000))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("more than the limit of 1000 bytes");
    assertThatThrownBy(() -> NpyAppendArray.builder(file).maxHeaderBytes(1000).open())
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("more than the limit of 1000 bytes");
    before.assertUnchanged();
    try (NpyFile npy = NpyFile.open(file, 1 << 16)) {
      assertThat(npy.rowCount()).isEqualTo(2);
    }
  }

  @Test
  void hostileHeaderDictionaries() throws IOException {
    String nested = "[".repeat(5000) + "]".repeat(5000);
    String[][] cases = {
      {"{'descr': " + nested + ", 'fortran_order': False, 'shape': (1,), }", "nested brackets"},
      {"[1, 2, 3]", "header is not a dictionary"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (1,", "cannot parse header"},
      {"{'descr': '<f8', 'shape': (1,), }", "fortran_order"},
      {"{'descr': '<f8', 'fortran_order': 'no', 'shape': (1,), }", "fortran_order"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (1.5,), }", "shape"},
      {"{'descr': '<q9', 'fortran_order': False, 'shape': (1,), }", "<q9"},
      {"{'descr': __import__('os'), 'fortran_order': False, 'shape': (1,), }", "cannot parse"},
    };
    for (int i = 0; i < cases.length; i++) {
      Path file = rawNpy("hostile" + i + ".npy", 1 + i % 3, cases[i][0], new byte[8]);
      assertOpenFails(file, NpyException.class, "Cannot read", cases[i][1]);
    }
  }

  @Test
  void objectDtype() throws IOException {
    Path file = dir.resolve("obj.npy");
    Numpy.run(
        "np.save(sys.argv[1], np.array([{'a': 1}, None], dtype=object), allow_pickle=True)", file);
    assertOpenFails(
        file,
        NpyUnsupportedDtypeException.class,
        "Cannot use dtype '|O'",
        "never unpickles",
        "fixed-width dtype");
  }

  @Test
  void negativeOverflowingAndTooManyDimensions() throws IOException {
    String[][] cases = {
      {"(-3,)", "shape (-3,) has a negative or too large dimension"},
      {"(4611686018427387904, 4)", "overflows a 64-bit integer"},
      {"(99999999999999999999999,)", "negative or too large dimension"},
      {"(" + "1, ".repeat(65) + ")", "shape has 65 dimensions, more than numpy's 64"},
    };
    for (int i = 0; i < cases.length; i++) {
      Path file =
          rawNpy(
              "shape" + i + ".npy",
              1,
              "{'descr': '<f8', 'fortran_order': False, 'shape': " + cases[i][0] + ", }",
              new byte[0]);
      assertOpenFails(file, NpyFormatException.class, cases[i][1]);
    }
  }

  @Test
  void wrongDtypeOnAppend() throws IOException {
    Path file = npSave("ints.npy", "np.arange(6, dtype='<i8').reshape(2, 3)");
    DirectorySnapshot before = DirectorySnapshot.of(dir);
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      assertThatThrownBy(() -> out.append(new double[] {1, 2, 3}, 1, 3))
          .isInstanceOf(NpyIncompatibleArrayException.class)
          .hasMessage(
              "Cannot append to "
                  + file
                  + ": Cannot cast array data from dtype '<f8' to '<i8' according to the rule"
                  + " 'safe': the conversion could lose values; pass Casting.UNSAFE to allow it");
    }
    before.assertUnchanged();
  }

  @Test
  void wrongRowShapeOnAppend() throws IOException {
    Path file = npSave("ints.npy", "np.arange(6, dtype='<i8').reshape(2, 3)");
    DirectorySnapshot before = DirectorySnapshot.of(dir);
    try (NpyAppendArray out = NpyAppendArray.builder(file).rewriteHeaderOnAppend(false).open()) {
      assertThatThrownBy(() -> out.appendRow(new long[] {1, 2}))
          .isInstanceOf(NpyIncompatibleArrayException.class)
          .hasMessage(
              "Cannot append an array of shape (1, 2) to "
                  + file
                  + " of shape (2, 3): shapes may differ only on axis 0 (the growth axis of a"
                  + " C-order file), but axis 1 is 2 here and 3 in the file");
    }
    before.assertUnchanged();
  }

  @Test
  void valueThatDoesNotFitLeavesNoPartOfALargeAppend() throws IOException {
    Path file = npSave("times.npy", "np.array([0, 1], 'M8[ns]')");
    DirectorySnapshot before = DirectorySnapshot.of(dir);
    // 300,000 seconds (2.4 MB, several conversion chunks) whose last one overflows nanoseconds.
    int n = 300_000;
    ByteBuffer seconds = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n - 1; i++) {
      seconds.putLong(i);
    }
    seconds.putLong(Long.MAX_VALUE / 10).flip();
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      assertThatThrownBy(() -> out.append(NpyArray.of(DType.of("<M8[s]"), seconds, false, n)))
          .isInstanceOf(NpyIncompatibleArrayException.class)
          .hasMessageContaining("Cannot convert '<M8[s]' value " + Long.MAX_VALUE / 10)
          .hasMessageContaining("does not fit in 64 bits");
      out.append(NpyArray.of(DType.of("<M8[s]"), ByteBuffer.allocate(8), false, 1));
    }
    assertThat(Numpy.run("print(np.load(sys.argv[1]).astype('i8').tolist())", file).trim())
        .isEqualTo("[0, 1, 0]");
    Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 128 + 16));
    rewriteRowCount(file, 2);
    before.assertUnchanged();
  }

  /** Puts back the header of a 2-row file so the snapshot can compare bytes. */
  private static void rewriteRowCount(Path file, long rows) throws IOException {
    try (NpyFile npy = NpyFile.open(file)) {
      byte[] header =
          npy.header().withRowCount(rows).encode(NpyVersion.V1_0, npy.encodedHeader().dataOffset());
      byte[] bytes = Files.readAllBytes(file);
      System.arraycopy(header, 0, bytes, 0, header.length);
      Files.write(file, bytes);
    }
  }

  @Test
  void fileWithoutSpareHeaderSpaceIsNotAppendable() throws IOException {
    Path file = dir.resolve("legacy.npy");
    Files.write(file, LegacyFiles.legacyNpy("<f8", "(2,)", new byte[16]));
    DirectorySnapshot before = DirectorySnapshot.of(dir);
    assertThatThrownBy(() -> NpyAppendArray.open(file))
        .isInstanceOf(NpyNotAppendableException.class)
        .hasMessage(
            "Cannot append to "
                + file
                + ": its header has no spare space to grow in place (written by an older numpy or"
                + " another tool). Call Npy.ensureAppendable(path, ...) or run 'npy"
                + " ensure-appendable' first.");
    before.assertUnchanged();
  }

  @Test
  void concatenatingMismatchedFiles() throws IOException {
    Path a = npSave("a.npy", "np.zeros((2, 3))");
    Path b = npSave("b.npy", "np.zeros((2, 4))");
    Path c = npSave("c.npy", "np.zeros((2, 3), 'f4')");
    DirectorySnapshot before = DirectorySnapshot.of(dir);
    Path out = dir.resolve("out.npy");
    assertThatThrownBy(() -> Npy.concat(out, List.of(a, b)))
        .isInstanceOf(NpyIncompatibleArrayException.class)
        .hasMessageContaining("Cannot concatenate " + b);
    assertThatThrownBy(() -> Npy.concat(out, List.of(a, c)))
        .isInstanceOf(NpyIncompatibleArrayException.class)
        .hasMessage("Cannot concatenate " + c + " with " + a + ": dtype '<f4' differs from '<f8'");
    before.assertUnchanged();
  }
}
