package io.github.sparknpy.npy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs real numpy (python3) from tests: to make files, and to check the files this library wrote.
 * Scripts get their arguments in {@code sys.argv[1:]}; numpy is imported as {@code np} beforehand.
 */
public final class Numpy {
  /**
   * The interpreter: -Dnpy.test.python, else $NPY_TEST_PYTHON (set by .ci/run when needed), else
   * python3.
   */
  private static final String PYTHON =
      System.getProperty(
          "npy.test.python", System.getenv().getOrDefault("NPY_TEST_PYTHON", "python3"));

  private Numpy() {}

  /** Runs {@code script} with numpy imported as {@code np}; returns stdout, fails with stderr. */
  public static String run(String script, Object... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(PYTHON);
    cmd.add("-c");
    cmd.add("import sys, json\nimport numpy as np\n" + script);
    for (Object a : args) {
      cmd.add(String.valueOf(a));
    }
    try {
      Process p = new ProcessBuilder(cmd).start();
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      String out = read(p.getInputStream());
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("python3 timed out running:\n" + script);
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(
            "python3 failed (exit " + p.exitValue() + "):\n" + err.join() + "\nscript:\n" + script);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + PYTHON + ": tests need python3 with numpy", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
