package io.github.sparknpy.spark.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Column sets ({@code layout=columns}: row-aligned {@code .npy} files and a {@code manifest.json}
 * in one directory) among a read's listed files. A set reads as one table with a column per member,
 * as an {@code .npz} does (option {@code member} picks one); its files are the set's, never rows of
 * the directory's other files. A {@code manifest.json} of another format is left to the read as any
 * other file.
 */
final class ColumnSetFiles {
  static final String MANIFEST = "manifest.json";
  static final String FORMAT = "spark-npy column set";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ColumnSetFiles() {}

  /** The sets found, and the listed files that belong to none. */
  record Found(List<FileStatus> others, List<ColumnSet> sets) {}

  /** One set: its directory, and its member files in the manifest's order, by member name. */
  record ColumnSet(Path directory, LinkedHashMap<String, FileStatus> members, long rows) {}

  static Found find(List<FileStatus> listed, Configuration conf) throws IOException {
    Map<Path, Map<String, FileStatus>> byDirectory = new HashMap<>();
    List<FileStatus> manifests = new ArrayList<>();
    for (FileStatus st : listed) {
      byDirectory
          .computeIfAbsent(st.getPath().getParent(), d -> new HashMap<>())
          .put(st.getPath().getName(), st);
      if (st.getPath().getName().equals(MANIFEST)) {
        manifests.add(st);
      }
    }
    if (manifests.isEmpty()) {
      return new Found(listed, List.of());
    }
    Set<Path> taken = new HashSet<>();
    List<ColumnSet> sets = new ArrayList<>();
    for (FileStatus manifest : manifests) {
      JsonNode json = read(manifest, conf);
      if (json == null) {
        continue;
      }
      Path dir = manifest.getPath().getParent();
      Map<String, FileStatus> files = byDirectory.get(dir);
      LinkedHashMap<String, FileStatus> members = new LinkedHashMap<>();
      for (JsonNode m : json.path("members")) {
        String name = m.path("name").asText();
        FileStatus file = files.get(m.path("file").asText());
        if (file == null) {
          throw new NpyFormatException(
              "Cannot read the column set "
                  + dir
                  + ": its manifest names member '"
                  + name
                  + "' in "
                  + m.path("file").asText()
                  + ", which is not there (or is filtered out by pathGlobFilter or the"
                  + " modification-time options). Write the set again, or read its files one by"
                  + " one");
        }
        members.put(name, file);
      }
      if (members.isEmpty()) {
        throw new NpyFormatException(
            "Cannot read the column set " + dir + ": its manifest names no member");
      }
      taken.add(manifest.getPath());
      for (FileStatus f : members.values()) {
        taken.add(f.getPath());
      }
      sets.add(new ColumnSet(dir, members, json.path("rows").asLong(-1)));
    }
    List<FileStatus> others = new ArrayList<>();
    for (FileStatus st : listed) {
      if (!taken.contains(st.getPath())) {
        others.add(st);
      }
    }
    return new Found(others, sets);
  }

  /** The manifest, or null when it is not one of a column set. */
  private static JsonNode read(FileStatus manifest, Configuration conf) throws IOException {
    if (manifest.getLen() > (1 << 20)) {
      return null;
    }
    FileSystem fs = manifest.getPath().getFileSystem(conf);
    JsonNode json;
    try (InputStream in = fs.open(manifest.getPath())) {
      json = JSON.readTree(in);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return null;
    }
    return json != null && FORMAT.equals(json.path("format").asText()) ? json : null;
  }

  /**
   * The set as one file of the read: its members' arrays as parts (only {@code options.member}'s
   * when given), each read from its own file.
   */
  static NpyFileSpec spec(ColumnSet set, Configuration conf, NpyReadOptions options)
      throws IOException {
    List<NpyPart> parts = new ArrayList<>();
    long rowCount = -1;
    long rowBytes = 0;
    for (Map.Entry<String, FileStatus> e : set.members().entrySet()) {
      if (options.member != null && !options.member.equals(e.getKey())) {
        continue;
      }
      NpyFileSpec member = NpyFileProbe.probe(e.getValue(), conf, options, true);
      NpyPart part = member.parts().get(0);
      if ((rowCount >= 0 && member.rowCount() != rowCount)
          || (set.rows() >= 0 && member.rowCount() != set.rows())) {
        throw new NpyFormatException(
            "Cannot read the column set "
                + set.directory()
                + ": member '"
                + e.getKey()
                + "' has "
                + member.rowCount()
                + " rows, but its manifest says "
                + set.rows()
                + ". The set's files were changed after it was written: write it again");
      }
      rowCount = member.rowCount();
      rowBytes += member.rowBytes();
      parts.add(
          options.member != null
              ? part.inSet(null, member.path(), member.identity())
              : part.inSet(e.getKey(), member.path(), member.identity()));
    }
    if (parts.isEmpty()) {
      throw new NpyOptionException(
          "Cannot read member '"
              + options.member
              + "' of the column set "
              + set.directory()
              + ": its members are "
              + String.join(", ", set.members().keySet())
              + ". Set option member to one of these");
    }
    return new NpyFileSpec(
        set.directory().toString(),
        0,
        List.copyOf(parts),
        rowCount,
        rowBytes,
        null,
        null,
        List.of());
  }

  /**
   * Fails with {@link NpyFileChangedException} when a member file is no longer the one the scan was
   * planned on (the set was overwritten while the query ran).
   */
  static void checkUnchanged(NpyPart part, FileSystem fs) throws IOException {
    FileIdentity now = FileIdentity.now(new Path(part.file()), fs);
    if (!part.fileIdentity().unchanged(now)) {
      throw new NpyFileChangedException(
          "Cannot read "
              + part.file()
              + ": this member of a column set changed while the query ran (planned "
              + part.fileIdentity()
              + ", now "
              + now
              + "). Its rows would not line up with the other members' as planned, so nothing"
              + " of the set is read: run the query again to read the new set");
    }
  }
}
