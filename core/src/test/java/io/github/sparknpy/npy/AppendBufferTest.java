package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The write buffer of deferred-header appends keeps every row a failed write did not finish. */
class AppendBufferTest {
  @Test
  void aWriteThatFailsHalfwayLeavesEveryRowBufferedForTheNextOne() throws IOException {
    AppendBuffer buffer = new AppendBuffer(new Object(), true, 64, () -> {});
    ByteBuffer into = buffer.reserve(48);
    for (int i = 0; i < 6; i++) {
      into.putLong(i);
    }
    buffer.added(3);
    // a disk that fills up after 20 bytes: the channel took some of the bytes, then failed
    assertThatThrownBy(
            () ->
                buffer.drainTo(
                    data -> {
                      data.position(data.position() + 20);
                      throw new IOException("No space left on device");
                    }))
        .hasMessage("No space left on device");
    assertThat(buffer.rows()).isEqualTo(3);
    ByteBuffer written = ByteBuffer.allocate(64);
    assertThat(buffer.drainTo(written::put)).isEqualTo(3);
    written.flip();
    assertThat(written.remaining()).isEqualTo(48);
    for (int i = 0; i < 6; i++) {
      assertThat(written.getLong()).isEqualTo(i);
    }
    assertThat(buffer.isEmpty()).isTrue();
  }
}
