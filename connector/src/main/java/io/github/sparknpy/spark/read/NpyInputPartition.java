package io.github.sparknpy.spark.read;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.connector.read.InputPartition;

/** Row ranges of one or more files, read in order by one task. */
final class NpyInputPartition implements InputPartition {
  private static final long serialVersionUID = 1L;

  /** Rows {@code [startRow, endRow)} along the row axis of {@code file}. */
  record Slice(NpyFileSpec file, long startRow, long endRow) implements Serializable {}

  final List<Slice> slices;
  private final String[] hosts;

  NpyInputPartition(List<Slice> slices, String[] hosts) {
    this.slices = slices;
    this.hosts = hosts;
  }

  @Override
  public String[] preferredLocations() {
    return hosts.clone();
  }
}
