package io.github.sparknpy.npy;

import io.github.sparknpy.npy.dtype.DType;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of the crash tests, killed with SIGKILL by its parent, and the parent's side of the
 * protocol. The two talk through a small memory-mapped status file: its pages live in the page
 * cache, so what the child wrote there survives the kill, and writing it costs no system call.
 *
 * <p>Status words (8 bytes each): {@link #READY} set to 1 by the child when it is about to start
 * and to 2 when it has seen the go, {@link #GO} set by the parent to let it start, {@link #ACK} the
 * rows the child knows are in the file (see docs/reliability.md, "Crashes while appending", for
 * what that means per mode), {@link #DONE} set when an operation returned.
 *
 * <p>Usage: {@code append FILE STATUS MODE KIND FLUSH_EVERY} with MODE {@code rewrite} (header
 * rewritten on every append), {@code unbuffered} (deferred header, {@code bufferBytes=0}) or {@code
 * buffered} (deferred header, small buffer, {@code flush()} every FLUSH_EVERY rows), and KIND one
 * of {@link Rows}; or {@code ensure FILE STATUS CHUNK_BYTES} for an in-place ensureAppendable.
 */
final class CrashChild {
  static final int READY = 0;
  static final int GO = 1;
  static final int ACK = 2;
  static final int DONE = 3;

  private static final VarHandle LONGS =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private CrashChild() {}

  /** The deterministic rows: row i is a pure function of i, so a torn or shifted row shows. */
  enum Rows {
    /** (n, 4) int64: i, 3i+1, -i, i*i. */
    I8,
    /** (n, 3) float64 appended with appendRow: i+0.5, -2i, i/3. */
    F8,
    /** (n,) records id <i8, x <f4, tag S4: i, (float) i/4, "%04d" of i mod 10000. */
    REC;

    static final DType REC_DTYPE = DType.parse("[('id', '<i8'), ('x', '<f4'), ('tag', '|S4')]");

    void append(NpyAppendArray out, long i) throws IOException {
      switch (this) {
        case I8 -> out.append(new long[] {i, 3 * i + 1, -i, i * i}, 1, 4);
        case F8 -> out.appendRow(new double[] {i + 0.5, -2.0 * i, i / 3.0});
        case REC -> {
          ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
          b.putLong(i).putFloat((float) (i * 0.25));
          b.put(String.format(Locale.ROOT, "%04d", i % 10000).getBytes(StandardCharsets.US_ASCII));
          out.append(b.flip(), REC_DTYPE, 1);
        }
      }
    }

    /** A numpy expression for the expected array of n rows, given {@code n}. */
    String numpyExpected() {
      return switch (this) {
        case I8 -> "np.stack([i, 3 * i + 1, -i, i * i], axis=1)";
        case F8 -> "np.stack([i + 0.5, -2.0 * i, i / 3.0], axis=1)";
        case REC -> "rec(i)";
      };
    }
  }

  /** A mapped status file of four words. */
  static final class Status implements AutoCloseable {
    private final FileChannel channel;
    private final MappedByteBuffer map;

    Status(Path path) throws IOException {
      channel =
          FileChannel.open(
              path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      map = channel.map(FileChannel.MapMode.READ_WRITE, 0, 32);
    }

    long get(int word) {
      return (long) LONGS.getVolatile(map, word * 8);
    }

    void set(int word, long value) {
      LONGS.setVolatile(map, word * 8, value);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  public static void main(String[] args) throws Exception {
    Path file = Paths.get(args[1]);
    try (Status status = new Status(Paths.get(args[2]))) {
      if (args[0].equals("ensure")) {
        awaitGo(status);
        Npy.ensureAppendable(file, true, Integer.parseInt(args[3]), null);
        status.set(DONE, 1);
        return;
      }
      String mode = args[3];
      Rows kind = Rows.valueOf(args[4].toUpperCase(Locale.ROOT));
      int flushEvery = Integer.parseInt(args[5]);
      // Warm up on a scratch file first (class loading, the compiler), so that the kill lands
      // among appends and not in the JVM's start-up.
      Path warm = file.resolveSibling(file.getFileName() + ".warm");
      try (NpyAppendArray out = builder(warm, mode).deleteIfExists(true).open()) {
        for (long i = 0; i < 3000; i++) {
          kind.append(out, i);
          if (i % flushEvery == 0) {
            out.flush();
          }
        }
      }
      java.nio.file.Files.delete(warm);
      try (NpyAppendArray out = builder(file, mode).open()) {
        long start = out.header() == null ? 0 : out.header().rowCount();
        status.set(ACK, start);
        awaitGo(status);
        for (long i = start; i < start + 50_000_000L; i++) {
          kind.append(out, i);
          if (!mode.equals("buffered")) {
            status.set(ACK, i + 1);
          } else if ((i + 1 - start) % flushEvery == 0) {
            out.flush();
            status.set(ACK, i + 1);
          }
        }
      }
    }
  }

  private static NpyAppendArray.Builder builder(Path file, String mode) {
    NpyAppendArray.Builder b = NpyAppendArray.builder(file);
    return switch (mode) {
      case "rewrite" -> b.rewriteHeaderOnAppend(true);
      case "unbuffered" -> b.rewriteHeaderOnAppend(false).bufferBytes(0);
      case "buffered" -> b.rewriteHeaderOnAppend(false).bufferBytes(1000);
      default -> throw new IllegalArgumentException("mode " + mode);
    };
  }

  private static void awaitGo(Status status) {
    status.set(READY, 1);
    while (status.get(GO) == 0) {
      Thread.onSpinWait();
    }
    status.set(READY, 2);
  }

  /**
   * Parent side: starts a child with {@code args}, waits until it is ready, lets it go, waits
   * {@code delayNanos} (busy-waiting below a millisecond) and kills it with SIGKILL.
   *
   * @return the child's exit code (137 when killed by SIGKILL, 0 if it finished first) and status
   */
  static Outcome runAndKill(Path statusFile, long delayNanos, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xshare:auto");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CrashChild.class.getName());
    cmd.addAll(List.of(args));
    try (Status status = new Status(statusFile)) {
      for (int w = 0; w < 4; w++) {
        status.set(w, 0);
      }
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(logOf(statusFile))
              .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (status.get(READY) == 0) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.destroyForcibly().waitFor();
          throw new AssertionError(
              "child did not get ready (exit "
                  + (p.isAlive() ? "none" : p.exitValue())
                  + "): "
                  + java.nio.file.Files.readString(logOf(statusFile).file().toPath()));
        }
        Thread.sleep(1);
      }
      status.set(GO, 1);
      // The delay runs from the moment the child saw the go (on a busy machine it may take a
      // while to be scheduled), so that short delays land in its first operation.
      while (status.get(READY) != 2 && p.isAlive()) {
        Thread.onSpinWait();
      }
      long until = System.nanoTime() + delayNanos;
      if (delayNanos > 2_000_000) {
        Thread.sleep(delayNanos / 1_000_000 - 1);
      }
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      // destroyForcibly is SIGKILL on Linux: the exit code 137 = 128 + 9 checks it.
      p.destroyForcibly();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("killed child did not exit");
      }
      int code = p.exitValue();
      if (code != 137 && code != 0) {
        throw new AssertionError(
            "child failed (exit "
                + code
                + "): "
                + java.nio.file.Files.readString(logOf(statusFile).file().toPath()));
      }
      return new Outcome(code, status.get(ACK), status.get(DONE) != 0);
    }
  }

  /** How a child ended: exit code, its last acknowledged row count, whether it finished. */
  record Outcome(int exitCode, long ack, boolean done) {}

  private static ProcessBuilder.Redirect logOf(Path statusFile) {
    return ProcessBuilder.Redirect.to(
        statusFile.resolveSibling(statusFile.getFileName() + ".log").toFile());
  }
}
