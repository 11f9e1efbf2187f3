package io.github.sparknpy.npy;

import io.github.sparknpy.npy.io.InputFile;
import io.github.sparknpy.npy.io.LocalInputFile;
import io.github.sparknpy.npy.io.SeekableInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A positioned-read source over a local file that is not a {@code LocalInputFile}, so {@link
 * NpyFile#open(InputFile)} takes the ranged path (as for a Hadoop file) on a file a test controls.
 * Its streams are {@code LocalInputFile}'s.
 */
record ChannelInputFile(Path path) implements InputFile {
  @Override
  public long getLength() throws IOException {
    return Files.size(path);
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    return new LocalInputFile(path).newStream();
  }

  @Override
  public String location() {
    return path.toString();
  }
}
