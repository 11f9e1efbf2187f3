package io.github.sparknpy.spark.read;

import java.io.Serializable;

/**
 * Where a data column of the table comes from.
 *
 * @param part the array: 0 for a {@code .npy}, the member's index for a {@code .npz}
 * @param combo {@code layout=matrix}: the index along the non-row axis; else -1 (the whole row,
 *     nested in one array per non-row axis)
 * @param field a record field shown as its own column, or null for the whole element
 */
record ColumnSource(int part, int combo, String field) implements Serializable {}
