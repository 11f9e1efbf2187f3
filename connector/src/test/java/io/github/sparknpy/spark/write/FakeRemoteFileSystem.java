package io.github.sparknpy.spark.write;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Local files under another scheme ({@code npyfake:}), so the writer takes the route it takes on
 * HDFS or S3: Hadoop streams, staged copies, combined-file Append and {@code FileContext} renames.
 */
public class FakeRemoteFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "npyfake";

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  /** The {@code FileContext} binding: {@code fs.AbstractFileSystem.npyfake.impl}. */
  public static final class Afs extends DelegateToFileSystem {
    public Afs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new FakeRemoteFileSystem(), conf, SCHEME, false);
    }
  }

  static void register(Configuration conf) {
    conf.set("fs." + SCHEME + ".impl", FakeRemoteFileSystem.class.getName());
    conf.set("fs.AbstractFileSystem." + SCHEME + ".impl", Afs.class.getName());
  }
}
