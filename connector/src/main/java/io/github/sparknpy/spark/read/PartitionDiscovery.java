package io.github.sparknpy.spark.read;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Partition columns from {@code key=value} directories between a read's base paths and its files,
 * as Spark's {@code PartitioningUtils.parsePartitions} finds them: names and values URL-unescaped,
 * {@code __HIVE_DEFAULT_PARTITION__} as null, types inferred per value (int, long, decimal(p, 0),
 * double, timestamp of {@code spark.sql.timestampType}, date, else string; all strings when {@code
 * spark.sql.sources.partitionColumnTypeInference.enabled} is false) and widened across directories
 * as Spark widens them. Spark's own messages for conflicting directory structures and column names
 * are kept, as {@link NpyPartitionException}s naming the paths. Unlike Spark, which leaves them out
 * of a partitioned table silently, files outside the partition directories fail the read.
 */
final class PartitionDiscovery {
  /** Hive's and Spark's name of a null partition value. */
  static final String DEFAULT_PARTITION_NAME = "__HIVE_DEFAULT_PARTITION__";

  private static final Pattern DATE = Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})");
  private static final Pattern TIMESTAMP =
      Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,6}))?");

  private PartitionDiscovery() {}

  /** The Spark settings discovery follows. */
  record Settings(boolean typeInference, boolean timestampNtz, ZoneId zone, boolean caseSensitive)
      implements Serializable {}

  /** The partition columns of a read, and each file's values (Spark's internal representation). */
  record Partitions(StructType schema, Map<String, List<Object>> valuesByFile) {
    static final Partitions NONE = new Partitions(new StructType(), Map.of());

    boolean isEmpty() {
      return schema.isEmpty();
    }

    /** The values of {@code file} (one per partition column), or an empty list. */
    List<Object> of(String file) {
      List<Object> v = valuesByFile.get(file);
      return v == null ? List.of() : v;
    }
  }

  /** The inferred type of one value, or of a column after widening. */
  private record Kind(Type type, int precision) {
    static final Kind NULL = new Kind(Type.NULL, 0);
    static final Kind INT = new Kind(Type.INT, 10);
    static final Kind LONG = new Kind(Type.LONG, 20);
    static final Kind DOUBLE = new Kind(Type.DOUBLE, 0);
    static final Kind DATE = new Kind(Type.DATE, 0);
    static final Kind TIMESTAMP = new Kind(Type.TIMESTAMP, 0);
    static final Kind STRING = new Kind(Type.STRING, 0);
  }

  private enum Type {
    NULL,
    INT,
    LONG,
    DECIMAL,
    DOUBLE,
    DATE,
    TIMESTAMP,
    STRING
  }

  /** One {@code key=value} directory: the unescaped name and the raw value. */
  private record Column(String name, String raw) {}

  /**
   * The partition columns of {@code files} below {@code basePaths} (qualified directories).
   *
   * @throws NpyPartitionException when the directories do not make one partitioned table
   */
  static Partitions discover(List<FileStatus> files, Set<Path> basePaths, Settings settings) {
    Map<Path, List<FileStatus>> byDir = new LinkedHashMap<>();
    for (FileStatus f : files) {
      byDir.computeIfAbsent(f.getPath().getParent(), d -> new ArrayList<>()).add(f);
    }
    Map<Path, List<Column>> columnsByDir = new LinkedHashMap<>();
    Map<String, Path> stops = new TreeMap<>();
    boolean partitioned = false;
    for (Path dir : byDir.keySet()) {
      List<Column> columns = new ArrayList<>();
      Path stop = parse(dir, basePaths, columns);
      columnsByDir.put(dir, columns);
      stops.putIfAbsent(stop.toString().toLowerCase(Locale.ROOT), stop);
      partitioned |= !columns.isEmpty();
    }
    if (!partitioned) {
      return Partitions.NONE;
    }
    if (stops.size() > 1) {
      StringBuilder paths = new StringBuilder();
      for (Path p : stops.values()) {
        paths.append("\n\t").append(p);
      }
      throw new NpyPartitionException(
          "Conflicting directory structures detected. Suspicious paths:"
              + paths
              + "\nIf provided paths are partition directories, please set \"basePath\" in the"
              + " options of the data source to specify the root directory of the table. If there"
              + " are multiple root directories, please load them separately and then union them.");
    }
    checkSameColumns(columnsByDir, byDir, settings.caseSensitive());
    List<Column> first = columnsByDir.values().iterator().next();
    int n = first.size();
    Kind[] kinds = new Kind[n];
    for (List<Column> columns : columnsByDir.values()) {
      for (int i = 0; i < n; i++) {
        Kind k = infer(columns.get(i).raw(), settings);
        kinds[i] = kinds[i] == null ? k : wider(kinds[i], k);
      }
    }
    List<StructField> fields = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      fields.add(
          new StructField(
              first.get(i).name(), sparkType(kinds[i], settings), true, Metadata.empty()));
    }
    Map<String, List<Object>> values = new HashMap<>();
    for (Map.Entry<Path, List<Column>> e : columnsByDir.entrySet()) {
      Object[] row = new Object[n];
      for (int i = 0; i < n; i++) {
        row[i] = value(e.getValue().get(i), kinds[i], settings);
      }
      List<Object> rowValues = Collections.unmodifiableList(Arrays.asList(row));
      for (FileStatus f : byDir.get(e.getKey())) {
        values.put(f.getPath().toString(), rowValues);
      }
    }
    return new Partitions(new StructType(fields.toArray(new StructField[0])), values);
  }

  /**
   * Whether a directory name is a partition directory ({@code key=value}): the listing descends
   * into those without {@code recursiveFileLookup}.
   */
  static boolean isPartitionDirectory(String name) {
    return name.indexOf('=') > 0;
  }

  /**
   * Collects the {@code key=value} directories from {@code dir} up to a base path (or the first
   * other directory name above partition directories), outermost first, as Spark's {@code
   * parsePartition}; returns where it stopped.
   */
  private static Path parse(Path dir, Set<Path> basePaths, List<Column> columns) {
    Path current = dir;
    while (current.getParent() != null) {
      if (basePaths.contains(current)) {
        break;
      }
      String name = current.getName();
      int eq = name.indexOf('=');
      if (eq < 0) {
        if (!columns.isEmpty()) {
          break;
        }
      } else {
        String column = unescapePathName(name.substring(0, eq));
        String raw = name.substring(eq + 1);
        if (column.isEmpty() || raw.isEmpty()) {
          throw new NpyPartitionException(
              "Cannot read the partition directory "
                  + current
                  + ": a partition directory is named column=value, and this one has an empty "
                  + (column.isEmpty() ? "column name" : "value")
                  + " (a null value is written as "
                  + DEFAULT_PARTITION_NAME
                  + "). Rename it, or read below it with recursiveFileLookup=true (no partition"
                  + " columns)");
        }
        columns.add(0, new Column(column, raw));
      }
      current = current.getParent();
    }
    return columns.isEmpty() ? dir : current;
  }

  private static void checkSameColumns(
      Map<Path, List<Column>> columnsByDir,
      Map<Path, List<FileStatus>> byDir,
      boolean caseSensitive) {
    Map<List<String>, List<Path>> dirsByNames = new LinkedHashMap<>();
    for (Map.Entry<Path, List<Column>> e : columnsByDir.entrySet()) {
      List<String> names = new ArrayList<>();
      for (Column c : e.getValue()) {
        names.add(caseSensitive ? c.name() : c.name().toLowerCase(Locale.ROOT));
      }
      dirsByNames.computeIfAbsent(names, k -> new ArrayList<>()).add(e.getKey());
    }
    if (dirsByNames.size() == 1) {
      return;
    }
    List<Path> outside = dirsByNames.get(List.of());
    if (outside != null) {
      Path dir = outside.get(0);
      Map.Entry<List<String>, List<Path>> partitioned = null;
      for (Map.Entry<List<String>, List<Path>> e : dirsByNames.entrySet()) {
        if (!e.getKey().isEmpty()) {
          partitioned = e;
          break;
        }
      }
      throw new NpyPartitionException(
          "Cannot read "
              + byDir.get(dir).get(0).getPath()
              + " with the partition directories beside it (such as "
              + partitioned.getValue().get(0)
              + "): it is not inside a column=value directory, so it has no value for the"
              + " partition columns "
              + String.join(", ", partitioned.getKey())
              + ". Spark's file sources leave such files out of a partitioned table without a"
              + " word; npy refuses. Move the file into a partition directory, or read it (or the"
              + " partition directories) separately");
    }
    StringBuilder lists = new StringBuilder();
    StringBuilder dirs = new StringBuilder();
    int i = 0;
    for (Map.Entry<List<String>, List<Path>> e : dirsByNames.entrySet()) {
      lists.append("\n\tPartition column name list #").append(i++).append(": ");
      lists.append(String.join(", ", e.getKey()));
      dirs.append("\n\t").append(e.getValue().get(0));
    }
    throw new NpyPartitionException(
        "Conflicting partition column names detected:"
            + lists
            + "\nFor partitioned table directories, data files should only live in leaf"
            + " directories, and directories at the same level should have the same partition"
            + " column name. Check these directories for unexpected files or inconsistent"
            + " partition column names:"
            + dirs);
  }

  /** Spark's {@code inferPartitionColumnValue}. */
  private static Kind infer(String raw, Settings settings) {
    if (!settings.typeInference()) {
      return raw.equals(DEFAULT_PARTITION_NAME) ? Kind.NULL : Kind.STRING;
    }
    try {
      Integer.parseInt(raw);
      return Kind.INT;
    } catch (NumberFormatException e) {
      // not an int
    }
    try {
      Long.parseLong(raw);
      return Kind.LONG;
    } catch (NumberFormatException e) {
      // not a long
    }
    try {
      BigDecimal d = new BigDecimal(raw);
      // no fraction; 1e3 is decimal(4, 0), as Spark's Decimal makes a negative scale 0
      int precision = d.precision() - Math.min(0, d.scale());
      if (d.scale() <= 0 && precision <= 38) {
        return new Kind(Type.DECIMAL, precision);
      }
    } catch (NumberFormatException e) {
      // not a decimal
    }
    try {
      Double.parseDouble(raw);
      return Kind.DOUBLE;
    } catch (NumberFormatException e) {
      // not a double
    }
    if (timestampMicros(unescapePathName(raw), settings, false) != null) {
      return Kind.TIMESTAMP;
    }
    if (dateDays(raw) != null) {
      return Kind.DATE;
    }
    return raw.equals(DEFAULT_PARTITION_NAME) ? Kind.NULL : Kind.STRING;
  }

  /** Spark's {@code findWiderTypeForPartitionColumn}. */
  private static Kind wider(Kind a, Kind b) {
    if (a.equals(b)) {
      return a;
    }
    if (a.type() == Type.NULL) {
      return b;
    }
    if (b.type() == Type.NULL) {
      return a;
    }
    Type x = a.type();
    Type y = b.type();
    if (x == y && x == Type.DECIMAL) {
      return new Kind(Type.DECIMAL, Math.max(a.precision(), b.precision()));
    }
    boolean integralOrDecimal =
        (x == Type.INT || x == Type.LONG || x == Type.DECIMAL)
            && (y == Type.INT || y == Type.LONG || y == Type.DECIMAL);
    if (integralOrDecimal) {
      if (x == Type.DECIMAL || y == Type.DECIMAL) {
        return new Kind(Type.DECIMAL, Math.min(38, Math.max(a.precision(), b.precision())));
      }
      return Kind.LONG;
    }
    if ((x == Type.INT && y == Type.DOUBLE) || (x == Type.DOUBLE && y == Type.INT)) {
      return Kind.DOUBLE;
    }
    if ((x == Type.DATE && y == Type.TIMESTAMP) || (x == Type.TIMESTAMP && y == Type.DATE)) {
      return Kind.TIMESTAMP;
    }
    return Kind.STRING;
  }

  private static DataType sparkType(Kind k, Settings settings) {
    return switch (k.type()) {
      case INT -> DataTypes.IntegerType;
      case LONG -> DataTypes.LongType;
      case DECIMAL -> DataTypes.createDecimalType(k.precision(), 0);
      case DOUBLE -> DataTypes.DoubleType;
      case DATE -> DataTypes.DateType;
      case TIMESTAMP ->
          settings.timestampNtz() ? DataTypes.TimestampNTZType : DataTypes.TimestampType;
      case NULL -> DataTypes.NullType; // every value null: Spark's type too
      case STRING -> DataTypes.StringType;
    };
  }

  /**
   * A value as Spark holds it internally ({@code Integer} for int and date, {@code Long} for long
   * and timestamps, {@code BigDecimal}, {@code Double}, {@code String}), or null; Spark's {@code
   * castPartValueToDesiredType}.
   */
  private static Object value(Column c, Kind kind, Settings settings) {
    String raw = c.raw();
    if (raw.equals(DEFAULT_PARTITION_NAME)) {
      return null;
    }
    Object v =
        switch (kind.type()) {
          case NULL -> null;
          case INT -> Integer.parseInt(raw);
          case LONG -> Long.parseLong(raw);
          case DECIMAL -> new BigDecimal(raw).setScale(0);
          case DOUBLE -> Double.parseDouble(raw);
          case DATE -> dateDays(raw);
          case TIMESTAMP -> timestampMicros(unescapePathName(raw), settings, true);
          case STRING -> unescapePathName(raw);
        };
    if (v == null && kind.type() != Type.NULL) {
      throw new NpyPartitionException(
          "Cannot read the partition value " + raw + " of column " + c.name() + " as " + kind);
    }
    return v;
  }

  /** Days since the epoch of a {@code yyyy-MM-dd} date, or null. */
  private static Integer dateDays(String raw) {
    Matcher m = DATE.matcher(raw);
    if (!m.matches()) {
      return null;
    }
    try {
      return (int)
          LocalDate.of(
                  Integer.parseInt(m.group(1)),
                  Integer.parseInt(m.group(2)),
                  Integer.parseInt(m.group(3)))
              .toEpochDay();
    } catch (java.time.DateTimeException e) {
      return null;
    }
  }

  /**
   * Microseconds of a {@code yyyy-MM-dd HH:mm:ss[.ffffff]} timestamp (with {@code orDate}, a date
   * alone: its midnight, as Spark casts a date partition value to a timestamp column), in the zone
   * of the read for TIMESTAMP and as the wall clock for TIMESTAMP_NTZ; null when it is neither.
   */
  private static Long timestampMicros(String s, Settings settings, boolean orDate) {
    LocalDateTime t;
    Matcher m = TIMESTAMP.matcher(s);
    try {
      if (m.matches()) {
        String fraction = m.group(7) == null ? "" : m.group(7);
        int nanos =
            fraction.isEmpty() ? 0 : Integer.parseInt((fraction + "00000000").substring(0, 9));
        t =
            LocalDateTime.of(
                Integer.parseInt(m.group(1)),
                Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4)),
                Integer.parseInt(m.group(5)),
                Integer.parseInt(m.group(6)),
                nanos);
      } else if (orDate && dateDays(s) != null) {
        t = LocalDate.ofEpochDay(dateDays(s)).atStartOfDay();
      } else {
        return null;
      }
    } catch (java.time.DateTimeException e) {
      return null;
    }
    java.time.Instant instant =
        settings.timestampNtz()
            ? t.toInstant(ZoneOffset.UTC)
            : t.atZone(settings.zone()).toInstant();
    return ChronoUnit.MICROS.between(java.time.Instant.EPOCH, instant);
  }

  /** Spark's {@code ExternalCatalogUtils.unescapePathName}: {@code %XX} to the character XX. */
  static String unescapePathName(String path) {
    StringBuilder sb = new StringBuilder(path.length());
    int i = 0;
    while (i < path.length()) {
      char c = path.charAt(i);
      if (c == '%' && i + 2 < path.length()) {
        int code;
        try {
          code = Integer.parseInt(path.substring(i + 1, i + 3), 16);
        } catch (NumberFormatException e) {
          code = -1;
        }
        if (code >= 0) {
          sb.append((char) code);
          i += 3;
          continue;
        }
      }
      sb.append(c);
      i++;
    }
    return sb.toString();
  }

  /** The names of the partition columns, in order. */
  static Set<String> names(StructType schema) {
    Set<String> out = new LinkedHashSet<>();
    for (StructField f : schema.fields()) {
      out.add(f.name());
    }
    return out;
  }
}
