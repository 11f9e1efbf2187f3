package io.github.sparknpy.npy.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A long-lived python3 with numpy that answers calls, for tests that check a file many times: one
 * interpreter start instead of one per check. The prelude defines functions; {@link #call} runs one
 * with string arguments and returns {@code str()} of its result, or {@code "ERR Type: message"} if
 * it raised.
 */
public final class NumpyProcess implements AutoCloseable {
  private static final String PYTHON =
      System.getProperty(
          "npy.test.python", System.getenv().getOrDefault("NPY_TEST_PYTHON", "python3"));

  private static final String LOOP =
      "\nfor _line in sys.stdin:\n"
          + "    _f, *_a = _line.rstrip('\\n').split('\\t')\n"
          + "    try:\n"
          + "        _r = str(globals()[_f](*_a))\n"
          + "    except BaseException as _e:\n"
          + "        _r = 'ERR ' + type(_e).__name__ + ': ' + str(_e)\n"
          + "    print(_r.replace('\\n', ' '), flush=True)\n";

  private final Process process;
  private final BufferedReader in;
  private final Writer out;

  public NumpyProcess(String prelude) {
    try {
      process =
          new ProcessBuilder(
                  PYTHON, "-c", "import sys, json\nimport numpy as np\n" + prelude + LOOP)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + PYTHON + ": tests need python3 with numpy", e);
    }
    in =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    out = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
  }

  /** Calls {@code function(*args)} in python; thread-safe. */
  public synchronized String call(String function, Object... args) {
    StringBuilder line = new StringBuilder(function);
    for (Object a : args) {
      line.append('\t').append(a);
    }
    try {
      out.write(line.append('\n').toString());
      out.flush();
      String reply = in.readLine();
      if (reply == null) {
        throw new AssertionError("python3 exited while running " + line);
      }
      return reply;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
