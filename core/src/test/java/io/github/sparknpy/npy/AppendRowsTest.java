package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.dtype.Casting;
import io.github.sparknpy.npy.error.NpyIncompatibleArrayException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.error.NpyNotAppendableException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.testing.Numpy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core's one "append the rows of other arrays to a file" ({@link ExclusiveFile#appendRows},
 * {@link Npy#append}), checked against numpy's {@code np.concatenate}.
 */
class AppendRowsTest {
  private static final int MAX = EncodedHeader.DEFAULT_MAX_HEADER_BYTES;

  @TempDir Path dir;

  /** Saves the array {@code expr} with numpy to {@code name} and returns the path. */
  private Path save(String name, String expr) {
    Path file = dir.resolve(name);
    Numpy.run("np.save(sys.argv[1], " + expr + ")", file);
    return file;
  }

  /** An appendable copy of what numpy saved. */
  private Path target(String name, String expr) throws IOException {
    Path file = save(name, expr);
    Npy.ensureAppendable(file, true);
    return file;
  }

  /** True if numpy loads {@code file} (mmap) equal to {@code expr}, dtype included. */
  private static String check(Path file, String expr) {
    return Numpy.run(
            "a = np.load(sys.argv[1], mmap_mode='r')\n"
                + "b = "
                + expr
                + "\n"
                + "print(a.dtype == b.dtype and a.shape == b.shape and bool(np.all(a == b))"
                + " and a.flags.f_contiguous == b.flags.f_contiguous)",
            file)
        .trim();
  }

  @Test
  void widensStringsFieldByFieldAsNumpyDoes() throws IOException {
    String a = "np.array([('alpha', 1), ('beta', 2)], dtype=[('name', '<U8'), ('x', '<i4')])";
    String b = "np.array([('xy', 3), ('z', -4), ('', 5)], dtype=[('name', '<U3'), ('x', '<i4')])";
    Path target = target("t.npy", a);
    Path source = save("s.npy", b);

    NpyHeader h = Npy.append(target, List.of(RowSource.of(source, MAX)), Casting.SAFE, MAX);

    assertThat(h.shape()).containsExactly(5);
    assertThat(
            check(
                target,
                "np.concatenate(["
                    + a
                    + ", ("
                    + b
                    + ").astype('"
                    + "<U8,<i4"
                    + "')"
                    + ".view([('name', '<U8'), ('x', '<i4')])])"))
        .isEqualTo("True");
    assertThat(Npy.isAppendable(target)).isTrue();
  }

  @Test
  void convertsUnderTheCastingRuleAndRefusesBeforeWriting() throws IOException {
    Path target = target("t.npy", "np.arange(6, dtype='<f8').reshape(3, 2)");
    Path ints = save("i.npy", "np.arange(4, dtype='>i4').reshape(2, 2) * -7");
    Path doubles = save("d.npy", "np.ones((1, 2), dtype='<f8')");

    Npy.append(target, List.of(RowSource.of(ints, MAX)), Casting.SAFE, MAX, 8);
    assertThat(
            check(
                target,
                "np.concatenate([np.arange(6, dtype='<f8').reshape(3, 2),"
                    + " np.arange(4, dtype='>i4').reshape(2, 2) * -7]).astype('<f8')"))
        .isEqualTo("True");

    Path intTarget = target("it.npy", "np.arange(4, dtype='<i4').reshape(2, 2)");
    byte[] before = Files.readAllBytes(intTarget);
    assertThatThrownBy(
            () ->
                Npy.append(
                    intTarget,
                    List.of(RowSource.of(ints, MAX), RowSource.of(doubles, MAX)),
                    Casting.SAFE,
                    MAX))
        .isInstanceOf(NpyIncompatibleArrayException.class)
        .hasMessageStartingWith("Cannot append " + doubles + " to " + intTarget + ": ")
        .hasMessageContaining("'safe'");
    assertThat(Files.readAllBytes(intTarget)).isEqualTo(before);
  }

  @Test
  void reordersASourceInTheOtherMemoryOrderInSmallChunks() throws IOException {
    String c = "np.arange(12, dtype='<i2').reshape(2, 3, 2)";
    String f = "np.asfortranarray(np.arange(100, 130, dtype='<i2').reshape(5, 3, 2))";
    Path target = target("c.npy", c);
    Path source = save("f.npy", f);
    Path ctarget = target("c2.npy", c);

    Npy.append(target, List.of(RowSource.of(source, MAX)), Casting.SAFE, MAX, 12);
    assertThat(check(target, "np.concatenate([" + c + ", " + f + "])")).isEqualTo("True");

    // And a C-order source onto a Fortran-order file (which grows on its last axis).
    String ft = "np.asfortranarray(np.arange(6, dtype='<i2').reshape(3, 2))";
    String cs = "np.arange(50, 59, dtype='<i2').reshape(3, 3)";
    Path fortranTarget = target("ft.npy", ft);
    Npy.append(fortranTarget, List.of(RowSource.of(save("cs.npy", cs), MAX)), Casting.SAFE, MAX, 4);
    assertThat(
            check(
                fortranTarget,
                "np.asfortranarray(np.concatenate([" + ft + ", " + cs + "], axis=1))"))
        .isEqualTo("True");

    // Reordered and converted (wider items), in chunks of a few rows.
    String wide = "np.arange(8, dtype='<i8').reshape(2, 2, 2)";
    String narrow = "np.asfortranarray(np.arange(-24, 0, dtype='<i2').reshape(6, 2, 2))";
    Path wideTarget = target("w.npy", wide);
    Npy.append(
        wideTarget, List.of(RowSource.of(save("n.npy", narrow), MAX)), Casting.SAFE, MAX, 40);
    assertThat(check(wideTarget, "np.concatenate([" + wide + ", " + narrow + "])"))
        .isEqualTo("True");
    assertThat(Files.exists(ctarget)).isTrue();
  }

  @Test
  void appendsAFileToItselfThroughTheLockedChannel() throws IOException {
    String a = "np.arange(5, dtype='<i8')";
    Path target = target("self.npy", a);
    Npy.append(
        target,
        List.of(RowSource.of(target, MAX), RowSource.of(target, MAX)),
        Casting.SAFE,
        MAX,
        16);
    assertThat(check(target, "np.concatenate([" + a + ", " + a + ", " + a + "])"))
        .isEqualTo("True");
  }

  @Test
  void forcesTheDataBeforeTheHeaderAndReportsEachStage() throws IOException {
    Path target = target("t.npy", "np.arange(3, dtype='<i4')");
    long oldLength = Files.size(target);
    NpyHeader oldHeader = Npy.readHeader(target).header();
    Path source = save("s.npy", "np.arange(10, 14, dtype='<i4')");
    List<String> seen = new ArrayList<>();
    try (ExclusiveFile file = ExclusiveFile.open(target)) {
      NpyHeader h =
          file.appendRows(
              file.readHeader(MAX),
              List.of(RowSource.of(source, MAX)),
              Casting.SAFE,
              stage -> {
                EncodedHeader now = file.readHeader(MAX);
                seen.add(stage + " " + file.size() + " " + now.header().rowCount());
              });
      assertThat(h.rowCount()).isEqualTo(7);
    }
    assertThat(seen)
        .containsExactly(
            "DATA_FORCED " + (oldLength + 16) + " " + oldHeader.rowCount(),
            "HEADER_WRITTEN " + (oldLength + 16) + " 7");
    assertThat(
            check(
                target,
                "np.concatenate([np.arange(3, dtype='<i4'), np.arange(10, 14, dtype='<i4')])"))
        .isEqualTo("True");
  }

  @Test
  void aFailureLeavesTheFileAsItWasByteForByte() throws IOException {
    Path target = target("t.npy", "np.arange(4, dtype='<f4')");
    byte[] before = Files.readAllBytes(target);
    Path source = save("s.npy", "np.arange(1000, dtype='<f4')");

    // A checkpoint that fails after the header was rewritten.
    try (ExclusiveFile file = ExclusiveFile.open(target)) {
      EncodedHeader old = file.readHeader(MAX);
      assertThatThrownBy(
              () ->
                  file.appendRows(
                      old,
                      List.of(RowSource.of(source, MAX)),
                      Casting.SAFE,
                      stage -> {
                        if (stage == ExclusiveFile.Stage.HEADER_WRITTEN) {
                          throw new IOException("injected");
                        }
                      }))
          .hasMessage("injected");
    }
    assertThat(Files.readAllBytes(target)).isEqualTo(before);

    // A channel source that breaks in its second chunk.
    NpyHeader h = Npy.readHeader(source).header();
    long offset = Npy.readHeader(source).dataOffset();
    RowSource breaking =
        RowSource.of(
            "breaking",
            h,
            () -> {
              FileChannel ch = FileChannel.open(source, StandardOpenOption.READ).position(offset);
              return new ReadableByteChannel() {
                long read;

                @Override
                public int read(ByteBuffer dst) throws IOException {
                  if (read >= 600) {
                    throw new IOException("source broke");
                  }
                  int n = ch.read(dst);
                  read += Math.max(0, n);
                  return n;
                }

                @Override
                public boolean isOpen() {
                  return ch.isOpen();
                }

                @Override
                public void close() throws IOException {
                  ch.close();
                }
              };
            });
    assertThatThrownBy(() -> Npy.append(target, List.of(breaking), Casting.SAFE, MAX, 400))
        .hasMessage("source broke");
    assertThat(Files.readAllBytes(target)).isEqualTo(before);
    assertThat(Npy.needsRecovery(target)).isFalse();
  }

  @Test
  void refusesTargetsThatCannotTakeRowsInPlace() throws IOException {
    Path plain = dir.resolve("plain.npy");
    Files.write(plain, LegacyFiles.legacyNpy("<i8", "(3,)", new byte[24]));
    Path source = save("s.npy", "np.arange(3)");
    byte[] before = Files.readAllBytes(plain);
    assertThat(Npy.isAppendable(plain)).isFalse();
    assertThatThrownBy(
            () -> Npy.append(plain, List.of(RowSource.of(source, MAX)), Casting.SAFE, MAX))
        .isInstanceOf(NpyNotAppendableException.class)
        .hasMessage(
            "Cannot append to "
                + plain
                + ": its header has no spare space to grow in place (written by an older numpy"
                + " or another tool). Call Npy.ensureAppendable(path, ...) or run 'npy"
                + " ensure-appendable' first.");
    assertThat(Files.readAllBytes(plain)).isEqualTo(before);

    Path cut = target("cut.npy", "np.arange(4, dtype='<i8')");
    try (FileChannel ch = FileChannel.open(cut, StandardOpenOption.WRITE)) {
      ch.truncate(Files.size(cut) - 3);
    }
    assertThatThrownBy(() -> Npy.append(cut, List.of(RowSource.of(source, MAX)), Casting.SAFE, MAX))
        .isInstanceOf(NpyNeedsRecoveryException.class)
        .hasMessageStartingWith(
            "Cannot append to " + cut + ": its header says 32 bytes of data but the file has 29.");

    Path wide = target("wide.npy", "np.zeros((2, 3))");
    assertThatThrownBy(
            () -> Npy.append(wide, List.of(RowSource.of(source, MAX)), Casting.SAFE, MAX))
        .isInstanceOf(NpyIncompatibleArrayException.class)
        .hasMessage(
            "Cannot append "
                + source
                + " (shape (3,)) to "
                + wide
                + " of shape (2, 3): shapes may differ only on axis 0 (the growth axis of a"
                + " C-order file)");
  }
}
