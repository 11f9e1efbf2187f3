package io.github.sparknpy.spark.write;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * Local files under the scheme {@code npyfault:} (a non-local route, as on HDFS or S3) that fail on
 * demand: a stream created for a file whose name contains {@link #failWritesTo} throws after {@link
 * #failAfterBytes} bytes, and the first rename onto a name matching the regex {@link
 * #failRenamesTo} throws (a transient failure). It has no {@code FileContext} binding, so the
 * committer replaces files by plain renames. Settings are static (the file system is cached per
 * scheme) and reset by {@link #reset}.
 */
public class FaultyFileSystem extends FakeRemoteFileSystem {
  static final String SCHEME = "npyfault";

  static volatile String failWritesTo;
  static volatile long failAfterBytes;
  static volatile String failRenamesTo;

  /**
   * An open of a file whose name matches this regex, after {@link #opensBeforeDelete} such opens,
   * finds it deleted (as if by another writer), once.
   */
  static volatile String deleteOnOpen;

  static volatile int opensBeforeDelete;

  private static final AtomicInteger OPEN_INPUTS = new AtomicInteger();

  /** Input streams opened and not closed yet. */
  static int openInputs() {
    return OPEN_INPUTS.get();
  }

  static void register(Configuration conf) {
    conf.set("fs." + SCHEME + ".impl", FaultyFileSystem.class.getName());
  }

  static void reset() {
    failWritesTo = null;
    failAfterBytes = 0;
    failRenamesTo = null;
    deleteOnOpen = null;
    opensBeforeDelete = 0;
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return failing(
        f, super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return failing(f, super.create(f, overwrite, bufferSize, replication, blockSize, progress));
  }

  private static FSDataOutputStream failing(Path f, FSDataOutputStream out) throws IOException {
    String match = failWritesTo;
    if (match == null || !f.getName().contains(match)) {
      return out;
    }
    return new FSDataOutputStream(new FailAfter(out, failAfterBytes, f), null);
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    String deleted = deleteOnOpen;
    if (deleted != null && f.getName().matches(deleted) && opensBeforeDelete-- <= 0) {
      deleteOnOpen = null;
      delete(f, false);
    }
    FSDataInputStream in = super.open(f, bufferSize);
    OPEN_INPUTS.incrementAndGet();
    return new FSDataInputStream(new Tracked(in));
  }

  /** Counts its close (once). */
  private static final class Tracked extends FSDataInputStream {
    private boolean closed;

    Tracked(FSDataInputStream in) {
      super(in);
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        OPEN_INPUTS.decrementAndGet();
      }
      super.close();
    }
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    String match = failRenamesTo;
    if (match != null && dst.getName().matches(match)) {
      failRenamesTo = null; // one failure: a second rename onto that name (moving back) works
      throw new IOException("injected failure renaming " + src + " to " + dst);
    }
    return super.rename(src, dst);
  }

  /** Passes {@code limit} bytes through, then fails every write. */
  private static final class FailAfter extends FilterOutputStream {
    private final Path file;
    private long left;

    FailAfter(OutputStream out, long limit, Path file) {
      super(out);
      this.left = limit;
      this.file = file;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      int n = (int) Math.min(len, left);
      out.write(b, off, n);
      left -= n;
      if (n < len) {
        out.flush();
        throw new IOException("injected failure writing " + file + " after its first bytes");
      }
    }
  }
}
