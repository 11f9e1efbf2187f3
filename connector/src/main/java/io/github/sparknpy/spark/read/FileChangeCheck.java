package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.io.SeekableInputStream;
import io.github.sparknpy.spark.hadoop.HadoopInputFile;
import java.io.IOException;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checks, when a task opens a file, that it is still the file the scan was planned on, so a read
 * racing an overwrite never stitches rows of two versions together. Unchanged length and
 * modification time pass. A local file with the same inode number may have been written in place:
 * it passes only when its header still has the planned dtype, order, row shape and data offset and
 * at least the planned rows, and the planned data's first and last KiB are unchanged ({@link
 * DataSample}): an append, whose planned rows are read as planned. Anything else (another file
 * renamed over the path, another etag, a {@code .npz} rewritten) fails with {@link
 * NpyFileChangedException}.
 */
final class FileChangeCheck {
  private static final int HEADER_ATTEMPTS = 3;

  private FileChangeCheck() {}

  /**
   * @throws NpyFileChangedException when {@code file} is no longer the planned one
   * @throws java.io.FileNotFoundException when it was deleted
   */
  static void check(NpyFileSpec file, FileSystem fs, Configuration conf, ReadTaskOptions options)
      throws IOException {
    FileIdentity planned = file.identity();
    if (planned == null) {
      return;
    }
    Path path = new Path(file.path());
    FileIdentity now = FileIdentity.now(path, fs);
    if (planned.unchanged(now)) {
      return;
    }
    NpyPart part = file.parts().get(0);
    String why;
    String header = "";
    if (!planned.sameObject(now)) {
      why =
          planned.key() != null && !planned.key().equals(now.key())
              ? "another file was published at its path"
              : "its length or modification time changed";
    } else if (file.parts().size() != 1 || !part.location().equals(file.path())) {
      why = "the archive was rewritten in place";
    } else {
      why = null;
      // An appender rewrites the header while this reads it, and a read is not atomic with a
      // concurrent write of the same bytes: a torn header is transient, so look again.
      for (int attempt = 0; attempt < HEADER_ATTEMPTS; attempt++) {
        EncodedHeader h;
        try {
          h =
              EncodedHeader.read(
                  HadoopInputFile.of(path, now.length(), conf), options.maxHeaderBytes());
        } catch (IOException | NpyFormatException e) {
          why = "it was rewritten in place";
          header = "; its header no longer reads: " + e.getMessage();
          continue;
        }
        why = notAnAppend(part, h, options.rowAxisLast());
        if (why == null && file.sample() != null) {
          // the inode number may be reused by a new file: the planned bytes must still be there
          try (SeekableInputStream in = HadoopInputFile.of(path, now.length(), conf).newStream()) {
            String other = file.sample().difference(in, now.length());
            why = other == null ? null : "another file reuses its inode number: " + other;
          }
        }
        if (why == null) {
          return;
        }
        header = "; header now " + h.header();
      }
    }
    throw new NpyFileChangedException(
        "Cannot read "
            + file.path()
            + ": it changed while the query ran ("
            + why
            + "). Planned: "
            + planned
            + ", header "
            + part.header()
            + "; now: "
            + now
            + header
            + ". Its rows would mix two versions of the file, so nothing of it is read: run the"
            + " query again to read the new version (and do not overwrite files while they are"
            + " read)");
  }

  /** Why {@code now} is not {@code planned} with rows appended, or null if it is. */
  private static String notAnAppend(NpyPart planned, EncodedHeader now, boolean rowAxisLast) {
    NpyHeader h = now.header();
    if (!h.dtype().descr().equals(planned.descr()) || h.fortranOrder() != planned.fortranOrder()) {
      return "it was rewritten in place with dtype " + h.dtype().descr();
    }
    if (now.dataOffset() != planned.dataOffset() || h.shape().length != planned.shape().length) {
      return "it was rewritten in place with another header";
    }
    RowGeometry was = planned.geometry(rowAxisLast);
    RowGeometry is = new RowGeometry(h.shape(), h.fortranOrder(), was.itemSize, rowAxisLast);
    if (!Arrays.equals(was.rowShape, is.rowShape)) {
      return "it was rewritten in place with shape " + Arrays.toString(h.shape());
    }
    if (is.rowCount < was.rowCount) {
      return "it was rewritten in place with " + is.rowCount + " rows instead of " + was.rowCount;
    }
    if (is.rowCount > was.rowCount && !is.contiguous) {
      // rows along the fastest axis: more rows move every element after the first run
      return "rows were added along its fastest-varying axis";
    }
    return null;
  }
}
