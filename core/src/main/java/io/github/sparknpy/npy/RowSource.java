package io.github.sparknpy.npy;

import io.github.sparknpy.npy.error.NpyNeedsRecoveryException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Rows to append to a {@code .npy} file with {@link ExclusiveFile#appendRows} or {@link
 * Npy#append}: an array described by a header (dtype, shape, memory order) and a way to open its
 * data section. A local file ({@link #of(Path, EncodedHeader)}) or any channel, such as a Hadoop
 * stream ({@link #of(String, NpyHeader, Opener)}). Exactly {@code header().dataBytes()} bytes are
 * read.
 */
public final class RowSource {
  /** Opens a source's data section, positioned at its first byte; the appender closes it. */
  @FunctionalInterface
  public interface Opener {
    ReadableByteChannel open() throws IOException;
  }

  private final String name;
  private final NpyHeader header;
  private final Opener data;
  private final Path localFile;
  private final long dataOffset;

  private RowSource(String name, NpyHeader header, Opener data, Path localFile, long dataOffset) {
    this.name = Objects.requireNonNull(name, "name");
    this.header = Objects.requireNonNull(header, "header");
    this.data = Objects.requireNonNull(data, "data");
    this.localFile = localFile;
    this.dataOffset = dataOffset;
  }

  /**
   * Rows from any channel: {@code data} opens the array's data section positioned at its first
   * byte. A {@link java.nio.channels.SeekableByteChannel} is needed only if the array's memory
   * order differs from the target's (it is then read out of order).
   *
   * @param name how messages name the source (its path)
   */
  public static RowSource of(String name, NpyHeader header, Opener data) {
    return new RowSource(name, header, data, null, -1);
  }

  /** The array of the local file {@code file}, whose header {@code h} was read already. */
  public static RowSource of(Path file, EncodedHeader h) {
    return new RowSource(
        file.toString(),
        h.header(),
        () -> FileChannel.open(file, StandardOpenOption.READ).position(h.dataOffset()),
        file,
        h.dataOffset());
  }

  /**
   * The array of the local {@code .npy} file {@code file}.
   *
   * @throws NpyNeedsRecoveryException if its data is not the length its header says
   */
  public static RowSource of(Path file, int maxHeaderBytes) throws IOException {
    EncodedHeader h = Npy.readHeader(file, maxHeaderBytes);
    long data = Files.size(file) - h.dataOffset();
    if (data != h.header().dataBytes()) {
      throw NpyNeedsRecoveryException.dataLength(
          "Cannot append " + file,
          h.header().dataBytes(),
          data,
          ". Run 'npy recover' on it first.");
    }
    return of(file, h);
  }

  /** How messages name the source. */
  public String name() {
    return name;
  }

  /** What the source holds. */
  public NpyHeader header() {
    return header;
  }

  Opener data() {
    return data;
  }

  /** The local file the rows are in, or null for a channel source. */
  Path localFile() {
    return localFile;
  }

  /** Where the data starts in {@link #localFile()}. */
  long dataOffset() {
    return dataOffset;
  }

  @Override
  public String toString() {
    return name + " (" + header + ")";
  }
}
