package io.github.sparknpy.spark.compat;

import java.util.Locale;
import org.apache.hadoop.conf.Configuration;

/**
 * What an S3A file system's configuration (per-bucket options applied) asks of the objects it
 * writes, as far as a multipart upload made beside S3A must repeat it: server-side encryption with
 * S3 or KMS keys is repeated; settings a copy of byte ranges cannot honour (client-side encryption,
 * customer keys) or that are not repeated (requester pays, canned ACL, storage class) rule the
 * server-side assembly out, and the commit copies through S3A instead.
 */
public record S3Settings(String sseAlgorithm, String kmsKey, String refusal) {
  /** An object's ETag (quoted) and length. */
  public record ObjectInfo(String etag, long length) {}

  public static S3Settings of(Configuration conf) {
    String algorithm =
        conf.getTrimmed(
            "fs.s3a.encryption.algorithm",
            conf.getTrimmed("fs.s3a.server-side-encryption-algorithm", ""));
    String key =
        conf.getTrimmed(
            "fs.s3a.encryption.key", conf.getTrimmed("fs.s3a.server-side-encryption.key", ""));
    String kms = key.isEmpty() ? null : key;
    for (String option :
        new String[] {"fs.s3a.acl.default", "fs.s3a.create.storage.class", "fs.s3a.create.acl"}) {
      if (!conf.getTrimmed(option, "").isEmpty()) {
        return new S3Settings(null, null, option + " is set");
      }
    }
    if (conf.getBoolean("fs.s3a.requester.pays.enabled", false)) {
      return new S3Settings(null, null, "fs.s3a.requester.pays.enabled is set");
    }
    return switch (algorithm.toUpperCase(Locale.ROOT)) {
      case "" -> new S3Settings(null, null, null);
      case "SSE-S3", "AES256" -> new S3Settings("AES256", null, null);
      case "SSE-KMS" -> new S3Settings("aws:kms", kms, null);
      case "DSSE-KMS" -> new S3Settings("aws:kms:dsse", kms, null);
      default ->
          new S3Settings(
              null,
              null,
              "fs.s3a.encryption.algorithm is "
                  + algorithm
                  + " (byte ranges of such objects cannot be copied as they are)");
    };
  }

  /** {@code etag} in quotes, as S3 sends it and as conditional copies must repeat it. */
  public static String quoted(String etag) {
    return etag == null || etag.startsWith("\"") ? etag : "\"" + etag + "\"";
  }
}
