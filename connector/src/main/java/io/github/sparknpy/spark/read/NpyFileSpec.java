package io.github.sparknpy.spark.read;

import java.io.Serializable;
import java.util.List;

/**
 * A file of a scan, planned on the driver: its path and length, its arrays ({@code .npy}: one; a
 * {@code .npz}: one per member), its row count along the row axis, and its identity when its header
 * was read (tasks check that the file they open is still this one, see {@link FileChangeCheck}),
 * with a {@link DataSample} of a local {@code .npy} file's planned data (else null), and its values
 * of the partition columns ({@code column=value} directories above it; empty when the read has
 * none).
 */
record NpyFileSpec(
    String path,
    long length,
    List<NpyPart> parts,
    long rowCount,
    long rowBytes,
    FileIdentity identity,
    DataSample sample,
    List<Object> partitionValues)
    implements Serializable {

  /** This file with the values of its partition columns. */
  NpyFileSpec withPartitionValues(List<Object> values) {
    return new NpyFileSpec(path, length, parts, rowCount, rowBytes, identity, sample, values);
  }

  /** Deflated members are streams: such a file is one partition. */
  boolean splittable() {
    return parts.stream().noneMatch(NpyPart::deflated);
  }
}
