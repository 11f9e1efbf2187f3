package io.github.sparknpy.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Arrows point down: {@code read/} and {@code write/} use {@code config/}, {@code metrics/}, {@code
 * hadoop/} and the core, never the root package that assembles them (nor each other); the lower
 * packages use none of the four. Scans the main sources for imports and qualified names.
 */
class PackageDependencyTest {
  /** The shared main sources (a line module's build passes their place). */
  private static final Path SOURCES =
      Path.of(System.getProperty("npy.connector.sources", "src/main/java"))
          .resolve("io/github/sparknpy/spark");

  private static final Pattern REFERENCE =
      Pattern.compile("\\bio\\.github\\.sparknpy\\.spark\\.(\\w+)");

  /** The root package, as the target of an arrow. */
  private static final String ROOT = "<root>";

  private static final Map<String, Set<String>> FORBIDDEN =
      Map.of(
          "compat", Set.of(ROOT, "read", "write", "config", "metrics", "hadoop"),
          "read", Set.of(ROOT, "write"),
          "write", Set.of(ROOT, "read"),
          "config", Set.of(ROOT, "read", "write", "metrics", "hadoop"),
          "metrics", Set.of(ROOT, "read", "write", "hadoop"),
          "hadoop", Set.of(ROOT, "read", "write", "metrics"));

  @Test
  void subPackagesDoNotDependOnThePackagesAboveThem() throws IOException {
    assertThat(SOURCES).as("connector sources").isDirectory();
    List<String> violations = new ArrayList<>();
    for (Map.Entry<String, Set<String>> rule : FORBIDDEN.entrySet()) {
      Path dir = SOURCES.resolve(rule.getKey());
      assertThat(dir).as("package " + rule.getKey()).isDirectory();
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          String source = Files.readString(file, StandardCharsets.UTF_8);
          for (String target : targets(source)) {
            if (rule.getValue().contains(target)) {
              violations.add(SOURCES.relativize(file) + " uses package " + target);
            }
          }
        }
      }
    }
    assertThat(violations).as("arrows pointing up").isEmpty();
  }

  @Test
  void findsImportsAndQualifiedNamesOfTheRootPackage() {
    assertThat(targets("import io.github.sparknpy.spark.NpyTable;\n")).containsExactly(ROOT);
    assertThat(targets("x = io.github.sparknpy.spark.NpyTable.FILE_COLUMN;")).containsExactly(ROOT);
    assertThat(targets("import static io.github.sparknpy.spark.write.NpyWrite.X;"))
        .containsExactly("write");
    assertThat(targets("import io.github.sparknpy.npy.dtype.DType;")).isEmpty();
  }

  /** The connector packages {@code source} refers to: a sub-package name, or {@link #ROOT}. */
  private static List<String> targets(String source) {
    List<String> out = new ArrayList<>();
    Matcher m = REFERENCE.matcher(source);
    while (m.find()) {
      String next = m.group(1);
      out.add(Character.isUpperCase(next.charAt(0)) ? ROOT : next);
    }
    return out;
  }
}
