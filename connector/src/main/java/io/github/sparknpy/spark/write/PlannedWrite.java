package io.github.sparknpy.spark.write;

/**
 * What one write (or one micro-batch of a streaming write) runs with: its tasks' job and target.
 */
record PlannedWrite(WriteJob job, WriteTarget target) {}
