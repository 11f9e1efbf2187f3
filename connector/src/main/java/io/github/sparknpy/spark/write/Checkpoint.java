package io.github.sparknpy.spark.write;

import java.io.IOException;
import org.apache.hadoop.fs.Path;

/**
 * Fault injection at a job commit's steps, as core's InPlaceMove has: {@link JobCommitter} gets one
 * through its constructor and calls it at each step; production commits get {@link #NONE} (tests
 * install theirs through {@link CommitFaults}).
 */
@FunctionalInterface
interface Checkpoint {
  /** No fault: what every commit outside tests runs with. */
  Checkpoint NONE = (step, target) -> {};

  /** The commit's steps a test can fail at. */
  enum Step {
    /** All new data is written (temp file, grown first part, or appended in place). */
    DATA_WRITTEN,
    /** Local Append: the header with the new row count is written, not yet forced. */
    HEADER_WRITTEN,
    /** merge=false: one more part is in the target directory. */
    PART_PUBLISHED
  }

  /** Called when the commit reaches {@code step}; throwing fails the commit there. */
  void reached(Step step, Path target) throws IOException;
}
