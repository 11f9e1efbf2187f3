package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.header.NpyHeader;
import java.io.Serializable;

/**
 * One array of a file as the executors need it: a {@code .npy} file, or one member of a {@code
 * .npz}. Plain serializable values; the dtype is re-parsed from its descr on the executor.
 *
 * @param column the column a {@code .npz} member becomes (its name without {@code .npy}); null for
 *     a {@code .npy} file or a single member read with option {@code member}
 * @param location the file, or {@code archive.npz[member.npy]}, for messages
 * @param deflated the member is deflate-compressed (read as a stream, never split)
 * @param zipDataOffset where a deflated member's compressed bytes start in the archive
 * @param compressedSize compressed bytes of a deflated member
 * @param dataOffset where the array data starts: in the file for {@code .npy} and stored members,
 *     in the uncompressed member for deflated ones
 * @param file a member of a column set ({@code layout=columns}): its own {@code .npy} file; null
 *     for an array in the scanned file itself
 * @param fileIdentity the member file as planned (checked when a task opens it); null with {@code
 *     file}
 */
record NpyPart(
    String column,
    String location,
    String descr,
    long[] shape,
    boolean fortranOrder,
    boolean deflated,
    long zipDataOffset,
    long compressedSize,
    long dataOffset,
    String file,
    FileIdentity fileIdentity)
    implements Serializable {

  static NpyPart of(
      String column,
      String location,
      NpyHeader header,
      boolean deflated,
      long zipDataOffset,
      long compressedSize,
      long dataOffset) {
    return new NpyPart(
        column,
        location,
        header.dtype().descr(),
        header.shape(),
        header.fortranOrder(),
        deflated,
        zipDataOffset,
        compressedSize,
        dataOffset,
        null,
        null);
  }

  /** This array as member {@code column} of a column set, read from its own {@code file}. */
  NpyPart inSet(String column, String file, FileIdentity identity) {
    return new NpyPart(
        column,
        location,
        descr,
        shape,
        fortranOrder,
        deflated,
        zipDataOffset,
        compressedSize,
        dataOffset,
        file,
        identity);
  }

  DType dtype() {
    return DType.parse(descr);
  }

  RowGeometry geometry(boolean rowAxisLast) {
    return new RowGeometry(shape, fortranOrder, dtype().itemSize(), rowAxisLast);
  }

  NpyHeader header() {
    return NpyHeader.of(dtype(), fortranOrder, shape);
  }
}
