package io.github.sparknpy.spark.read;

import java.io.Serializable;
import java.util.List;

/**
 * A file of a scan, planned on the driver: its path and length, its arrays ({@code .npy}: one; a
 * {@code .npz}: one per member) and its row count along the row axis.
 */
record NpyFileSpec(String path, long length, List<NpyPart> parts, long rowCount, long rowBytes)
    implements Serializable {

  /** Deflated members are streams: such a file is one partition. */
  boolean splittable() {
    return parts.stream().noneMatch(NpyPart::deflated);
  }
}
