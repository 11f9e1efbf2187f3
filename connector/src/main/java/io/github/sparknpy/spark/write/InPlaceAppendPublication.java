package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.ExclusiveFile;
import io.github.sparknpy.npy.RowSource;
import io.github.sparknpy.npy.dtype.Casting;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local Append to an appendable file, in place, under the appenders' exclusive lock that {@link
 * MergedFilePublication} took to read the file's header (and holds until this returns), through the
 * core's {@link ExclusiveFile#appendRows}: the parts' data goes after the file's data first (forced
 * to disk, parts with narrower strings widened on the way), then the header is rewritten in place
 * with the new row count and forced. Until it returns, any failure puts the old header bytes back
 * and cuts the file back to its old length, so a failed commit leaves the file as it was, byte for
 * byte; the old header never describes data that is not there.
 */
final class InPlaceAppendPublication extends Publication {
  private static final Logger LOG = LoggerFactory.getLogger(InPlaceAppendPublication.class);

  private final ExclusiveFile locked;
  private final EncodedHeader old;

  /**
   * @param locked the file, held under its lock
   * @param old its header, read under the lock and checked to take the new rows
   */
  InPlaceAppendPublication(Publication from, ExclusiveFile locked, EncodedHeader old) {
    super(from);
    this.locked = locked;
    this.old = old;
  }

  @Override
  long publish(List<Part> parts, NpyHeader header) throws IOException {
    List<RowSource> sources = new ArrayList<>();
    for (Part p : parts) {
      sources.add(
          RowSource.of(
              p.file().toString(), p.header(), () -> files.open(p.file(), p.dataOffset())));
    }
    try {
      NpyHeader grown =
          locked.appendRows(
              old,
              sources,
              Casting.EQUIV,
              stage ->
                  reached(
                      stage == ExclusiveFile.Stage.DATA_FORCED
                          ? Checkpoint.Step.DATA_WRITTEN
                          : Checkpoint.Step.HEADER_WRITTEN,
                      path));
      return grown.dataBytes() - old.header().dataBytes();
    } catch (IOException | RuntimeException e) {
      LOG.info(
          "Failed append to {}: rolled back to its old {} bytes",
          path,
          old.dataOffset() + old.header().dataBytes());
      throw e;
    }
  }
}
