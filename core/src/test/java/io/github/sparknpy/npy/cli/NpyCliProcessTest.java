package io.github.sparknpy.npy.cli;

import static io.github.sparknpy.npy.cli.Fixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.cli.CliRun.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** main() in a real JVM (exit codes through System.exit), and the bin/npy launcher. */
class NpyCliProcessTest {
  @TempDir Path tmp;

  private static Path classesDir() throws URISyntaxException {
    return Path.of(NpyCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private Result exec(List<String> command, Map<String, String> env)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + command);
    }
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void mainExitsWithTheCodeOfRun() throws Exception {
    List<String> base = List.of(java(), "-cp", classesDir().toString(), NpyCli.class.getName());
    Path v3 = fixture("v3.npy");

    Result ok = exec(concat(base, "info", "--json", v3.toString()), Map.of());
    assertThat(ok.code()).as(ok.toString()).isZero();
    assertThat(ok.out())
        .isEqualTo(
            "{\"version\": \"3.0\", \"descr\": [[\"\u540d\", \"<i2\"]], \"shape\": [3], \"fortran_order\": false, \"data_offset\": 128, "
                + "\"data_bytes\": 6, \"appendable\": true, \"needs_recovery\": false}\n");
    assertThat(ok.err()).isEmpty();

    Result bad = exec(concat(base, "info", "--json", fixture("not_npy.txt").toString()), Map.of());
    assertThat(bad.code()).as(bad.toString()).isEqualTo(1);
    assertThat(bad.out()).isEmpty();
    assertThat(bad.err())
        .startsWith("npy: Cannot read " + fixture("not_npy.txt") + ": not a .npy file")
        .doesNotContain("\tat ");

    Result usage = exec(concat(base, "info"), Map.of());
    assertThat(usage.code()).as(usage.toString()).isEqualTo(2);
    assertThat(usage.err()).startsWith("npy info: missing FILE\n");
  }

  /**
   * bin/npy, copied into a directory with spaces beside a jar made from the compiled classes (the
   * jar is only built in the package phase), and decoy jars it must not pick; run directly and via
   * a symlink.
   */
  @Test
  void launcherRunsTheCoreJarFromAnywhere() throws Exception {
    Path script = findLauncher();
    assertThat(Files.isExecutable(script)).as(script + " is executable").isTrue();
    Path repo = Files.createDirectories(tmp.resolve("my repo"));
    Path bin = Files.createDirectories(repo.resolve("bin"));
    Path launcher = Files.copy(script, bin.resolve("npy"), StandardCopyOption.COPY_ATTRIBUTES);
    Path target = Files.createDirectories(repo.resolve("core/target"));
    writeJar(target.resolve("npy-core-9.9.9.jar"), classesDir());
    FileTime later = FileTime.fromMillis(System.currentTimeMillis() + 60_000);
    for (String decoy : new String[] {"npy-core-9.9.9-sources.jar", "npy-core-9.9.9-tests.jar"}) {
      Files.writeString(target.resolve(decoy), "not a jar");
      Files.setLastModifiedTime(target.resolve(decoy), later);
    }
    Path data =
        Files.copy(
            fixture("ints.npy"),
            Files.createDirectories(tmp.resolve("data dir")).resolve("my ints.npy"));
    Path link =
        Files.createSymbolicLink(
            Files.createDirectories(tmp.resolve("link dir")).resolve("npy"), launcher);
    Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"));

    for (Path command : new Path[] {launcher, link}) {
      Result r = exec(List.of(command.toString(), "info", "--json", data.toString()), env);
      assertThat(r.code()).as(r.toString()).isZero();
      assertThat(r.out())
          .startsWith("{\"version\": \"1.0\", \"descr\": \"<i4\", \"shape\": [15, 3],");
      assertThat(r.err()).isEmpty();
    }
    Result bad =
        exec(List.of(launcher.toString(), "head", tmp.resolve("missing.npy").toString()), env);
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err())
        .isEqualTo("npy: " + tmp.resolve("missing.npy") + ": no such file or directory\n");
    Result version = exec(List.of(launcher.toString(), "--version"), env);
    assertThat(version.code()).as(version.toString()).isZero();
    assertThat(version.out()).isEqualTo("npy " + NpyCli.version() + "\n").doesNotContain("unknown");
    Result usage = exec(List.of(launcher.toString(), "frob"), env);
    assertThat(usage.code()).isEqualTo(2);
  }

  private static Path findLauncher() throws URISyntaxException {
    for (Path dir = classesDir(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("bin/npy");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError("bin/npy not found above " + classesDir());
  }

  private static void writeJar(Path jar, Path classes) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, NpyCli.class.getName());
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest);
        Stream<Path> paths = Files.walk(classes)) {
      for (Path p : (Iterable<Path>) paths.filter(Files::isRegularFile)::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
        Files.copy(p, out);
        out.closeEntry();
      }
    }
  }

  private static List<String> concat(List<String> base, String... more) {
    List<String> out = new ArrayList<>(base);
    out.addAll(List.of(more));
    return out;
  }
}
