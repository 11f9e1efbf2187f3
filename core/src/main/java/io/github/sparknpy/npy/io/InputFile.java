package io.github.sparknpy.npy.io;

import java.io.IOException;

/**
 * A file this library can read by position: a local file, or any store an adapter wraps (the Spark
 * connector plugs in Hadoop's {@code FileSystem}). Modeled on Parquet's {@code InputFile}.
 */
public interface InputFile {
  /** Total length of the file in bytes. */
  long getLength() throws IOException;

  /** A new stream positioned at 0; the caller closes it. */
  SeekableInputStream newStream() throws IOException;

  /** Where the file is, for messages (a path or URI). */
  String location();
}
