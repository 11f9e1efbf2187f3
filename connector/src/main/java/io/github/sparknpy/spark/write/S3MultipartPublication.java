package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.spark.compat.S3MultipartClient;
import io.github.sparknpy.spark.compat.S3Settings;
import io.github.sparknpy.spark.compat.S3SourceChangedException;
import io.github.sparknpy.spark.hadoop.HadoopInputFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.apache.hadoop.fs.FSDataInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * merge=true on S3 (s3a): the file is assembled by S3 from the staged parts with one multipart
 * upload whose parts are server-side copies of the parts' data ranges (UploadPartCopy); the driver
 * uploads only the header and the pieces that S3's 5 MiB minimum part size forces together ({@link
 * S3PartPlan}). Nothing is visible at the path until the upload completes, which replaces an old
 * object in one step; a failure aborts the upload, so no parts are left behind. An Append copies
 * the existing object's data the same way, each copy conditional on its ETag, and completes only if
 * the object is still the one it read (else reads it again). Parts that need converting (narrower
 * strings) and S3 settings a copy cannot repeat go to {@link MergedFilePublication}, which copies
 * through the driver.
 */
final class S3MultipartPublication extends Publication {
  private static final Logger LOG = LoggerFactory.getLogger(S3MultipartPublication.class);
  private static final int MAX_APPEND_ATTEMPTS = 5;

  /** Parts copied or uploaded at a time (S3 copies each part on its side; they run in parallel). */
  private static final int PARALLEL_PARTS = 16;

  /** Parts the driver holds in memory to upload at a time (each up to about 15 MiB). */
  private final Semaphore uploads = new Semaphore(4);

  private final S3MultipartClient s3;
  private final MergedFilePublication copying;

  S3MultipartPublication(MergedFilePublication copying, S3MultipartClient s3) {
    super(copying);
    this.copying = copying;
    this.s3 = s3;
  }

  /** The multipart publication for an S3A target, or null if this is not one. */
  static S3MultipartPublication forTarget(MergedFilePublication copying) {
    if (!"s3a".equals(copying.fs.getScheme())
        || ExecutorCopy.DRIVER.equals(copying.target.commitCopy())) {
      return null;
    }
    S3MultipartClient client = S3MultipartClient.of(copying.fs);
    if (client == null) {
      LOG.info(
          "{} is on S3A, but this hadoop-aws does not hand out its S3 client: merged writes copy"
              + " through the driver",
          copying.path);
      return null;
    }
    return new S3MultipartPublication(copying, client);
  }

  @Override
  long publish(List<Part> parts, NpyHeader header) throws IOException {
    String refusal = refusal(parts, header);
    if (refusal != null) {
      LOG.info(
          "Merging {} parts for {} by copying {} bytes through the driver: {}",
          parts.size(),
          path,
          header.dataBytes(),
          refusal);
      return copying.publish(parts, header);
    }
    return switch (target.mode()) {
      case OVERWRITE -> assemble(ranges(header, null, parts), null, () -> true);
      case APPEND -> {
        if (target.failIfExists()) {
          throw copying.createdMeanwhile();
        }
        yield append(parts, header);
      }
      case CREATE -> create(parts, header);
    };
  }

  private String refusal(List<Part> parts, NpyHeader header) {
    String settings = s3.refusal();
    if (settings != null) {
      return settings;
    }
    for (Part p : parts) {
      if (!p.header().dtype().equals(header.dtype())) {
        return "part " + p.partitionId() + " has strings narrower than the longest of the job";
      }
    }
    return null;
  }

  /** CREATE: completes only if the path is still free; else fails or appends, as the mode says. */
  private long create(List<Part> parts, NpyHeader header) throws IOException {
    long bytes = assemble(ranges(header, null, parts), null, () -> s3.head(path) == null);
    if (bytes >= 0) {
      return bytes;
    }
    if (target.failIfExists()) {
      throw copying.createdMeanwhile();
    }
    LOG.info("{} was created by another write while this Append ran: appending to it", path);
    return append(parts, header);
  }

  /** APPEND: the object's data (copied by S3) and the parts behind a header for all rows. */
  private long append(List<Part> parts, NpyHeader header) throws IOException {
    for (int attempt = 1; ; attempt++) {
      S3Settings.ObjectInfo before = s3.head(path);
      if (before == null) {
        throw copying.deletedMeanwhile(null);
      }
      EncodedHeader old;
      try {
        old = EncodedHeader.read(HadoopInputFile.of(path, before.length(), conf).forFewReads());
        copying.checkAppendable(old, before.length(), header);
      } catch (IOException | RuntimeException e) {
        if (before.equals(s3.head(path))) {
          throw e;
        }
        if (attempt == MAX_APPEND_ATTEMPTS) {
          throw copying.changedTooOften(attempt);
        }
        continue; // read another version than the one it checked: read again
      }
      NpyHeader all = header.withRowCount(old.header().rowCount() + header.rowCount());
      Part existing = new Part(-1, path, old.header(), old.dataOffset());
      long bytes;
      try {
        bytes =
            assemble(
                ranges(all, existing, parts),
                before.etag(),
                () -> before.etag().equals(etagOf(s3.head(path))));
      } catch (S3SourceChangedException e) {
        bytes = -1;
      }
      if (bytes >= 0) {
        return bytes;
      }
      if (attempt == MAX_APPEND_ATTEMPTS) {
        throw copying.changedTooOften(attempt);
      }
      LOG.info("{} changed while the Append copied it; reading it again", path);
    }
  }

  private static String etagOf(S3Settings.ObjectInfo info) {
    return info == null ? null : info.etag();
  }

  private static List<S3PartPlan.Range> ranges(NpyHeader header, Part existing, List<Part> parts) {
    List<S3PartPlan.Range> ranges = new ArrayList<>(parts.size() + 2);
    ranges.add(S3PartPlan.Range.bytes(header.encode()));
    if (existing != null) {
      ranges.add(S3PartPlan.Range.of(existing.file(), existing.dataOffset(), existing.dataBytes()));
    }
    for (Part p : parts) {
      ranges.add(S3PartPlan.Range.of(p.file(), p.dataOffset(), p.dataBytes()));
    }
    return ranges;
  }

  /** The last check before an upload completes; false: abort it, nothing published. */
  private interface CompleteCheck {
    boolean holds() throws IOException;
  }

  /**
   * One multipart upload to the path: {@code ranges} in order. Copies from the path itself are
   * conditional on {@code pathEtag}. Returns the object's length, or -1 if {@code check} failed
   * (upload aborted).
   */
  private long assemble(List<S3PartPlan.Range> ranges, String pathEtag, CompleteCheck check)
      throws IOException {
    List<S3PartPlan.Part> plan = S3PartPlan.plan(ranges);
    if (plan.size() > S3PartPlan.MAX_PARTS) {
      throw new NpyWriteException(
          ("Cannot commit the npy write to %s: assembling it takes %s multipart parts, more than"
                  + " S3's %s. Write fewer, larger partitions (coalesce) and run the write again")
              .formatted(path, plan.size(), S3PartPlan.MAX_PARTS));
    }
    long uploaded = S3PartPlan.uploadedBytes(plan);
    long length = plan.stream().mapToLong(S3PartPlan.Part::length).sum();
    String uploadId = s3.start(path);
    boolean completed = false;
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL_PARTS, plan.size()));
    try {
      List<Future<String>> etags = new ArrayList<>(plan.size());
      for (S3PartPlan.Part part : plan) {
        int number = etags.size() + 1;
        etags.add(pool.submit(() -> makePart(uploadId, number, part, pathEtag)));
      }
      List<String> done = new ArrayList<>(plan.size());
      for (Future<String> f : etags) {
        done.add(result(f));
      }
      reached(Checkpoint.Step.DATA_WRITTEN, path);
      if (!check.holds()) {
        return -1;
      }
      s3.complete(path, uploadId, done);
      completed = true;
      LOG.info(
          "Assembled {} on S3 from {} multipart parts: {} bytes copied by S3, {} uploaded by the"
              + " driver",
          path,
          plan.size(),
          length - uploaded,
          uploaded);
      return length;
    } finally {
      pool.shutdownNow();
      if (!completed) {
        try {
          s3.abort(path, uploadId);
        } catch (IOException e) {
          LOG.warn("Could not abort the multipart upload {} to {}", uploadId, path, e);
        }
      }
    }
  }

  /** Part {@code number}: a server-side copy, or the driver's upload of the pieces. */
  private String makePart(String uploadId, int number, S3PartPlan.Part part, String pathEtag)
      throws IOException {
    S3PartPlan.Range c = part.copy();
    if (c == null) {
      uploads.acquireUninterruptibly();
      try {
        return s3.uploadPart(path, uploadId, number, read(part.upload()));
      } finally {
        uploads.release();
      }
    }
    String ifMatch = c.file().equals(path) ? pathEtag : null;
    return s3.copyPart(
        path, uploadId, number, c.file(), c.offset(), c.offset() + c.length() - 1, ifMatch);
  }

  private static String result(Future<String> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("Interrupted while S3 assembled the parts");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(e.getCause());
    }
  }

  /** The bytes of an uploaded part: inline bytes as they are, object ranges read through S3A. */
  private ByteBuffer read(List<S3PartPlan.Range> pieces) throws IOException {
    long total = pieces.stream().mapToLong(S3PartPlan.Range::length).sum();
    byte[] buf = new byte[Math.toIntExact(total)];
    int at = 0;
    for (S3PartPlan.Range r : pieces) {
      if (r.inline() != null) {
        System.arraycopy(r.inline(), 0, buf, at, r.inline().length);
      } else {
        try (FSDataInputStream in = HadoopInputFile.openForRanges(fs, r.file(), -1)) {
          in.readFully(r.offset(), buf, at, Math.toIntExact(r.length()));
        }
      }
      at += Math.toIntExact(r.length());
    }
    return ByteBuffer.wrap(buf);
  }
}
