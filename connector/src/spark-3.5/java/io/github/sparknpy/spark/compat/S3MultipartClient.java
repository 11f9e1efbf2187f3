package io.github.sparknpy.spark.compat;

import com.amazonaws.AmazonServiceException;
import com.amazonaws.SdkClientException;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.model.AbortMultipartUploadRequest;
import com.amazonaws.services.s3.model.CompleteMultipartUploadRequest;
import com.amazonaws.services.s3.model.CopyPartRequest;
import com.amazonaws.services.s3.model.CopyPartResult;
import com.amazonaws.services.s3.model.InitiateMultipartUploadRequest;
import com.amazonaws.services.s3.model.ObjectMetadata;
import com.amazonaws.services.s3.model.PartETag;
import com.amazonaws.services.s3.model.SSEAwsKeyManagementParams;
import com.amazonaws.services.s3.model.UploadPartRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.s3a.S3AFileSystem;

/**
 * Server-side assembly of an S3 object through the multipart upload API, Spark 3.5 line: Spark 3.5
 * ships Hadoop 3.3, whose {@code hadoop-aws} uses the AWS SDK v1 and hands out the client of an
 * {@link S3AFileSystem} through {@code getAmazonS3ClientForTesting} (its only public accessor). The
 * object gets the file system's server-side encryption ({@link S3Settings}); credentials, endpoint
 * and retries are the file system's own.
 */
public final class S3MultipartClient {
  private final S3AFileSystem fs;
  private final AmazonS3 s3;
  private final S3Settings settings;

  private S3MultipartClient(S3AFileSystem fs, AmazonS3 s3, S3Settings settings) {
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
      AmazonS3 client = s3a.getAmazonS3ClientForTesting("spark-npy multipart commit");
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
      ObjectMetadata m = s3.getObjectMetadata(fs.getBucket(), key(p));
      return new S3Settings.ObjectInfo(S3Settings.quoted(m.getETag()), m.getContentLength());
    } catch (AmazonServiceException e) {
      if (e.getStatusCode() == 404) {
        return null;
      }
      throw io("HEAD " + p, e);
    } catch (SdkClientException e) {
      throw io("HEAD " + p, e);
    }
  }

  /** Starts an upload to {@code p}; returns its id. */
  public String start(Path p) throws IOException {
    try {
      ObjectMetadata metadata = new ObjectMetadata();
      InitiateMultipartUploadRequest request =
          new InitiateMultipartUploadRequest(fs.getBucket(), key(p), metadata);
      if ("AES256".equals(settings.sseAlgorithm())) {
        metadata.setSSEAlgorithm("AES256");
      } else if (settings.sseAlgorithm() != null) {
        request.setSSEAwsKeyManagementParams(
            settings.kmsKey() != null
                ? new SSEAwsKeyManagementParams(settings.kmsKey())
                : new SSEAwsKeyManagementParams());
      }
      return s3.initiateMultipartUpload(request).getUploadId();
    } catch (SdkClientException e) {
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
    CopyPartRequest request =
        new CopyPartRequest()
            .withSourceBucketName(fs.getBucket())
            .withSourceKey(key(source))
            .withDestinationBucketName(fs.getBucket())
            .withDestinationKey(key(p))
            .withUploadId(uploadId)
            .withPartNumber(number)
            .withFirstByte(first)
            .withLastByte(last);
    if (ifMatch != null) {
      request.withMatchingETagConstraint(ifMatch);
    }
    CopyPartResult result;
    try {
      result = s3.copyPart(request);
    } catch (AmazonServiceException e) {
      if (e.getStatusCode() == 412) {
        throw new S3SourceChangedException(source + " changed while it was copied", e);
      }
      throw io("copy part " + number + " of " + p + " from " + source, e);
    } catch (SdkClientException e) {
      throw io("copy part " + number + " of " + p + " from " + source, e);
    }
    if (result == null) { // SDK v1: an unmet ETag constraint
      throw new S3SourceChangedException(source + " changed while it was copied", null);
    }
    return result.getETag();
  }

  /** Part {@code number} of the upload: {@code data}, uploaded. Returns the part's ETag. */
  public String uploadPart(Path p, String uploadId, int number, ByteBuffer data)
      throws IOException {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    try {
      return s3.uploadPart(
              new UploadPartRequest()
                  .withBucketName(fs.getBucket())
                  .withKey(key(p))
                  .withUploadId(uploadId)
                  .withPartNumber(number)
                  .withPartSize(bytes.length)
                  .withInputStream(new ByteArrayInputStream(bytes)))
          .getETag();
    } catch (SdkClientException e) {
      throw io("upload part " + number + " of " + p, e);
    }
  }

  /** Completes the upload: the object appears at {@code p}, whole, in one step. */
  public void complete(Path p, String uploadId, List<String> etags) throws IOException {
    List<PartETag> parts = new ArrayList<>(etags.size());
    for (int i = 0; i < etags.size(); i++) {
      parts.add(new PartETag(i + 1, etags.get(i)));
    }
    try {
      s3.completeMultipartUpload(
          new CompleteMultipartUploadRequest(fs.getBucket(), key(p), uploadId, parts));
    } catch (SdkClientException e) {
      throw io("complete the multipart upload to " + p, e);
    }
  }

  /** Aborts the upload: S3 drops its parts. */
  public void abort(Path p, String uploadId) throws IOException {
    try {
      s3.abortMultipartUpload(new AbortMultipartUploadRequest(fs.getBucket(), key(p), uploadId));
    } catch (SdkClientException e) {
      throw io("abort the multipart upload " + uploadId + " to " + p, e);
    }
  }

  private static IOException io(String what, SdkClientException e) {
    return new IOException("S3: cannot " + what + ": " + e.getMessage(), e);
  }
}
