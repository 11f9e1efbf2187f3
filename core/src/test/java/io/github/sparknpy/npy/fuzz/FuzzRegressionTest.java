package io.github.sparknpy.npy.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the regression corpus {@code src/test/resources/fuzz-regressions/}: every input that ever
 * failed a fuzz test, with the exact outcome it must now have (listed in {@code expected.tsv}).
 * Each runs on a thread with a 256 KiB stack, smaller than any JVM default, so that deep recursion
 * shows up here first, and within the fuzz time box.
 */
class FuzzRegressionTest {
  private static final String DIR = "/fuzz-regressions/";
  private static final long STACK_BYTES = 256 << 10;

  @TempDir Path tmp;

  record Case(String file, String target, String outcome, String fragment) {
    @Override
    public String toString() {
      return file + " (" + target + ")";
    }
  }

  static List<Case> cases() {
    return lines()
        .map(l -> l.split("\t"))
        .map(f -> new Case(f[0], f[1], f[2], f[3]))
        .collect(Collectors.toList());
  }

  private static Stream<String> lines() {
    return new String(resource("expected.tsv"), StandardCharsets.UTF_8)
        .lines()
        .filter(l -> !l.isBlank() && !l.startsWith("#"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void replays(Case c) throws Exception {
    byte[] input = resource(c.file());
    FuzzRun.Target target =
        switch (c.target()) {
          case "header" -> ReadEverything::header;
          case "memory" -> ReadEverything::inMemory;
          case "local" -> ReadEverything.localFile(tmp);
          default -> throw new IllegalArgumentException("unknown target " + c.target());
        };
    String location = c.file();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Runnable once =
        () -> {
          try {
            target.run(input, location);
          } catch (Throwable t) {
            thrown.set(t);
          }
        };
    long nanos = onSmallStack(once);
    if (nanos > FuzzSettings.maxMillisPerInput() * 1_000_000) {
      nanos = onSmallStack(once); // warm
    }
    assertThat(nanos / 1_000_000).as("milliseconds").isLessThan(FuzzSettings.maxMillisPerInput());
    Throwable t = thrown.get();
    if (c.outcome().equals("ok")) {
      assertThat(t).as("exception").isNull();
      return;
    }
    assertThat(t).as("exception").isNotNull();
    assertThat(t.getClass().getSimpleName()).isEqualTo(c.outcome());
    if (!c.fragment().equals("-")) {
      assertThat(t.getMessage()).contains(c.fragment());
    }
    if (t.getClass().getSimpleName().startsWith("NpyFormat")) {
      assertThat(t.getMessage()).startsWith("Cannot read ").contains(location);
    }
  }

  private static long onSmallStack(Runnable r) throws InterruptedException {
    long start = System.nanoTime();
    Thread thread = new Thread(null, r, "fuzz-regression", STACK_BYTES);
    thread.setDaemon(true);
    thread.start();
    thread.join(60_000);
    assertThat(thread.isAlive()).as("still running after 60 s").isFalse();
    return System.nanoTime() - start;
  }

  @Test
  void everyFileIsListedAndEveryListedFileExists() throws Exception {
    Path dir = Paths.get(Objects.requireNonNull(FuzzRegressionTest.class.getResource(DIR)).toURI());
    Set<String> files = new TreeSet<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.map(p -> p.getFileName().toString())
          .filter(n -> !n.equals("expected.tsv"))
          .forEach(files::add);
    }
    Set<String> listed = new TreeSet<>();
    cases().forEach(c -> listed.add(c.file()));
    assertThat(listed).isEqualTo(files);
  }

  private static byte[] resource(String name) {
    try (InputStream in = FuzzRegressionTest.class.getResourceAsStream(DIR + name)) {
      if (in == null) {
        throw new IllegalStateException("no regression file " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
