package io.github.sparknpy.npy;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Byte access to the data section of one file: memory-mapped or by positioned reads. */
interface DataSection extends Closeable {
  /**
   * {@code length} bytes starting {@code offset} bytes into the data section, as a buffer
   * positioned at 0 (byte order unset). Mapped sections return a zero-copy view.
   */
  ByteBuffer slice(long offset, int length) throws IOException;

  /** Copies {@code dst.remaining()} bytes from {@code offset} into {@code dst}. */
  void read(long offset, ByteBuffer dst) throws IOException;
}
