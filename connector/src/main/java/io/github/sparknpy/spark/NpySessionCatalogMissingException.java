package io.github.sparknpy.spark;

import io.github.sparknpy.npy.error.NpyException;

/**
 * A catalog table of the {@code npy} source reached Spark 3.5's V1 code path: the session catalog
 * is Spark's own, which cannot hand such tables to a DataSource V2 source; {@link
 * NpySessionCatalog} can.
 */
public class NpySessionCatalogMissingException extends NpyException {
  private static final long serialVersionUID = 1L;

  public NpySessionCatalogMissingException(String message) {
    super(message);
  }
}
