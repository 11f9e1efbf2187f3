package io.github.sparknpy.spark.write;

import io.github.sparknpy.spark.config.NpyOptionException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Plans a {@code layout=columns} write on the driver: which input columns each member file takes
 * (option {@code members}, {@code X:f1,f2,f3;y:label}; by default one member per column, named
 * after it) and each member's layout, as a write of those columns alone would have it: one column
 * as its own dtype, several stacked as {@code layout=matrix}, with {@code dtype.<member>}.
 */
final class ColumnSetPlanner {
  /** File names a member may have: no path separators, not hidden from readers. */
  private static final Pattern NAME = Pattern.compile("[^/\\\\:.\\s_][^/\\\\:\\s]*");

  private ColumnSetPlanner() {}

  /** One member: its name (its file is {@code name.npy}), input columns and planned layout. */
  record Member(String name, int[] ordinals, WriteLayout layout) {
    String fileName() {
      return name + ".npy";
    }
  }

  static List<Member> plan(StructType schema, NpyWriteOptions opts, String tz, boolean ansi) {
    Map<String, List<Integer>> groups = groups(schema, opts.members);
    Set<String> lowerNames = new TreeSet<>();
    for (String name : groups.keySet()) {
      if (!NAME.matcher(name).matches()) {
        throw new NpyOptionException(
            "Cannot use '"
                + name
                + "' as a member of layout=columns: it names the file "
                + name
                + ".npy, which must not contain '/', '\\', ':' or spaces, nor start with '.' or"
                + " '_' (readers skip such files). Rename the column or give member names with"
                + " option members, e.g. X:"
                + name);
      }
      if (!lowerNames.add(name.toLowerCase(Locale.ROOT))) {
        throw new NpyOptionException(
            "Cannot write two members named '"
                + name
                + "' apart only by case in layout=columns: their files would collide on"
                + " case-insensitive file systems. Rename one");
      }
    }
    for (String given : opts.memberDtypes.keySet()) {
      if (groups.keySet().stream().noneMatch(n -> n.equalsIgnoreCase(given))) {
        throw new NpyOptionException(
            "Invalid option dtype."
                + given
                + ": there is no member '"
                + given
                + "'; members: "
                + String.join(", ", groups.keySet()));
      }
    }
    List<Member> out = new ArrayList<>();
    for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
      int[] ordinals = g.getValue().stream().mapToInt(Integer::intValue).toArray();
      StructField[] fields = new StructField[ordinals.length];
      for (int i = 0; i < ordinals.length; i++) {
        fields[i] = schema.fields()[ordinals[i]];
      }
      NpyWriteOptions memberOpts =
          opts.forMember(ordinals.length > 1, opts.memberDtypes.get(g.getKey()));
      WriteLayout layout = WriteLayoutPlanner.plan(new StructType(fields), memberOpts, tz, ansi);
      out.add(new Member(g.getKey(), ordinals, layout));
    }
    return out;
  }

  /** Member name to input column ordinals, in the order given (or of the columns). */
  private static Map<String, List<Integer>> groups(StructType schema, String members) {
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    StructField[] fields = schema.fields();
    if (members == null) {
      for (int i = 0; i < fields.length; i++) {
        groups.put(fields[i].name(), List.of(i));
      }
      return groups;
    }
    Map<Integer, String> memberOf = new LinkedHashMap<>();
    for (String spec : members.split(";", -1)) {
      if (spec.isBlank()) {
        continue;
      }
      int colon = spec.indexOf(':');
      String name = colon < 0 ? "" : spec.substring(0, colon).trim();
      if (colon < 0 || name.isEmpty() || spec.substring(colon + 1).isBlank()) {
        throw new NpyOptionException(
            "Invalid value '"
                + members
                + "' for option members: give name:column,column for each file, separated by"
                + " ';', e.g. X:f1,f2,f3;y:label");
      }
      if (groups.containsKey(name)) {
        throw new NpyOptionException(
            "Invalid value '" + members + "' for option members: member '" + name + "' twice");
      }
      List<Integer> ordinals = new ArrayList<>();
      for (String column : spec.substring(colon + 1).split(",", -1)) {
        int i = ordinal(fields, column.trim());
        if (memberOf.containsKey(i)) {
          throw new NpyOptionException(
              "Invalid value '"
                  + members
                  + "' for option members: column '"
                  + fields[i].name()
                  + "' is in members '"
                  + memberOf.get(i)
                  + "' and '"
                  + name
                  + "'; give each column to one member");
        }
        memberOf.put(i, name);
        ordinals.add(i);
      }
      groups.put(name, ordinals);
    }
    List<String> left = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      if (!memberOf.containsKey(i)) {
        left.add(fields[i].name());
      }
    }
    if (!left.isEmpty()) {
      throw new NpyOptionException(
          "Option members leaves out column"
              + (left.size() > 1 ? "s " : " ")
              + String.join(", ", left)
              + ": add "
              + (left.size() > 1 ? "them" : "it")
              + " to a member, or select only the columns to write");
    }
    return groups;
  }

  /** The column named {@code name}: exactly, else the only one equal ignoring case. */
  private static int ordinal(StructField[] fields, String name) {
    int found = -1;
    for (int i = 0; i < fields.length; i++) {
      if (fields[i].name().equals(name)) {
        return i;
      }
      if (fields[i].name().equalsIgnoreCase(name)) {
        found = found == -1 ? i : -2;
      }
    }
    if (found >= 0) {
      return found;
    }
    List<String> names = new ArrayList<>();
    for (StructField f : fields) {
      names.add(f.name());
    }
    throw new NpyOptionException(
        "Option members names column '"
            + name
            + "', which the DataFrame "
            + (found == -2 ? "has more than once (ignoring case)" : "does not have")
            + "; its columns: "
            + String.join(", ", names));
  }
}
