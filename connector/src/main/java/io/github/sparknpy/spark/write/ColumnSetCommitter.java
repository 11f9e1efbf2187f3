package io.github.sparknpy.spark.write;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.sparknpy.npy.dtype.ScalarDType;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.spark.hadoop.HadoopInputFile;
import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job commit of a {@code layout=columns} or {@code .npz} write. It checks that every task gave
 * each member the same rows, builds the whole new set in a hidden sibling directory ({@code
 * .<name>.npy-set-<query>}: each member merged as a single-file write merges its parts, then
 * {@value #MANIFEST} and {@code _SUCCESS}), and publishes that directory by renames: into a free
 * path (failing if another write created it meanwhile), or, for an Overwrite, after moving what is
 * there aside (put back if the rename in fails, deleted once the new set is in). A reader so sees
 * the old set or the new one, each complete, and between the two renames of an Overwrite briefly no
 * path.
 */
final class ColumnSetCommitter {
  /** The set's description: names, files, columns, dtypes, shapes and the row count. */
  static final String MANIFEST = "manifest.json";

  /** The manifest's {@code format}: what wrote the directory. */
  static final String FORMAT = "spark-npy column set";

  private static final Logger LOG = LoggerFactory.getLogger(ColumnSetCommitter.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ColumnSetJob job;
  private final WriteTarget target;
  private final Checkpoint checkpoint;
  private final Configuration conf;
  private final Path root;
  private final FileSystem fs;
  private final TargetFiles files;

  ColumnSetCommitter(ColumnSetJob job, WriteTarget target, Checkpoint checkpoint)
      throws IOException {
    this.job = job;
    this.target = target;
    this.checkpoint = checkpoint;
    this.conf = job.members().get(0).job().hadoopConf().get();
    this.root = new Path(target.path());
    this.fs = root.getFileSystem(conf);
    this.files = new TargetFiles(fs, conf, target.localFileSystem());
  }

  void commit(ColumnSetCommitMessage[] messages) throws IOException {
    long start = System.nanoTime();
    List<List<NpyCommitMessage>> byMember = byMember(messages);
    Path set = new Path(root.getParent(), "." + root.getName() + ".npy-set-" + target.queryId());
    fs.delete(set, true); // a failed earlier commit of this query
    fs.mkdirs(set);
    long rows;
    try {
      ObjectNode manifest = JSON.createObjectNode();
      rows = buildMembers(set, byMember, manifest);
      if (job.npz()) {
        Path archive =
            new Path(root.getParent(), "." + root.getName() + ".npy-npz-" + target.queryId());
        try {
          writeArchive(set, archive);
          checkpoint.reached(Checkpoint.Step.DATA_WRITTEN, archive);
          publish(archive);
        } finally {
          files.deleteQuietly(archive);
        }
        deleteTree(set);
      } else {
        writeManifest(set, manifest);
        checkpoint.reached(Checkpoint.Step.DATA_WRITTEN, set);
        publish(set);
      }
    } catch (IOException | RuntimeException e) {
      deleteTree(set);
      throw e;
    }
    Path staging = new Path(job.stagingDir());
    try {
      fs.delete(staging, true);
    } catch (IOException e) {
      LOG.warn("Committed, but could not delete the npy staging directory {}", staging, e);
    }
    LOG.info(
        "Committed {} {} ({}): {} members, {} rows in {} ms",
        job.npz() ? "npz archive" : "npy column set",
        root,
        target.mode(),
        job.members().size(),
        rows,
        (System.nanoTime() - start) / 1_000_000);
  }

  /** The committed parts by member; every task must have given each member the same rows. */
  private List<List<NpyCommitMessage>> byMember(ColumnSetCommitMessage[] messages) {
    int n = job.members().size();
    List<List<NpyCommitMessage>> out = new ArrayList<>();
    for (int m = 0; m < n; m++) {
      out.add(new ArrayList<>());
    }
    for (ColumnSetCommitMessage message : messages) {
      if (message == null) {
        continue;
      }
      List<NpyCommitMessage> parts = message.members();
      for (int m = 0; m < n; m++) {
        if (parts.size() != n || parts.get(m).rows() != parts.get(0).rows()) {
          throw new NpyWriteException(
              "Cannot commit the npy column set "
                  + root
                  + ": partition "
                  + message.partitionId()
                  + " gave member '"
                  + job.members().get(0).name()
                  + "' "
                  + parts.get(0).rows()
                  + " rows but member '"
                  + job.members().get(Math.min(m, n - 1)).name()
                  + "' "
                  + (parts.size() == n ? parts.get(m).rows() : "a different number of")
                  + ". Nothing was written; run the write again");
        }
        out.get(m).add(parts.get(m));
      }
    }
    return out;
  }

  /** Each member merged into {@code set}, described in {@code manifest}; returns the rows. */
  private long buildMembers(Path set, List<List<NpyCommitMessage>> byMember, ObjectNode manifest)
      throws IOException {
    manifest.put("format", FORMAT);
    manifest.put("version", 1);
    ArrayNode members = manifest.putArray("members");
    long rows = -1;
    for (int m = 0; m < job.members().size(); m++) {
      ColumnSetJob.MemberJob member = job.members().get(m);
      Path file = new Path(set, member.fileName());
      WriteTarget memberTarget =
          new WriteTarget(
                  file.toString(),
                  WriteTarget.Mode.CREATE,
                  true,
                  true,
                  target.localFileSystem(),
                  target.queryId(),
                  null,
                  0)
              .withCommitCopy(target.commitCopy());
      new JobCommitter(member.job(), memberTarget, checkpoint)
          .commit(byMember.get(m).toArray(new NpyCommitMessage[0]));
      NpyHeader header =
          EncodedHeader.read(HadoopInputFile.fromPath(file, conf).forFewReads()).header();
      rows = header.rowCount();
      ObjectNode entry = members.addObject();
      entry.put("name", member.name());
      entry.put("file", member.fileName());
      ArrayNode columns = entry.putArray("columns");
      StructField[] fields = job.inputSchema().fields();
      for (int i : member.ordinals()) {
        columns.add(fields[i].name());
      }
      // numpy's dtype.str for a plain dtype ("<f4"), the header's descr for records
      entry.put(
          "dtype",
          header.dtype() instanceof ScalarDType plain ? plain.typestr() : header.dtype().descr());
      ArrayNode shape = entry.putArray("shape");
      for (long d : header.shape()) {
        shape.add(d);
      }
    }
    manifest.put("rows", Math.max(rows, 0));
    return Math.max(rows, 0);
  }

  /** {@value #MANIFEST} and {@code _SUCCESS} in {@code set}. */
  private void writeManifest(Path set, ObjectNode manifest) throws IOException {
    byte[] text =
        (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    try (WritableByteChannel out = files.create(new Path(set, MANIFEST))) {
      TargetFiles.writeFully(out, ByteBuffer.wrap(text));
    }
    files.createEmpty(new Path(set, PartFilesPublication.SUCCESS));
  }

  /**
   * The members of {@code set} as one zip archive at {@code archive}, named {@code <member>.npy} as
   * np.savez names them: stored (its CRC from a first read of each member) or deflated, zip64 where
   * sizes or offsets need it (the JDK's zip writer).
   */
  private void writeArchive(Path set, Path archive) throws IOException {
    byte[] buffer = new byte[1 << 20];
    try (ZipOutputStream zip =
        new ZipOutputStream(
            new BufferedOutputStream(Channels.newOutputStream(files.create(archive)), 1 << 20))) {
      for (ColumnSetJob.MemberJob member : job.members()) {
        Path file = new Path(set, member.fileName());
        ZipEntry entry = new ZipEntry(member.fileName());
        if (job.deflate()) {
          entry.setMethod(ZipEntry.DEFLATED);
        } else {
          long length = fs.getFileStatus(file).getLen();
          CRC32 crc = new CRC32();
          try (InputStream in = Channels.newInputStream(files.open(file, 0))) {
            for (int n; (n = in.read(buffer)) > 0; ) {
              crc.update(buffer, 0, n);
            }
          }
          entry.setMethod(ZipEntry.STORED);
          entry.setSize(length);
          entry.setCompressedSize(length);
          entry.setCrc(crc.getValue());
        }
        zip.putNextEntry(entry);
        try (InputStream in = Channels.newInputStream(files.open(file, 0))) {
          for (int n; (n = in.read(buffer)) > 0; ) {
            zip.write(buffer, 0, n);
          }
        }
        zip.closeEntry();
      }
    }
  }

  private void deleteTree(Path p) {
    try {
      fs.delete(p, true);
    } catch (IOException e) {
      LOG.warn("Could not delete {}", p, e);
    }
  }

  /**
   * Renames what was built (the set's directory, or the archive) to the path: into a free one, or
   * over the old content (Overwrite).
   */
  private void publish(Path built) throws IOException {
    if (target.mode() != WriteTarget.Mode.OVERWRITE || !exists(root)) {
      if (!files.renameIfAbsent(built, root)) {
        throw new NpyWriteException(
            ("Cannot create %s: another write created it while this job ran, and a write of"
                    + " members does not add to an existing path. Nothing was written; run the write"
                    + " again with mode(\"overwrite\") if intended")
                .formatted(root));
      }
      return;
    }
    if (fs.getFileStatus(built).isFile() && fs.getFileStatus(root).isFile()) {
      files.rename(built, root); // one file over another: atomic
      return;
    }
    Path aside = new Path(root.getParent(), "." + root.getName() + ".npy-old-" + target.queryId());
    fs.delete(aside, true);
    files.rename(root, aside);
    boolean in;
    try {
      in = files.renameIfAbsent(built, root);
    } catch (IOException | RuntimeException e) {
      files.rename(aside, root);
      throw e;
    }
    if (!in) {
      throw new NpyWriteException(
          ("Cannot overwrite %s: another write created it again while this job replaced it. The"
                  + " old content is kept at %s; nothing of this write was published")
              .formatted(root, aside));
    }
    try {
      fs.delete(aside, true);
    } catch (IOException e) {
      LOG.warn("Published {}, but could not delete its old content at {}", root, aside, e);
    }
  }

  private boolean exists(Path p) throws IOException {
    try {
      fs.getFileStatus(p);
      return true;
    } catch (FileNotFoundException e) {
      return false;
    }
  }
}
