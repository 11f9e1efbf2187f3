package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.header.NpyVersion;
import io.github.sparknpy.npy.io.LocalInputFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every entry point that reads a header honors a configurable header size limit. */
class MaxHeaderBytesTest {
  private static final String REFUSED = "more than the limit of 4096 bytes";

  @TempDir Path dir;

  /** A valid file whose header, padded with spaces, is 8 KiB. */
  static Path bigHeader(Path dir, String name) throws IOException {
    NpyHeader h = NpyHeader.of(ScalarDType.FLOAT64, false, 3);
    byte[] head = h.encode(NpyVersion.V1_0, 8192);
    Path p = dir.resolve(name);
    Files.write(p, concat(head, new byte[24]));
    return p;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
  }

  @Test
  void readersRefuseHeadersOverTheLimitAndAcceptThemUnderIt() throws IOException {
    Path p = bigHeader(dir, "big.npy");
    assertThatThrownBy(() -> Npy.readHeader(p, 4096))
        .isExactlyInstanceOf(NpyFormatException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining("its header is 8182 bytes, " + REFUSED)
        .hasMessageContaining("raise the maximum header size");
    assertThatThrownBy(() -> NpyFile.open(p, 4096)).hasMessageContaining(REFUSED);
    assertThatThrownBy(() -> NpyFile.open(new LocalInputFile(p), 4096))
        .hasMessageContaining(REFUSED);
    assertThatThrownBy(() -> NpyAppendArray.builder(p).maxHeaderBytes(4096).open())
        .hasMessageContaining(REFUSED);
    assertThat(Npy.readHeader(p, 8192).dataOffset()).isEqualTo(8192);
    assertThat(Npy.readHeader(p).dataOffset()).isEqualTo(8192);
  }

  @Test
  void recoverEnsureAppendableAndConcatHonorTheLimit() throws IOException {
    Path p = bigHeader(dir, "big.npy");
    byte[] before = Files.readAllBytes(p);
    assertThatThrownBy(() -> Npy.recover(p, false, 4096))
        .isExactlyInstanceOf(NpyFormatException.class)
        .hasMessageContaining(REFUSED);
    assertThatThrownBy(() -> Npy.ensureAppendable(p, true, 4096))
        .isExactlyInstanceOf(NpyFormatException.class)
        .hasMessageContaining(REFUSED);
    Path out = dir.resolve("out.npy");
    assertThatThrownBy(() -> Npy.concat(out, List.of(p, p), 4096))
        .isExactlyInstanceOf(NpyFormatException.class)
        .hasMessageContaining(REFUSED);
    assertThat(out).doesNotExist();
    assertThat(Files.readAllBytes(p)).isEqualTo(before);

    assertThat(Npy.concat(out, List.of(p, p), 8192).shape()).containsExactly(6);
    assertThat(Npy.recover(p, false, 8192).rowsAfter()).isEqualTo(3);
    assertThat(Npy.ensureAppendable(p, false, 8192)).isFalse();
  }
}
