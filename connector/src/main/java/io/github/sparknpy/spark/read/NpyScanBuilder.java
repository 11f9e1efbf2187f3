package io.github.sparknpy.spark.read;

import io.github.sparknpy.spark.config.NpyPaths;
import io.github.sparknpy.spark.hadoop.HadoopConfs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.expressions.Expression;
import org.apache.spark.sql.connector.expressions.Literal;
import org.apache.spark.sql.connector.expressions.NamedReference;
import org.apache.spark.sql.connector.expressions.aggregate.AggregateFunc;
import org.apache.spark.sql.connector.expressions.aggregate.Aggregation;
import org.apache.spark.sql.connector.expressions.aggregate.Count;
import org.apache.spark.sql.connector.expressions.aggregate.CountStar;
import org.apache.spark.sql.connector.expressions.filter.Predicate;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownAggregates;
import org.apache.spark.sql.connector.read.SupportsPushDownLimit;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.connector.read.SupportsPushDownV2Filters;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Builds a scan: column pruning (data, nested struct fields and metadata columns), {@code
 * _row_index} range predicates (handled exactly, so Spark does not re-check them) and {@code
 * LIMIT}. Parses the read options once, here, and passes them down to the file index and the scan.
 * Lists the files again and reads their headers at {@link #build()}, so a scan sees the files as
 * they are when the query runs.
 */
public final class NpyScanBuilder
    implements ScanBuilder,
        SupportsPushDownRequiredColumns,
        SupportsPushDownV2Filters,
        SupportsPushDownLimit,
        SupportsPushDownAggregates {
  private final List<String> paths;
  private final NpyReadOptions options;
  private final Configuration conf;
  private final StructType tableSchema;
  private StructType required;
  private long fromRow = 0;
  private long toRowExclusive = Long.MAX_VALUE;
  private long limit = Long.MAX_VALUE;
  private Predicate[] pushed = new Predicate[0];
  private final List<Predicate> partitionFilters = new ArrayList<>();
  private int pushedCounts;

  /** The table's listing and headers (reused for unchanged files), or null. */
  private final NpyFileIndex resolved;

  private boolean emptyWithoutFiles;

  public NpyScanBuilder(
      SparkSession spark, CaseInsensitiveStringMap options, StructType tableSchema) {
    this(spark, options, tableSchema, null);
  }

  /**
   * @param resolved what the table read when it was resolved (its listing, headers and partition
   *     columns): the scan lists the files again and reads the headers only of files whose length
   *     or modification time changed since; null to read every header
   */
  public NpyScanBuilder(
      SparkSession spark,
      CaseInsensitiveStringMap options,
      StructType tableSchema,
      NpyTableSchema resolved) {
    this.paths = NpyPaths.of(options);
    this.options = NpyReadOptions.parse(spark, options);
    this.conf = HadoopConfs.forOptions(spark, options);
    this.tableSchema = tableSchema;
    this.required = tableSchema;
    this.resolved = resolved == null ? null : resolved.index();
  }

  /**
   * A catalog table with declared columns (CREATE TABLE t (…) USING npy): before its first insert
   * its location holds no file (or does not exist), and it reads as no rows, as Parquet's tables
   * do, instead of failing like a path read.
   */
  public NpyScanBuilder emptyWithoutFiles() {
    this.emptyWithoutFiles = true;
    return this;
  }

  @Override
  public void pruneColumns(StructType requiredSchema) {
    this.required = requiredSchema;
  }

  @Override
  public Predicate[] pushPredicates(Predicate[] predicates) {
    List<Predicate> rest = new ArrayList<>();
    List<Predicate> done = new ArrayList<>();
    boolean rowIndexIsData =
        tableSchema.getFieldIndex(NpyMetadataColumns.ROW_INDEX_COLUMN).isDefined();
    Map<String, Integer> partitionColumns =
        resolved == null ? Map.of() : partitionIndex(resolved.partitionSchema);
    for (Predicate p : predicates) {
      if (!rowIndexIsData && pushRowRange(p)) {
        done.add(p);
      } else if (PartitionFilters.onlyPartitionColumns(p, partitionColumns)) {
        // prunes the files of partitions it rules out; Spark checks it again on the rows read
        partitionFilters.add(p);
        done.add(p);
        rest.add(p);
      } else {
        rest.add(p);
      }
    }
    pushed = done.toArray(new Predicate[0]);
    return rest.toArray(new Predicate[0]);
  }

  /** Narrows the row range for {@code _row_index <op> literal}; false if not such a predicate. */
  private boolean pushRowRange(Predicate p) {
    Expression[] args = p.children();
    if (args.length != 2) {
      return false;
    }
    String op = p.name();
    long value;
    if (isRowIndex(args[0]) && integral(args[1]) != null) {
      value = integral(args[1]);
    } else if (isRowIndex(args[1]) && integral(args[0]) != null) {
      value = integral(args[0]);
      op = flip(op);
    } else {
      return false;
    }
    switch (op) {
      case "=", "<=>" -> {
        fromRow = Math.max(fromRow, value);
        toRowExclusive = Math.min(toRowExclusive, value < 0 ? 0 : value + 1);
      }
      case ">" -> fromRow = Math.max(fromRow, value == Long.MAX_VALUE ? value : value + 1);
      case ">=" -> fromRow = Math.max(fromRow, value);
      case "<" -> toRowExclusive = Math.min(toRowExclusive, Math.max(0, value));
      case "<=" ->
          toRowExclusive =
              Math.min(toRowExclusive, value < 0 ? 0 : value == Long.MAX_VALUE ? value : value + 1);
      default -> {
        return false;
      }
    }
    fromRow = Math.max(0, fromRow);
    return true;
  }

  private static String flip(String op) {
    return switch (op) {
      case ">" -> "<";
      case ">=" -> "<=";
      case "<" -> ">";
      case "<=" -> ">=";
      default -> op;
    };
  }

  private static boolean isRowIndex(Expression e) {
    return e instanceof NamedReference ref
        && ref.fieldNames().length == 1
        && ref.fieldNames()[0].equals(NpyMetadataColumns.ROW_INDEX_COLUMN);
  }

  private static Long integral(Expression e) {
    if (e instanceof Literal<?> lit) {
      DataType t = lit.dataType();
      if ((t.equals(DataTypes.LongType)
              || t.equals(DataTypes.IntegerType)
              || t.equals(DataTypes.ShortType)
              || t.equals(DataTypes.ByteType))
          && lit.value() instanceof Number n) {
        return n.longValue();
      }
    }
    return null;
  }

  @Override
  public Predicate[] pushedPredicates() {
    return pushed.clone();
  }

  @Override
  public boolean pushLimit(int limit) {
    this.limit = Math.min(this.limit, Math.max(0, limit));
    return true;
  }

  /**
   * {@code COUNT(*)} (or {@code COUNT} of a non-null literal) without grouping is answered from the
   * headers. Spark offers an aggregate only when every filter was pushed, and the pushed ones (the
   * {@code _row_index} range) are exact, so the count is the query's.
   */
  @Override
  public boolean pushAggregation(Aggregation aggregation) {
    if (!countsOnly(aggregation)) {
      return false;
    }
    pushedCounts = aggregation.aggregateExpressions().length;
    return true;
  }

  @Override
  public boolean supportCompletePushDown(Aggregation aggregation) {
    return countsOnly(aggregation);
  }

  private static boolean countsOnly(Aggregation aggregation) {
    if (aggregation.groupByExpressions().length > 0
        || aggregation.aggregateExpressions().length == 0) {
      return false;
    }
    for (AggregateFunc f : aggregation.aggregateExpressions()) {
      boolean star = f instanceof CountStar;
      boolean literal =
          f instanceof Count c
              && !c.isDistinct()
              && c.column() instanceof Literal<?> lit
              && lit.value() != null;
      if (!star && !literal) {
        return false;
      }
    }
    return true;
  }

  /** Partition column name to its index in {@code partitionSchema}. */
  private static Map<String, Integer> partitionIndex(StructType partitionSchema) {
    Map<String, Integer> out = new HashMap<>();
    for (int i = 0; i < partitionSchema.fields().length; i++) {
      out.put(partitionSchema.fields()[i].name(), i);
    }
    return out;
  }

  @Override
  public Scan build() {
    NpyFileIndex index = NpyFileIndex.build(paths, options, conf, !emptyWithoutFiles, resolved);
    if (index == null || index.files.isEmpty()) {
      if (emptyWithoutFiles) {
        return pushedCounts > 0 ? new NpyCountScan(0, pushedCounts, 0) : new EmptyScan(required);
      }
      throw PathErrors.noFiles(paths, options);
    }
    checkTypesUnchanged(index);
    Map<String, Integer> partitionColumns = partitionIndex(index.partitionSchema);
    if (!partitionFilters.isEmpty()) {
      List<NpyFileSpec> kept = new ArrayList<>();
      for (NpyFileSpec f : index.files) {
        boolean keep = true;
        for (Predicate p : partitionFilters) {
          keep &= PartitionFilters.mayMatch(p, f.partitionValues(), partitionColumns);
        }
        if (keep) {
          kept.add(f);
        }
      }
      index = index.withFiles(kept);
    }
    if (pushedCounts > 0) {
      return new NpyCountScan(
          NpyCountScan.rows(index, fromRow, toRowExclusive, limit),
          pushedCounts,
          index.files.size());
    }
    List<OutputColumn> columns = new ArrayList<>();
    for (StructField f : required.fields()) {
      ColumnSource source = index.columns.get(f.name());
      Integer partition = partitionColumns.get(f.name());
      if (partition != null) {
        columns.add(new OutputColumn(OutputColumn.Kind.PARTITION, f.dataType(), null, partition));
      } else if (source != null) {
        columns.add(new OutputColumn(OutputColumn.Kind.DATA, f.dataType(), source, -1));
      } else if (f.name().equals(NpyMetadataColumns.FILE_COLUMN)) {
        columns.add(new OutputColumn(OutputColumn.Kind.FILE, f.dataType(), null, -1));
      } else if (f.name().equals(NpyMetadataColumns.ROW_INDEX_COLUMN)) {
        columns.add(new OutputColumn(OutputColumn.Kind.ROW_INDEX, f.dataType(), null, -1));
      } else {
        throw new io.github.sparknpy.npy.error.NpyFormatException(
            "Cannot read column "
                + f.name()
                + " from "
                + String.join(", ", paths)
                + ": the files' headers give the columns "
                + String.join(", ", index.columns.keySet())
                + (index.partitionSchema.isEmpty()
                    ? ""
                    : " and the directories the partition columns "
                        + String.join(", ", index.partitionSchema.fieldNames()))
                + " (did the files change since the table was resolved?)");
      }
    }
    return new NpyScan(paths, index, options, required, columns, fromRow, toRowExclusive, limit);
  }

  /**
   * The table schema is resolved once, when the DataFrame is defined, and this scan reads the
   * headers as they are now: a column whose type changed (a file of longs replaced by one of
   * doubles) would have its bytes decoded as the old type, so it fails. More rows, or columns the
   * DataFrame does not know, are a normal re-read.
   */
  private void checkTypesUnchanged(NpyFileIndex index) {
    for (StructField was : tableSchema.fields()) {
      if (index.partitionSchema.getFieldIndex(was.name()).isDefined()) {
        StructField now = index.partitionSchema.apply(was.name());
        if (!was.dataType().equals(now.dataType())) {
          throw new NpyPartitionException(
              "Cannot read partition column "
                  + was.name()
                  + " of "
                  + String.join(", ", paths)
                  + ": it was "
                  + was.dataType().catalogString()
                  + " when the DataFrame was defined and the "
                  + was.name()
                  + "=… directories now make it "
                  + now.dataType().catalogString()
                  + " (a directory was added or renamed since). Define the DataFrame again"
                  + " (spark.read.format(\"npy\").load(…)) to read the directories as they are");
        }
        continue;
      }
      if (!index.columns.containsKey(was.name())) {
        continue;
      }
      StructField now = index.schema.apply(was.name());
      String before = was.dataType().catalogString();
      String after = now.dataType().catalogString();
      // a schema given to spark.read.schema(…) may read a datetime64 column in the other
      // timestamp flavour (RequestedSchema): the same microseconds
      if (!RequestedSchema.sameType(was.dataType(), now.dataType(), true)) {
        String file = index.files.get(0).path();
        throw new NpyFileChangedException(
            "Cannot read column "
                + was.name()
                + " of "
                + (index.files.size() == 1
                    ? file
                    : String.join(", ", paths) + " (first file " + file + ")")
                + ": it was "
                + before
                + " when the DataFrame was defined and the file's header now makes it "
                + after
                + " (the file was replaced since). Its bytes would be read as the old type, so"
                + " the read stops: define the DataFrame again (spark.read.format(\"npy\")"
                + ".load(…)) to read the new version");
      }
    }
  }
}
