package io.github.sparknpy.spark.read;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.dtype.RecordDType;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The files of a read and the schema their headers give, built on the driver: {@link NpyFileLister}
 * lists, {@link NpyFileProbe} reads the headers (never data pages), and this class checks that the
 * files agree and derives the columns.
 */
final class NpyFileIndex {

  final Configuration conf;
  final List<NpyFileSpec> files;

  /** The data columns, then the partition columns (Parquet's order). */
  final StructType schema;

  /** Where each data column comes from (a partition column of the same name replaces it). */
  final Map<String, ColumnSource> columns;

  /** The partition columns ({@code column=value} directories); empty when there are none. */
  final StructType partitionSchema;

  /** The files as listed and probed, by path, for the next scan to reuse unchanged ones. */
  final Map<String, Probed> probed;

  /** The options the files were probed with. */
  final NpyReadOptions options;

  /** A file's header as probed, and its length and modification time when it was listed. */
  record Probed(long length, long modificationTime, NpyFileSpec spec) {}

  private NpyFileIndex(
      Configuration conf,
      List<NpyFileSpec> files,
      StructType schema,
      Map<String, ColumnSource> columns,
      StructType partitionSchema,
      Map<String, Probed> probed,
      NpyReadOptions options) {
    this.options = options;
    this.conf = conf;
    this.files = files;
    this.schema = schema;
    this.columns = columns;
    this.partitionSchema = partitionSchema;
    this.probed = probed;
  }

  /**
   * Lists and probes the files. Returns null when no path exists and {@code requireExisting} is
   * false (a write target); when paths exist but hold no file, the index has no files and an empty
   * schema.
   *
   * @param previous the index of an earlier listing of the same paths and options (the one made
   *     when the table was resolved), whose headers are reused for files listed with the same
   *     length and modification time; or null
   */
  static NpyFileIndex build(
      List<String> paths,
      NpyReadOptions options,
      Configuration conf,
      boolean requireExisting,
      NpyFileIndex previous) {
    NpyFileLister.Listing listing;
    try {
      listing = NpyFileLister.list(paths, conf, options, requireExisting);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + String.join(", ", paths), e);
    }
    if (listing == null) {
      return null;
    }
    List<FileStatus> listed = listing.files();
    ColumnSetFiles.Found sets;
    try {
      sets = ColumnSetFiles.find(listed, conf);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the manifests under " + String.join(", ", paths), e);
    }
    List<FileStatus> statuses = sets.others();
    PartitionDiscovery.Partitions partitions =
        options.recursiveFileLookup
            ? PartitionDiscovery.Partitions.NONE
            : PartitionDiscovery.discover(statuses, listing.basePaths(), options.partitionSettings);
    List<NpyFileSpec> probedFiles =
        NpyFileProbe.probeAll(
            statuses,
            conf,
            options,
            previous == null || !previous.options.probesLike(options) ? Map.of() : previous.probed);
    Map<String, Probed> probed = new HashMap<>();
    Map<String, FileStatus> statusByPath = new HashMap<>();
    for (FileStatus st : statuses) {
      statusByPath.put(st.getPath().toString(), st);
    }
    List<NpyFileSpec> files = new ArrayList<>(probedFiles.size() + sets.sets().size());
    for (NpyFileSpec f : probedFiles) {
      FileStatus st = statusByPath.get(f.path());
      if (st != null) {
        probed.put(f.path(), new Probed(st.getLen(), st.getModificationTime(), f));
      }
      files.add(partitions.isEmpty() ? f : f.withPartitionValues(partitions.of(f.path())));
    }
    for (ColumnSetFiles.ColumnSet set : sets.sets()) {
      try {
        files.add(ColumnSetFiles.spec(set, conf, options));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read the column set " + set.directory(), e);
      }
    }
    if (files.isEmpty()) {
      return new NpyFileIndex(
          conf, files, new StructType(), Map.of(), partitions.schema(), Map.of(), options);
    }
    checkSameLayout(files, options);
    Map<String, ColumnSource> columns = new LinkedHashMap<>();
    StructType data = schemaOf(files.get(0), options, columns);
    StructType schema =
        withPartitionColumns(
            data, partitions.schema(), columns, options.partitionSettings.caseSensitive());
    return new NpyFileIndex(conf, files, schema, columns, partitions.schema(), probed, options);
  }

  /** This index with only {@code kept} of its files (partitions pruned by filters). */
  NpyFileIndex withFiles(List<NpyFileSpec> kept) {
    return new NpyFileIndex(conf, kept, schema, columns, partitionSchema, probed, options);
  }

  /**
   * The data columns, then the partition columns, as Spark's {@code mergeDataAndPartitionSchema}: a
   * partition column named like a data column takes its place (with the partition column's type and
   * values).
   */
  private static StructType withPartitionColumns(
      StructType data,
      StructType partitionSchema,
      Map<String, ColumnSource> columns,
      boolean caseSensitive) {
    if (partitionSchema.isEmpty()) {
      return data;
    }
    Map<String, StructField> byName = new LinkedHashMap<>();
    for (StructField p : partitionSchema.fields()) {
      byName.put(caseSensitive ? p.name() : p.name().toLowerCase(Locale.ROOT), p);
    }
    List<StructField> out = new ArrayList<>();
    for (StructField f : data.fields()) {
      StructField p = byName.remove(caseSensitive ? f.name() : f.name().toLowerCase(Locale.ROOT));
      if (p != null) {
        columns.remove(f.name());
      }
      out.add(p == null ? f : p);
    }
    out.addAll(byName.values());
    return new StructType(out.toArray(new StructField[0]));
  }

  private static void checkSameLayout(List<NpyFileSpec> files, NpyReadOptions options) {
    NpyFileSpec first = files.get(0);
    for (NpyFileSpec other : files.subList(1, files.size())) {
      String why = difference(first, other, options);
      if (why != null) {
        throw new NpyFormatException(
            "Cannot read "
                + first.path()
                + " and "
                + other.path()
                + " together: "
                + why
                + ". Files read together must have the same dtype and the same shape apart from"
                + " the row axis; read them separately. Headers: "
                + headers(first)
                + " and "
                + headers(other));
      }
    }
  }

  private static String headers(NpyFileSpec f) {
    StringBuilder sb = new StringBuilder();
    for (NpyPart p : f.parts()) {
      sb.append(sb.length() == 0 ? "" : "; ")
          .append(p.column() == null ? "" : p.column() + ".npy: ")
          .append(p.header());
    }
    return sb.toString();
  }

  private static String difference(NpyFileSpec a, NpyFileSpec b, NpyReadOptions options) {
    if (a.parts().size() != b.parts().size()) {
      return "they hold " + a.parts().size() + " and " + b.parts().size() + " arrays";
    }
    for (int i = 0; i < a.parts().size(); i++) {
      NpyPart p = a.parts().get(i);
      NpyPart q = b.parts().get(i);
      if (p.column() != null && !p.column().equals(q.column())) {
        return "member " + p.column() + ".npy faces member " + q.column() + ".npy";
      }
      DType dp = p.dtype();
      DType dq = q.dtype();
      if (!dp.isEquivalent(dq)) {
        return "dtypes " + dp.descr() + " and " + dq.descr() + " differ";
      }
      long[] sp = p.geometry(options.rowAxisLast).rowShape;
      long[] sq = q.geometry(options.rowAxisLast).rowShape;
      if (!Arrays.equals(sp, sq) || p.shape().length != q.shape().length) {
        return "shapes "
            + Arrays.toString(p.shape())
            + " and "
            + Arrays.toString(q.shape())
            + " differ apart from the row axis";
      }
    }
    return null;
  }

  private static StructType schemaOf(
      NpyFileSpec file, NpyReadOptions options, Map<String, ColumnSource> columns) {
    List<StructField> fields = new ArrayList<>();
    List<NpyPart> parts = file.parts();
    boolean npz = parts.get(0).column() != null;
    if ((options.matrix || options.vector) && npz) {
      String layout = options.matrix ? "matrix" : "vector";
      throw new NpyOptionException(
          "Cannot use layout="
              + layout
              + " on "
              + file.path()
              + ": it is a .npz archive or a column set; add option member to read one of its"
              + " arrays as a "
              + layout);
    }
    for (int i = 0; i < parts.size(); i++) {
      NpyPart part = parts.get(i);
      DType dtype = part.dtype();
      RowGeometry g = part.geometry(options.rowAxisLast);
      DataType element = SparkTypes.of(dtype, part.location(), options.timestampNtz);
      if (npz) {
        fields.add(
            new StructField(
                part.column(),
                SparkTypes.arrays(g.rowShape, 0, element, SparkTypes.nullable(dtype)),
                SparkTypes.nullable(dtype),
                Metadata.empty()));
        columns.put(part.column(), new ColumnSource(i, -1, null));
      } else if (options.vector) {
        fields.add(
            new StructField(
                SparkTypes.VECTOR_COLUMN,
                SparkTypes.vector(part.location(), dtype, part.shape()),
                false,
                Metadata.empty()));
        columns.put(SparkTypes.VECTOR_COLUMN, new ColumnSource(i, -1, null));
      } else if (options.matrix) {
        if (part.shape().length != 2 || dtype instanceof RecordDType) {
          throw new NpyOptionException(
              "Cannot use layout=matrix on "
                  + part.location()
                  + ": it needs a 2-D array of a plain dtype, the file has shape "
                  + Arrays.toString(part.shape())
                  + " and dtype "
                  + dtype.descr()
                  + ". Use layout=auto");
        }
        for (int c = 0; c < g.combos; c++) {
          String name = "_" + c;
          fields.add(new StructField(name, element, SparkTypes.nullable(dtype), Metadata.empty()));
          columns.put(name, new ColumnSource(i, c, null));
        }
      } else if (dtype instanceof RecordDType) {
        for (StructField f : ((StructType) element).fields()) {
          fields.add(
              new StructField(
                  f.name(),
                  SparkTypes.arrays(g.rowShape, 0, f.dataType(), f.nullable()),
                  f.nullable(),
                  Metadata.empty()));
          columns.put(f.name(), new ColumnSource(i, -1, f.name()));
        }
      } else {
        fields.add(
            new StructField(
                "value",
                SparkTypes.arrays(g.rowShape, 0, element, SparkTypes.nullable(dtype)),
                SparkTypes.nullable(dtype),
                Metadata.empty()));
        columns.put("value", new ColumnSource(i, -1, null));
      }
    }
    return SparkTypes.struct(fields);
  }
}
