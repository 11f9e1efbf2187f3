package io.github.sparknpy.spark.write;

import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.error.NpyDiskFullException;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.io.ByteArrayInputFile;
import io.github.sparknpy.npy.io.LocalInputFile;
import io.github.sparknpy.spark.hadoop.HadoopInputFile;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job commit: checks the committed parts against each other, then publishes them by one of
 * three strategies: concatenated in partition order behind one header into a temporary sibling
 * renamed over the target ({@link MergedFilePublication}, merge=true), appended in place (Append to
 * an appendable local file, {@link InPlaceAppendPublication}), or as part files ({@link
 * PartFilesPublication}, merge=false). Nothing partial ever appears under the final name, and a
 * commit that fails before it has published everything undoes what it did: the temp file is
 * deleted, an in-place Append gets its old header and length back, published parts are taken out
 * again and an overwritten file moved aside is moved back.
 */
final class JobCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(JobCommitter.class);

  private final WriteJob job;
  private final WriteTarget target;
  private final Configuration conf;
  private final Path path;
  private final FileSystem fs;
  private final Publication publication;
  private final PartitionedPublication partitioned;

  /**
   * @param checkpoint called at the commit's steps: {@link Checkpoint#NONE} but in tests
   */
  JobCommitter(WriteJob job, WriteTarget target, Checkpoint checkpoint) throws IOException {
    this.job = job;
    this.target = target;
    this.conf = job.hadoopConf().get();
    this.path = new Path(target.path());
    this.fs = path.getFileSystem(conf);
    TargetFiles files = new TargetFiles(fs, conf, target.localFileSystem());
    this.publication =
        target.merge()
            ? merged(new MergedFilePublication(target, conf, fs, files, checkpoint))
            : new PartFilesPublication(target, conf, fs, files, checkpoint);
    this.partitioned =
        target.partitioned()
            ? new PartitionedPublication(target, conf, fs, files, checkpoint)
            : null;
  }

  /**
   * On S3 a merged file is assembled by S3 (multipart copies), elsewhere copied or concatenated.
   */
  private static Publication merged(MergedFilePublication copying) {
    S3MultipartPublication s3 = S3MultipartPublication.forTarget(copying);
    return s3 != null ? s3 : copying;
  }

  void commit(NpyCommitMessage[] messages) throws IOException {
    long start = System.nanoTime();
    List<NpyCommitMessage> committed = new ArrayList<>();
    for (NpyCommitMessage m : messages) {
      if (m != null && m.rows() > 0) {
        committed.add(m);
      }
    }
    committed.sort(
        Comparator.comparing((NpyCommitMessage m) -> String.valueOf(m.partitionDir()))
            .thenComparingInt(NpyCommitMessage::partitionId));
    for (int i = 1; i < committed.size(); i++) {
      if (committed.get(i).partitionId() == committed.get(i - 1).partitionId()
          && Objects.equals(committed.get(i).partitionDir(), committed.get(i - 1).partitionDir())) {
        throw new NpyWriteException(
            "Cannot commit the npy write to "
                + path
                + ": partition "
                + committed.get(i).partitionId()
                + " was committed twice (attempts "
                + committed.get(i - 1).taskAttemptId()
                + " and "
                + committed.get(i).taskAttemptId()
                + "); keep spark.sql commit coordination on");
      }
    }
    WriteState fin = finalState(committed);
    long rows = committed.stream().mapToLong(NpyCommitMessage::rows).sum();
    NpyHeader header = job.layout().prepare(fin, rows);
    List<Publication.Part> parts = new ArrayList<>();
    SortedMap<String, List<Publication.Part>> byDirectory = new TreeMap<>();
    for (NpyCommitMessage m : committed) {
      Publication.Part part = checkPart(m);
      parts.add(part);
      if (partitioned != null) {
        byDirectory.computeIfAbsent(m.partitionDir(), d -> new ArrayList<>()).add(part);
      }
    }
    long bytes;
    try {
      bytes =
          partitioned != null
              ? partitioned.publish(byDirectory, header)
              : publication.publish(parts, header);
    } catch (IOException e) {
      throw diskFull(e, header);
    }
    // Published: what follows must not fail the job (a failure here would make Spark abort a
    // write whose output is already in place).
    Path staging = new Path(job.stagingDir());
    try {
      fs.delete(staging, true);
    } catch (IOException e) {
      LOG.warn("Committed, but could not delete the npy staging directory {}", staging, e);
    }
    LOG.info(
        "Committed npy write to {} ({}{}, merge={}): {} parts{}, {} rows, {} bytes in {} ms",
        path,
        target.mode(),
        target.dynamicOverwrite() ? " dynamic" : "",
        target.merge(),
        parts.size(),
        partitioned != null ? " in " + byDirectory.size() + " partitions" : "",
        rows,
        bytes,
        (System.nanoTime() - start) / 1_000_000);
  }

  /**
   * A full disk during publication, restated: the commit undid what it did, so the target is as it
   * was. Other errors unchanged.
   */
  private IOException diskFull(IOException e, NpyHeader header) {
    if (e instanceof NpyDiskFullException || !NpyDiskFullException.isDiskFull(e)) {
      return e;
    }
    return new NpyDiskFullException(
        ("Cannot commit the npy write to %s: the disk is full (%s). Nothing was published and the"
                + " target is as it was: free space on its file system (the commit writes up to %s"
                + " bytes of new data beside it, or into it for a local Append) and run the write"
                + " again")
            .formatted(path, e.getMessage(), header.dataBytes()),
        e);
  }

  /** Array lengths must agree across parts; strings take the longest width of any part. */
  private WriteState finalState(List<NpyCommitMessage> committed) {
    WriteState fin = job.layout().newState(-1, job.fillNulls(), job.truncateStrings());
    NpyCommitMessage[] firstWith = new NpyCommitMessage[fin.dims.length];
    for (NpyCommitMessage m : committed) {
      for (ColumnNode node : job.layout().nodes) {
        int id = node.id;
        if (node instanceof ColumnNode.ArrayNode || node instanceof ColumnNode.VectorNode) {
          if (firstWith[id] == null) {
            firstWith[id] = m;
            fin.dims[id] = m.dims()[id];
          } else if (m.dims()[id] != fin.dims[id]) {
            throw new NpyWriteException(
                "Cannot commit the npy write to "
                    + path
                    + ": column '"
                    + node.column
                    + "' has arrays of length "
                    + fin.dims[id]
                    + " in partition "
                    + firstWith[id].partitionId()
                    + " but "
                    + m.dims()[id]
                    + " in partition "
                    + m.partitionId()
                    + ". A .npy array needs the same length in every row: pad or slice the"
                    + " arrays, or filter the rows");
          }
        } else if (node instanceof StringNode && fin.widths[id] < 0) {
          fin.widths[id] = Math.min(fin.widths[id], -1 - m.widths()[id]);
        }
      }
    }
    return fin;
  }

  /** Reads a staged part's header; a part whose data disagrees with it is recovered first. */
  private Publication.Part checkPart(NpyCommitMessage m) throws IOException {
    Path file = new Path(m.stagedPath());
    EncodedHeader h;
    long length;
    if (m.detachedHeader() != null) {
      // data only: the header came in the message, the staged file starts at the first row
      h = EncodedHeader.read(new ByteArrayInputFile(m.detachedHeader(), file.toString()));
      length = h.dataOffset() + fs.getFileStatus(file).getLen();
    } else if (target.localFileSystem()) {
      java.nio.file.Path local = java.nio.file.Path.of(file.toUri());
      h = EncodedHeader.read(new LocalInputFile(local));
      length = Files.size(local);
      if (length - h.dataOffset() != h.header().dataBytes()) {
        Npy.recover(local, false);
        h = EncodedHeader.read(new LocalInputFile(local));
        length = Files.size(local);
      }
    } else {
      HadoopInputFile in = HadoopInputFile.fromPath(file, conf).forFewReads();
      h = EncodedHeader.read(in);
      length = in.getLength();
    }
    NpyHeader header = h.header();
    long data = length - h.dataOffset();
    long rowBytes = header.rowBytes();
    long usable = rowBytes == 0 ? m.rows() : data / rowBytes;
    if (usable != m.rows()) {
      throw new NpyWriteException(
          "Cannot commit the npy write to "
              + path
              + ": the staged part "
              + file
              + " of partition "
              + m.partitionId()
              + " holds "
              + usable
              + " complete rows ("
              + data
              + " data bytes) but its task committed "
              + m.rows()
              + ". The part is damaged; run the write again");
    }
    return new Publication.Part(
        m.partitionId(),
        file,
        header.withRowCount(m.rows()),
        m.detachedHeader() != null ? 0 : h.dataOffset());
  }
}
