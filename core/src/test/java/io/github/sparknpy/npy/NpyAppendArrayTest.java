package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.dtype.Casting;
import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.error.NpyFileBusyException;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.error.NpyIncompatibleArrayException;
import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.error.NpyNotAppendableException;
import io.github.sparknpy.npy.testing.Numpy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NpyAppendArrayTest {
  @TempDir Path dir;

  /**
   * The seed's matrix: C and Fortran order x header rewrites x deleteIfExists x starting from an
   * np.save'd file; 10 threads append blocks; the file must equal np.concatenate of every block in
   * the order the appends happened, and load with mmap_mode="r".
   */
  @ParameterizedTest(name = "fortran={0} rewrite={1} deleteIfExists={2} fromNpSave={3}")
  @CsvSource({
    "false,true,false,false", "false,true,false,true", "false,true,true,true",
        "false,false,false,false",
    "false,false,false,true", "false,false,true,true", "true,true,false,false",
        "true,true,false,true",
    "true,true,true,true", "true,false,false,false", "true,false,false,true", "true,false,true,true"
  })
  void tenThreadsAppendLikeConcatenate(
      boolean fortran, boolean rewrite, boolean deleteIfExists, boolean fromNpSave)
      throws Exception {
    Path file = dir.resolve("a.npy");
    int rowLen = 3;
    if (fromNpSave) {
      // A block of values -1..-6 saved by numpy; kept unless deleteIfExists.
      Numpy.run(
          "a = -np.arange(1, 7, dtype='<f8').reshape(2, 3)\n"
              + "a = np.asfortranarray(a.T) if sys.argv[2] == 'true' else a\n"
              + "np.save(sys.argv[1], a)",
          file,
          fortran);
    }
    List<double[]> blocks = new ArrayList<>();
    try (NpyAppendArray out =
        NpyAppendArray.builder(file)
            .rewriteHeaderOnAppend(rewrite)
            .deleteIfExists(deleteIfExists)
            .open()) {
      ExecutorService pool = Executors.newFixedThreadPool(10);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 10; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 20; i++) {
                    int rows = 1 + (i % 4);
                    double[] data = new double[rows * rowLen];
                    for (int k = 0; k < data.length; k++) {
                      data[k] = thread * 100_000 + i * 100 + k;
                    }
                    NpyArray block =
                        fortran
                            ? NpyArray.of(data, rowLen, rows).withFortranLayout()
                            : NpyArray.of(data, rows, rowLen);
                    synchronized (blocks) {
                      out.append(block);
                      blocks.add(data);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
    }
    // Expected: the np.save'd block (unless deleted), then each appended block in append order.
    StringBuilder expected = new StringBuilder("[");
    for (double[] b : blocks) {
      expected.append(java.util.Arrays.toString(b)).append(',');
    }
    expected.append(']');
    String script =
        "blocks = [np.array(b, dtype='<f8') for b in "
            + expected
            + "]\n"
            + "fortran = sys.argv[2] == 'true'\n"
            + "parts = [b.reshape(3, -1, order='F') if fortran else b.reshape(-1, 3) for b in blocks]\n"
            + "if sys.argv[3] == 'true':\n"
            + "    first = -np.arange(1, 7, dtype='<f8').reshape(2, 3)\n"
            + "    parts.insert(0, first.T if fortran else first)\n"
            + "want = np.concatenate(parts, axis=1 if fortran else 0)\n"
            + "got = np.load(sys.argv[1], mmap_mode='r')\n"
            + "assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.shape)\n"
            + "assert got.flags.f_contiguous == fortran or got.ndim < 2\n"
            + "assert np.array_equal(got, want)\n"
            + "import io\n"
            + "buf = io.BytesIO(); np.save(buf, np.asfortranarray(want) if fortran else want)\n"
            + "assert open(sys.argv[1], 'rb').read() == buf.getvalue(), 'not byte-identical to np.save'\n"
            + "print('ok')";
    assertThat(Numpy.run(script, file, fortran, fromNpSave && !deleteIfExists).trim())
        .isEqualTo("ok");
    assertThat(Npy.isAppendable(file)).isTrue();
    assertThat(Npy.needsRecovery(file)).isFalse();
  }

  @Test
  void newFileHeaderIsByteIdenticalToNpSaveAfterEveryAppend() throws Exception {
    Path file = dir.resolve("grow.npy");
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      for (int i = 0; i < 3; i++) {
        out.append(new long[] {i, i + 1}, 1, 2);
        String check =
            "a = np.load(sys.argv[1]); import io; b = io.BytesIO(); np.save(b, a)\n"
                + "assert open(sys.argv[1], 'rb').read() == b.getvalue(); print(a.shape)";
        assertThat(Numpy.run(check, file).trim()).isEqualTo("(" + (i + 1) + ", 2)");
      }
    }
  }

  @Test
  void appendsEveryPrimitiveTypeWithItsNumpyDtype() throws Exception {
    String[] expected = {"float64", "float32", "int64", "int32", "int16", "int8", "bool"};
    for (int k = 0; k < expected.length; k++) {
      Path file = dir.resolve("p" + k + ".npy");
      try (NpyAppendArray out = NpyAppendArray.open(file)) {
        switch (k) {
          case 0 -> out.append(new double[] {1.5, -2}, 2);
          case 1 -> out.append(new float[] {1.5f, -2}, 2);
          case 2 -> out.append(new long[] {Long.MAX_VALUE, -2}, 2);
          case 3 -> out.append(new int[] {Integer.MIN_VALUE, -2}, 2);
          case 4 -> out.append(new short[] {Short.MAX_VALUE, -2}, 2);
          case 5 -> out.append(new byte[] {Byte.MIN_VALUE, -2}, 2);
          default -> out.append(new boolean[] {true, false}, 2);
        }
      }
      String got =
          Numpy.run("a = np.load(sys.argv[1], mmap_mode='r'); print(a.dtype, a.tolist())", file)
              .trim();
      assertThat(got).startsWith(expected[k] + " ");
    }
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", dir.resolve("p2.npy")).trim())
        .isEqualTo("[9223372036854775807, -2]");
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", dir.resolve("p6.npy")).trim())
        .isEqualTo("[True, False]");
  }

  @Test
  void convertsByteOrderAndSafeCastsButRefusesUnsafeOnes() throws Exception {
    Path file = dir.resolve("be.npy");
    Numpy.run("np.save(sys.argv[1], np.array([1, 2], dtype='>i8'))", file);
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      out.append(new long[] {3}); // native little-endian long into a big-endian file
      out.append(new int[] {4, 5}); // int32 into int64: safe
      ByteBuffer le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(6).flip();
      out.append(le, DType.of("<i8"), 1);
      assertThatThrownBy(() -> out.append(new double[] {7.5}))
          .isInstanceOf(NpyIncompatibleArrayException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("'<f8'")
          .hasMessageContaining("'>i8'")
          .hasMessageContaining("safe");
    }
    assertThat(
            Numpy.run(
                    "a = np.load(sys.argv[1], mmap_mode='r'); print(a.dtype.str, a.tolist())", file)
                .trim())
        .isEqualTo(">i8 [1, 2, 3, 4, 5, 6]");

    Path floats = dir.resolve("f.npy");
    try (NpyAppendArray out = NpyAppendArray.open(floats)) {
      out.append(new double[] {0.5});
      out.append(new float[] {0.25f});
      out.append(new long[] {1L << 53});
    }
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", floats).trim())
        .isEqualTo("[0.5, 0.25, 9007199254740992.0]");

    Path narrow = dir.resolve("i4.npy");
    try (NpyAppendArray out = NpyAppendArray.builder(narrow).casting(Casting.UNSAFE).open()) {
      out.append(new int[] {1});
      out.append(new double[] {2.9, -3.9});
    }
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", narrow).trim())
        .isEqualTo("[1, 2, -3]");
  }

  @Test
  void refusesShapesThatDifferOffTheGrowthAxis() throws Exception {
    Path file = dir.resolve("s.npy");
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      out.append(new double[6], 2, 3);
      assertThatThrownBy(() -> out.append(new double[8], 2, 4))
          .isInstanceOf(NpyIncompatibleArrayException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("shape (2, 4)")
          .hasMessageContaining("of shape (2, 3)")
          .hasMessageContaining("axis 1 is 4 here and 3 in the file");
      assertThatThrownBy(() -> out.append(new double[3], 3))
          .isInstanceOf(NpyIncompatibleArrayException.class)
          .hasMessageContaining("it has 1 dimensions and the file has 2");
      assertThatThrownBy(() -> out.append(new double[1], new long[0]))
          .isInstanceOf(NpyIncompatibleArrayException.class);
    }
    Path fortran = dir.resolve("f.npy");
    try (NpyAppendArray out = NpyAppendArray.open(fortran)) {
      out.append(NpyArray.of(new double[6], 3, 2).withFortranLayout());
      assertThatThrownBy(() -> out.append(NpyArray.of(new double[4], 4, 1).withFortranLayout()))
          .isInstanceOf(NpyIncompatibleArrayException.class)
          .hasMessageContaining(
              "axis 2 (the growth axis of a Fortran-order file)".replace("axis 2", "axis 1"))
          .hasMessageContaining("axis 0 is 4 here and 3 in the file");
      // A C-order block appended to a Fortran file is reordered, not misread.
      out.append(NpyArray.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2));
    }
    assertThat(
            Numpy.run("a = np.load(sys.argv[1]); print(a.shape, a[:, 2:].tolist())", fortran)
                .trim())
        .isEqualTo("(3, 4) [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]");
  }

  @Test
  void appendAfterCloseFailsAndLeavesTheFileIntact() throws Exception {
    Path file = dir.resolve("c.npy");
    NpyAppendArray out = NpyAppendArray.open(file);
    out.append(new int[] {1, 2, 3});
    out.close();
    out.close();
    byte[] before = Files.readAllBytes(file);
    assertThatThrownBy(() -> out.append(new int[] {4}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("closed");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void refusesLegacyHeadersAndFilesThatNeedRecoveryWithoutLeakingTheFile() throws Exception {
    Path legacy = dir.resolve("legacy.npy");
    Files.write(legacy, LegacyFiles.legacyNpy("<i4", "(3,)", new byte[12]));
    assertThatThrownBy(() -> NpyAppendArray.open(legacy))
        .isInstanceOf(NpyNotAppendableException.class)
        .hasMessageContaining(legacy.toString())
        .hasMessageContaining("ensureAppendable");

    Path cut = dir.resolve("cut.npy");
    Numpy.run("np.save(sys.argv[1], np.arange(10, dtype='<i8'))", cut);
    try (var ch = java.nio.channels.FileChannel.open(cut, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 4);
    }
    assertThatThrownBy(() -> NpyAppendArray.open(cut))
        .isInstanceOf(NpyNeedsRecoveryException.class)
        .hasMessageContaining(cut.toString())
        .hasMessageContaining("recover");

    Path scalar = dir.resolve("scalar.npy");
    Numpy.run("np.save(sys.argv[1], np.float64(3.5))", scalar);
    assertThatThrownBy(() -> NpyAppendArray.open(scalar))
        .isInstanceOf(NpyNotAppendableException.class)
        .hasMessageContaining("0-d");

    Path garbage = dir.resolve("garbage.npy");
    Files.write(garbage, "not numpy at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> NpyAppendArray.open(garbage))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(garbage.toString());
    // The failed constructors closed their channels: the files can be deleted and re-created.
    Files.delete(garbage);
    Files.delete(legacy);
  }

  @Test
  void deferredHeadersAreWrittenOnCloseAndRecoverableAfterACrash() throws Exception {
    Path file = dir.resolve("log.npy");
    // holdLock(false): the appender holds no lock between appends, so this JVM can recover the
    // file while it is open, as another process would after a crash.
    NpyAppendArray out =
        NpyAppendArray.builder(file)
            .rewriteHeaderOnAppend(false)
            .bufferBytes(0)
            .holdLock(false)
            .open();
    for (int i = 0; i < 5; i++) {
      out.append(new double[] {i, i, i, i}, 1, 4);
    }
    // Without close the header still says 0 rows: the state a crash leaves.
    assertThat(Npy.needsRecovery(file)).isTrue();
    assertThat(Numpy.run("print(np.load(sys.argv[1]).shape)", file).trim()).isEqualTo("(0, 4)");
    RecoveryResult r = Npy.recover(file, false);
    assertThat(r.rowsBefore()).isZero();
    assertThat(r.rowsAfter()).isEqualTo(5);
    assertThat(
            Numpy.run(
                    "a = np.load(sys.argv[1], mmap_mode='r'); print(a.shape, a[:, 0].tolist())",
                    file)
                .trim())
        .isEqualTo("(5, 4) [0.0, 1.0, 2.0, 3.0, 4.0]");
    out.close();
  }

  /**
   * Small primitive appends with deferred headers take the buffered path; mixed with the general
   * one.
   */
  @Test
  void bufferedPrimitiveAppendsMatchNumpyAcrossFlushesAndThreads() throws Exception {
    String[] types = {"<f8", "<f4", "<i8", "<i4", "<i2", "|i1", "|b1"};
    for (int k = 0; k < types.length; k++) {
      Path file = dir.resolve("buffered" + k + ".npy");
      // A 100-byte buffer forces many flushes, blocks larger than the buffer go around it.
      try (NpyAppendArray out =
          NpyAppendArray.builder(file).rewriteHeaderOnAppend(false).bufferBytes(100).open()) {
        for (int i = 0; i < 50; i++) {
          int rows = i % 7 == 0 ? 20 : 1;
          int n = rows * 3;
          switch (k) {
            case 0 ->
                out.append(
                    java.util.stream.IntStream.range(0, n).mapToDouble(j -> j).toArray(), rows, 3);
            case 1 -> {
              float[] a = new float[n];
              for (int j = 0; j < n; j++) {
                a[j] = j;
              }
              out.append(a, rows, 3);
            }
            case 2 -> out.append(java.util.stream.LongStream.range(0, n).toArray(), rows, 3);
            case 3 -> out.append(java.util.stream.IntStream.range(0, n).toArray(), rows, 3);
            case 4 -> {
              short[] a = new short[n];
              for (int j = 0; j < n; j++) {
                a[j] = (short) j;
              }
              out.append(a, rows, 3);
            }
            case 5 -> {
              byte[] a = new byte[n];
              for (int j = 0; j < n; j++) {
                a[j] = (byte) j;
              }
              out.append(a, rows, 3);
            }
            default -> {
              boolean[] a = new boolean[n];
              for (int j = 0; j < n; j++) {
                a[j] = j % 2 == 1;
              }
              out.append(a, rows, 3);
            }
          }
          if (i == 10) {
            assertThatThrownBy(() -> out.append(new double[4], 1, 4))
                .isInstanceOf(NpyIncompatibleArrayException.class)
                .hasMessageContaining("axis 1 is 4 here and 3 in the file");
          }
        }
      }
      String check =
          "a = np.load(sys.argv[1], mmap_mode='r')\n"
              + "want = np.concatenate([np.arange((20 if i % 7 == 0 else 1) * 3).reshape(-1, 3) for i in range(50)])\n"
              + "want = want % 2 == 1 if a.dtype == bool else want.astype(a.dtype)\n"
              + "assert a.dtype.str == sys.argv[2], a.dtype.str\n"
              + "assert np.array_equal(a, want)\n"
              + "print('ok')";
      assertThat(Numpy.run(check, file, types[k]).trim()).isEqualTo("ok");
    }
    Path shared = dir.resolve("threads.npy");
    try (NpyAppendArray out = NpyAppendArray.builder(shared).rewriteHeaderOnAppend(false).open()) {
      out.append(new long[] {-1, -1}, 1, 2);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        long id = t;
        futures.add(
            pool.submit(
                () -> {
                  for (long i = 0; i < 5000; i++) {
                    out.append(new long[] {id, i}, 1, 2);
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
    }
    String check =
        "a = np.load(sys.argv[1], mmap_mode='r')\n"
            + "assert a.shape == (40001, 2)\n"
            + "for t in range(8):\n"
            + "    assert a[a[:, 0] == t][:, 1].tolist() == list(range(5000))\n"
            + "print('ok')";
    assertThat(Numpy.run(check, shared).trim()).isEqualTo("ok");
  }

  @Test
  void appendRowAddsOneEntryOnTheGrowthAxis() throws Exception {
    for (boolean rewrite : new boolean[] {true, false}) {
      Path file = dir.resolve("rows" + rewrite + ".npy");
      try (NpyAppendArray out =
          NpyAppendArray.builder(file).rewriteHeaderOnAppend(rewrite).bufferBytes(100).open()) {
        for (int i = 0; i < 40; i++) {
          out.appendRow(new double[] {i, -i, i * 0.5});
        }
        out.appendRow(new float[] {1, 2, 3}); // a safe cast, through the general path
        assertThatThrownBy(() -> out.appendRow(new double[] {1, 2}))
            .isInstanceOf(NpyIncompatibleArrayException.class)
            .hasMessageContaining("shape (1, 2)")
            .hasMessageContaining("of shape (41, 3)");
      }
      String check =
          "a = np.load(sys.argv[1], mmap_mode='r')\n"
              + "want = np.array([[i, -i, i * 0.5] for i in range(40)] + [[1, 2, 3]], dtype='<f8')\n"
              + "assert a.shape == (41, 3) and np.array_equal(a, want)\n"
              + "print('ok')";
      assertThat(Numpy.run(check, file).trim()).isEqualTo("ok");
    }
    // A Fortran file grows on its last axis: a row is one column there.
    Path fortran = dir.resolve("rowsF.npy");
    Numpy.run("np.save(sys.argv[1], np.asfortranarray(np.zeros((2, 3), dtype='<i8')))", fortran);
    try (NpyAppendArray out = NpyAppendArray.builder(fortran).rewriteHeaderOnAppend(false).open()) {
      out.appendRow(new long[] {7, 8});
      out.appendRow(new int[] {9, 10});
    }
    assertThat(
            Numpy.run("a = np.load(sys.argv[1]); print(a.shape, a[:, 3:].tolist())", fortran)
                .trim())
        .isEqualTo("(2, 5) [[7, 9], [8, 10]]");
  }

  @Test
  void emptyArraysAndZeroSizeRowsWork() throws Exception {
    Path file = dir.resolve("e.npy");
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      out.append(new double[0], 0, 3);
      out.append(new double[3], 1, 3);
      out.append(new double[0], 0, 3);
    }
    assertThat(Numpy.run("print(np.load(sys.argv[1]).shape)", file).trim()).isEqualTo("(1, 3)");
    Path zero = dir.resolve("z.npy");
    try (NpyAppendArray out = NpyAppendArray.open(zero)) {
      out.append(NpyArray.of(DType.of("|S0"), ByteBuffer.allocate(0), false, 4));
      out.append(NpyArray.of(DType.of("|S0"), ByteBuffer.allocate(0), false, 2));
    }
    assertThat(Numpy.run("a = np.load(sys.argv[1]); print(a.shape, a.dtype.str)", zero).trim())
        .isEqualTo("(6,) |S0");
    assertThat(Npy.recover(zero, false).unchanged()).isTrue();
    assertThat(Npy.ensureAppendable(zero, true)).isFalse();
  }

  @Test
  void anAppenderHoldsItsFileUntilCloseAndOthersInTheJvmAreRefused() throws Exception {
    Path file = dir.resolve("held.npy");
    try (NpyAppendArray a = NpyAppendArray.open(file)) {
      a.append(new int[] {1});
      String busy =
          "Cannot lock "
              + file.toRealPath()
              + ": an NpyAppendArray in this JVM has it open for appending and holds it until its"
              + " close(). Close that appender first, or build the appenders with holdLock(false)"
              + " so that they take turns per append";
      byte[] before = Files.readAllBytes(file);
      assertThatThrownBy(() -> NpyAppendArray.open(file))
          .isInstanceOf(NpyFileBusyException.class)
          .hasMessage(busy);
      assertThatThrownBy(() -> Npy.recover(file, false))
          .isInstanceOf(NpyFileBusyException.class)
          .hasMessage(busy);
      assertThatThrownBy(() -> Npy.append(file, List.of(), Casting.SAFE, 1 << 20))
          .isInstanceOf(NpyFileBusyException.class);
      assertThat(Files.readAllBytes(file)).isEqualTo(before);
      // Readers take no lock.
      try (NpyFile f = NpyFile.open(file)) {
        assertThat(f.rowCount()).isEqualTo(1);
      }
      a.append(new int[] {2});
    }
    try (NpyAppendArray b = NpyAppendArray.open(file)) {
      b.append(new int[] {3});
    }
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", file).trim())
        .isEqualTo("[1, 2, 3]");
  }

  @Test
  void twoInstancesInOneJvmInterleaveWithoutLosingRows() throws Exception {
    Path file = dir.resolve("shared.npy");
    try (NpyAppendArray a = NpyAppendArray.builder(file).holdLock(false).open()) {
      a.append(new int[] {0});
      try (NpyAppendArray b = NpyAppendArray.builder(file).holdLock(false).open()) {
        for (int i = 1; i < 100; i++) {
          (i % 2 == 0 ? a : b).append(new int[] {i});
        }
      }
    }
    assertThat(
            Numpy.run(
                    "a = np.load(sys.argv[1]); print(sorted(a.tolist()) == list(range(100)), len(a))",
                    file)
                .trim())
        .isEqualTo("True 100");
  }

  @Test
  void appendsRecordsAndStrings() throws Exception {
    Path file = dir.resolve("rec.npy");
    Numpy.run(
        "dt = np.dtype([('id', '<i4'), ('name', 'U3'), ('xy', '<f4', (2,))])\n"
            + "np.save(sys.argv[1], np.array([(1, 'ab', (1.5, 2.5))], dtype=dt))",
        file);
    RecordDType dt = (RecordDType) Npy.readHeader(file).header().dtype();
    ByteBuffer row = ByteBuffer.allocate(dt.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
    row.putInt(0, 2)
        .putInt(4, 'x')
        .putInt(8, 'y')
        .putInt(12, 'z')
        .putFloat(16, 3.5f)
        .putFloat(20, 4.5f);
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      out.append(row, dt, 1);
    }
    assertThat(
            Numpy.run(
                    "a = np.load(sys.argv[1], mmap_mode='r'); print([(int(r['id']), str(r['name']), r['xy'].tolist()) for r in a])",
                    file)
                .trim())
        .isEqualTo("[(1, 'ab', [1.5, 2.5]), (2, 'xyz', [3.5, 4.5])]");
  }
}
