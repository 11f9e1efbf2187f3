package io.github.sparknpy.npy.cli;

import static io.github.sparknpy.npy.cli.CliRun.npy;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.header.NpyVersion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command that reads headers takes {@code --max-header-bytes N}. */
class MaxHeaderBytesOptionTest {
  @TempDir Path dir;

  private Path bigHeader(String name) throws IOException {
    byte[] head = NpyHeader.of(ScalarDType.FLOAT64, false, 3).encode(NpyVersion.V1_0, 8192);
    Path p = dir.resolve(name);
    Files.write(p, ByteBuffer.allocate(8192 + 24).put(head).array());
    return p;
  }

  @Test
  void everyCommandRefusesHeadersOverTheLimit() throws IOException {
    Path p = bigHeader("big.npy");
    Path out = dir.resolve("out.npy");
    Object[][] commands = {
      {"info", p},
      {"head", p},
      {"recover", p},
      {"ensure-appendable", p},
      {"concat", "-o", out, p, p},
      {"append", out, p},
    };
    for (Object[] c : commands) {
      Object[] args = new Object[c.length + 2];
      args[0] = c[0];
      args[1] = "--max-header-bytes";
      args[2] = 4096;
      System.arraycopy(c, 1, args, 3, c.length - 1);
      CliRun.Result r = npy(args);
      assertThat(r.code()).as("%s: %s", c[0], r.err()).isEqualTo(1);
      assertThat(r.err())
          .as("%s", c[0])
          .contains(p.toString())
          .contains("its header is 8182 bytes, more than the limit of 4096 bytes");
      assertThat(out).doesNotExist();
      // The default (1 MiB) and a limit the header fits in both work.
      assertThat(npy("info", "--max-header-bytes=8192", p).code()).isZero();
    }
    assertThat(npy("concat", "--max-header-bytes", "8192", "-o", out, p, p).code()).isZero();
    assertThat(npy("head", p).out()).contains("0.");
  }

  @Test
  void invalidValuesAreUsageErrors() {
    for (String v : new String[] {"0", "-1", "x", "2147483648", ""}) {
      CliRun.Result r = npy("info", "--max-header-bytes", v, "f.npy");
      assertThat(r.code()).as(v).isEqualTo(2);
      assertThat(r.err())
          .contains(
              "npy info: invalid --max-header-bytes '"
                  + v
                  + "': expected a whole number from 1 to 2147483647");
    }
  }

  @Test
  void helpListsTheOption() {
    for (String c :
        new String[] {"info", "head", "append", "concat", "recover", "ensure-appendable"}) {
      assertThat(npy(c, "--help").out())
          .as(c)
          .contains("--max-header-bytes N")
          .contains("refuse headers longer than N bytes (default 1048576, 1 MiB)");
    }
  }
}
