package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.dtype.Relayout;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job commit's file operations on the target file system: {@code java.nio} channels on the
 * local file system (zero-copy {@code transferTo}, {@code rename(2)}, no {@code .crc} siblings),
 * Hadoop streams and {@code FileContext} renames elsewhere.
 */
final class TargetFiles {
  private static final Logger LOG = LoggerFactory.getLogger(TargetFiles.class);
  private static final int COPY_BYTES = 8 << 20;

  private final FileSystem fs;
  private final Configuration conf;
  private final boolean local;

  TargetFiles(FileSystem fs, Configuration conf, boolean local) {
    this.fs = fs;
    this.conf = conf;
    this.local = local;
  }

  /** An empty file (a marker such as {@code _SUCCESS}). */
  void createEmpty(Path p) throws IOException {
    if (local) {
      Files.write(java.nio.file.Path.of(p.toUri()), new byte[0]);
    } else {
      try (OutputStream out = fs.create(p, true)) {
        out.flush();
      }
    }
  }

  /**
   * Creates an empty file unless {@code p} exists (atomic locally and on HDFS); false if it does.
   */
  boolean createIfAbsent(Path p) throws IOException {
    if (local) {
      try {
        Files.createFile(java.nio.file.Path.of(p.toUri()));
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      }
    }
    try (OutputStream out = fs.create(p, false)) {
      out.flush();
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
  }

  /** Creates the directory; false if it exists already (then made by another write, or earlier). */
  boolean mkdirIfAbsent(Path p) throws IOException {
    if (local) {
      java.nio.file.Path dir = java.nio.file.Path.of(p.toUri());
      Files.createDirectories(dir.getParent());
      try {
        Files.createDirectory(dir);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      }
    }
    if (fs.exists(p)) {
      return false;
    }
    fs.mkdirs(p);
    return true;
  }

  WritableByteChannel create(Path p) throws IOException {
    if (local) {
      java.nio.file.Path local = java.nio.file.Path.of(p.toUri());
      Files.createDirectories(local.getParent());
      return FileChannel.open(
          local,
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
    }
    return Channels.newChannel(fs.create(p, true));
  }

  ReadableByteChannel open(Path p, long offset) throws IOException {
    if (local) {
      FileChannel ch = FileChannel.open(java.nio.file.Path.of(p.toUri()), StandardOpenOption.READ);
      ch.position(offset);
      return ch;
    }
    FSDataInputStream in = fs.open(p);
    in.seek(offset);
    return Channels.newChannel(in);
  }

  /** Atomic replace: {@code rename(2)} locally, {@code FileContext.rename(OVERWRITE)} elsewhere. */
  void rename(Path from, Path to) throws IOException {
    if (local) {
      Files.move(
          java.nio.file.Path.of(from.toUri()),
          java.nio.file.Path.of(to.toUri()),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } else {
      FileContext fc;
      try {
        fc = FileContext.getFileContext(to.toUri(), conf);
      } catch (UnsupportedFileSystemException e) {
        // no AbstractFileSystem binding for this scheme: not atomic; the old file is moved aside
        // first and put back if the rename fails, so it is never lost
        LOG.warn("No FileContext for {}; replacing it by renames", to);
        replaceByRenames(from, to);
        return;
      }
      fc.rename(from, to, Options.Rename.OVERWRITE);
    }
  }

  /**
   * Publishes a new file: renames {@code from} to {@code to} unless {@code to} exists, atomically
   * where the file system can (local: a hard link, which fails on an existing name, then the unlink
   * of {@code from}; Hadoop: {@code FileContext.rename} without OVERWRITE, atomic on HDFS). False
   * if {@code to} exists; {@code from} is then untouched.
   */
  boolean renameIfAbsent(Path from, Path to) throws IOException {
    if (local) {
      java.nio.file.Path src = java.nio.file.Path.of(from.toUri());
      java.nio.file.Path dst = java.nio.file.Path.of(to.toUri());
      try {
        Files.createLink(dst, src);
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException | FileSystemException e) {
        if (e instanceof FileSystemException && Files.exists(dst, LinkOption.NOFOLLOW_LINKS)) {
          return false;
        }
        // no hard links here (e.g. some network or FUSE file systems): a move that refuses an
        // existing target, checked just before the rename(2)
        try {
          Files.move(src, dst);
          return true;
        } catch (FileAlreadyExistsException exists) {
          return false;
        }
      }
      Files.delete(src);
      return true;
    }
    FileContext fc;
    try {
      fc = FileContext.getFileContext(to.toUri(), conf);
    } catch (UnsupportedFileSystemException e) {
      if (fs.exists(to)) {
        return false;
      }
      if (!fs.rename(from, to)) {
        if (fs.exists(to)) {
          return false;
        }
        throw new IOException("Cannot rename " + from + " to " + to);
      }
      return true;
    }
    try {
      fc.rename(from, to, Options.Rename.NONE);
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
  }

  private void replaceByRenames(Path from, Path to) throws IOException {
    Path aside = null;
    if (fs.exists(to)) {
      aside = new Path(to.getParent(), "." + to.getName() + ".npy-replaced-" + UUID.randomUUID());
      if (!fs.rename(to, aside)) {
        throw new IOException("Cannot replace " + to + ": cannot move it aside to " + aside);
      }
    }
    try {
      if (!fs.rename(from, to)) {
        throw new IOException("Cannot rename " + from + " to " + to);
      }
    } catch (IOException | RuntimeException e) {
      if (aside != null) {
        try {
          if (!fs.rename(aside, to)) {
            e.addSuppressed(new IOException("Cannot move " + aside + " back to " + to));
          }
        } catch (IOException r) {
          e.addSuppressed(r);
        }
      }
      throw e;
    }
    if (aside != null) {
      deleteQuietly(aside);
    }
  }

  void deleteQuietly(Path p) {
    try {
      fs.delete(p, false);
    } catch (IOException e) {
      LOG.warn("Could not delete {}", p, e);
    }
  }

  static long writeFully(WritableByteChannel ch, ByteBuffer buf) throws IOException {
    long n = buf.remaining();
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
    return n;
  }

  /**
   * Copies {@code length} bytes: zero-copy {@code transferTo} between local files, buffered
   * otherwise, through {@code relayout} when the part's strings are narrower.
   */
  static long copy(ReadableByteChannel in, long length, WritableByteChannel out, Relayout relayout)
      throws IOException {
    if (relayout == null && in instanceof FileChannel fin && out instanceof FileChannel) {
      long pos = fin.position();
      long done = 0;
      while (done < length) {
        long n = fin.transferTo(pos + done, length - done, out);
        if (n <= 0) {
          throw new java.io.EOFException(
              "Part ended after " + done + " of " + length + " data bytes");
        }
        done += n;
      }
      return done;
    }
    int rowIn = relayout == null ? 1 : Math.max(1, relayout.fromRowBytes());
    int rowsPerChunk = Math.max(1, COPY_BYTES / rowIn);
    ByteBuffer buf = ByteBuffer.allocateDirect(rowsPerChunk * rowIn).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer wide =
        relayout == null
            ? null
            : ByteBuffer.allocateDirect(rowsPerChunk * Math.max(1, relayout.toRowBytes()))
                .order(ByteOrder.LITTLE_ENDIAN);
    long done = 0;
    long written = 0;
    while (done < length) {
      buf.clear();
      buf.limit((int) Math.min(buf.capacity(), length - done));
      while (buf.hasRemaining()) {
        if (in.read(buf) < 0) {
          throw new java.io.EOFException(
              "Part ended after " + (done + buf.position()) + " of " + length + " data bytes");
        }
      }
      done += buf.position();
      buf.flip();
      if (relayout == null) {
        written += writeFully(out, buf);
      } else {
        wide.clear();
        relayout.apply(buf, wide, buf.remaining() / rowIn);
        wide.flip();
        written += writeFully(out, wide);
      }
    }
    return written;
  }
}
