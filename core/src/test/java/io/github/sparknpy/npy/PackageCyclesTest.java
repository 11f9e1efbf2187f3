package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The core's packages form layers: no package depends, directly or through others, on a package
 * that depends on it. The dependencies are the compiled ones, as the JDK's {@code jdeps} reports
 * them for {@code target/classes} (so Javadoc links do not count, field types and calls do).
 */
class PackageCyclesTest {
  private static final String BASE = "io.github.sparknpy.npy";
  private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)\\s+\\S+\\s*$");

  @Test
  void corePackagesHaveNoCycles() {
    Map<String, Set<String>> graph = packageGraph();
    assertThat(graph).containsKeys(BASE, BASE + ".dtype", BASE + ".header", BASE + ".cli");
    assertThat(cycles(graph)).as("package cycles in %s", graph).isEmpty();
  }

  @Test
  void lowerLayersDoNotUseTheApiOrTheCli() {
    Map<String, Set<String>> graph = packageGraph();
    for (String lower : List.of("dtype", "header", "error", "literal", "io")) {
      assertThat(graph.getOrDefault(BASE + "." + lower, Set.of()))
          .as("packages %s.%s depends on", BASE, lower)
          .doesNotContain(BASE, BASE + ".cli");
    }
    assertThat(graph.getOrDefault(BASE + ".error", Set.of()))
        .as("the exceptions depend on nothing else of the core")
        .isEmpty();
  }

  /** Package to the packages of this library it uses (itself excluded), from jdeps. */
  static Map<String, Set<String>> packageGraph() {
    Path classes = Path.of("target", "classes");
    assertThat(Files.isDirectory(classes)).as("%s exists", classes.toAbsolutePath()).isTrue();
    ToolProvider jdeps =
        ToolProvider.findFirst("jdeps")
            .orElseThrow(() -> new AssertionError("the JDK has no jdeps tool"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc =
        jdeps.run(
            new PrintWriter(out),
            new PrintWriter(err),
            "-verbose:package",
            "-filter:package",
            classes.toString());
    assertThat(rc).as("jdeps exit code; stderr: %s", err).isZero();
    Map<String, Set<String>> graph = new TreeMap<>();
    for (String line : out.toString().split("\\R")) {
      Matcher m = EDGE.matcher(line);
      if (m.matches() && inBase(m.group(1))) {
        Set<String> uses = graph.computeIfAbsent(m.group(1), k -> new TreeSet<>());
        if (inBase(m.group(2)) && !m.group(2).equals(m.group(1))) {
          uses.add(m.group(2));
        }
      }
    }
    return graph;
  }

  private static boolean inBase(String pkg) {
    return pkg.equals(BASE) || pkg.startsWith(BASE + ".");
  }

  /** Each cycle as the list of packages on it, found by a depth-first search from every package. */
  static List<List<String>> cycles(Map<String, Set<String>> graph) {
    List<List<String>> found = new ArrayList<>();
    for (String start : graph.keySet()) {
      Deque<List<String>> todo = new ArrayDeque<>();
      todo.push(List.of(start));
      Set<String> seen = new TreeSet<>();
      while (!todo.isEmpty()) {
        List<String> path = todo.pop();
        String last = path.get(path.size() - 1);
        for (String next : graph.getOrDefault(last, Set.of())) {
          if (next.equals(start)) {
            List<String> cycle = new ArrayList<>(path);
            cycle.add(start);
            found.add(cycle);
          } else if (seen.add(next)) {
            List<String> longer = new ArrayList<>(path);
            longer.add(next);
            todo.push(longer);
          }
        }
      }
    }
    return found;
  }

  @Test
  void theCycleSearchFindsACycle() {
    Map<String, Set<String>> graph =
        Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
    assertThat(cycles(graph)).contains(List.of("a", "b", "c", "a"));
    assertThat(cycles(Map.of("a", Set.of("b"), "b", Set.of()))).isEmpty();
  }
}
