package io.github.sparknpy.spark.compat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.s3a.S3AFileSystem;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Server-side assembly of an S3 object through the multipart upload API, Spark 4 line: every Spark
 * 4 release ships Hadoop 3.4 or newer, whose {@code hadoop-aws} uses the AWS SDK v2 and hands out
 * the client of an {@link S3AFileSystem} through {@code getS3AInternals().getAmazonS3Client}. The
 * object gets the file system's server-side encryption ({@link S3Settings}); credentials, endpoint
 * and retries are the file system's own.
 */
public final class S3MultipartClient {
  private final S3AFileSystem fs;
  private final S3Client s3;
  private final S3Settings settings;

  private S3MultipartClient(S3AFileSystem fs, S3Client s3, S3Settings settings) {
    this.fs = fs;
    this.s3 = s3;
    this.settings = settings;
  }

  /**
   * The client of {@code fs} if it is S3A (the caller checks the scheme first, so that {@code
   * hadoop-aws} is loaded only when it is used); null if this Hadoop has no such accessor.
   */
  public static S3MultipartClient of(FileSystem fs) {
    if (!(fs instanceof S3AFileSystem s3a)) {
      return null;
    }
    try {
      S3Client client = s3a.getS3AInternals().getAmazonS3Client("spark-npy multipart commit");
      return new S3MultipartClient(s3a, client, S3Settings.of(s3a.getConf()));
    } catch (LinkageError e) {
      return null;
    }
  }

  /** Why the file system's settings rule a server-side assembly out, or null. */
  public String refusal() {
    return settings.refusal();
  }

  public String key(Path p) {
    return fs.pathToKey(p);
  }

  /** The object's ETag (quoted, as S3 sends it) and length, or null if there is none. */
  public S3Settings.ObjectInfo head(Path p) throws IOException {
    try {
      HeadObjectResponse r = s3.headObject(b -> b.bucket(fs.getBucket()).key(key(p)));
      return new S3Settings.ObjectInfo(S3Settings.quoted(r.eTag()), r.contentLength());
    } catch (NoSuchKeyException e) {
      return null;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return null;
      }
      throw io("HEAD " + p, e);
    } catch (SdkException e) {
      throw io("HEAD " + p, e);
    }
  }

  /** Starts an upload to {@code p}; returns its id. */
  public String start(Path p) throws IOException {
    try {
      CreateMultipartUploadRequest.Builder b =
          CreateMultipartUploadRequest.builder().bucket(fs.getBucket()).key(key(p));
      if (settings.sseAlgorithm() != null) {
        b.serverSideEncryption(settings.sseAlgorithm());
        if (settings.kmsKey() != null) {
          b.ssekmsKeyId(settings.kmsKey());
        }
      }
      return s3.createMultipartUpload(b.build()).uploadId();
    } catch (SdkException e) {
      throw io("start a multipart upload to " + p, e);
    }
  }

  /**
   * Part {@code number} of the upload: bytes {@code first..last} (inclusive) of {@code source},
   * copied by S3; only if the source's ETag is still {@code ifMatch} (null: any). Returns the
   * part's ETag; a changed source is {@link S3SourceChangedException}.
   */
  public String copyPart(
      Path p, String uploadId, int number, Path source, long first, long last, String ifMatch)
      throws IOException {
    try {
      return s3.uploadPartCopy(
              b -> {
                b.sourceBucket(fs.getBucket())
                    .sourceKey(key(source))
                    .destinationBucket(fs.getBucket())
                    .destinationKey(key(p))
                    .uploadId(uploadId)
                    .partNumber(number)
                    .copySourceRange("bytes=" + first + "-" + last);
                if (ifMatch != null) {
                  b.copySourceIfMatch(ifMatch);
                }
              })
          .copyPartResult()
          .eTag();
    } catch (S3Exception e) {
      if (e.statusCode() == 412) {
        throw new S3SourceChangedException(source + " changed while it was copied", e);
      }
      throw io("copy part " + number + " of " + p + " from " + source, e);
    } catch (SdkException e) {
      throw io("copy part " + number + " of " + p + " from " + source, e);
    }
  }

  /** Part {@code number} of the upload: {@code data}, uploaded. Returns the part's ETag. */
  public String uploadPart(Path p, String uploadId, int number, ByteBuffer data)
      throws IOException {
    try {
      long length = data.remaining();
      return s3.uploadPart(
              b ->
                  b.bucket(fs.getBucket())
                      .key(key(p))
                      .uploadId(uploadId)
                      .partNumber(number)
                      .contentLength(length),
              RequestBody.fromByteBuffer(data))
          .eTag();
    } catch (SdkException e) {
      throw io("upload part " + number + " of " + p, e);
    }
  }

  /** Completes the upload: the object appears at {@code p}, whole, in one step. */
  public void complete(Path p, String uploadId, List<String> etags) throws IOException {
    List<CompletedPart> parts = new ArrayList<>(etags.size());
    for (int i = 0; i < etags.size(); i++) {
      parts.add(CompletedPart.builder().partNumber(i + 1).eTag(etags.get(i)).build());
    }
    try {
      s3.completeMultipartUpload(
          b ->
              b.bucket(fs.getBucket())
                  .key(key(p))
                  .uploadId(uploadId)
                  .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
    } catch (SdkException e) {
      throw io("complete the multipart upload to " + p, e);
    }
  }

  /** Aborts the upload: S3 drops its parts. */
  public void abort(Path p, String uploadId) throws IOException {
    try {
      s3.abortMultipartUpload(b -> b.bucket(fs.getBucket()).key(key(p)).uploadId(uploadId));
    } catch (SdkException e) {
      throw io("abort the multipart upload " + uploadId + " to " + p, e);
    }
  }

  private static IOException io(String what, SdkException e) {
    return new IOException("S3: cannot " + what + ": " + e.getMessage(), e);
  }
}
