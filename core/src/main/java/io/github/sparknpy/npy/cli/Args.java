package io.github.sparknpy.npy.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line of one command: options (flags, or options with a value given as {@code -n
 * 5}, {@code -n5}, {@code --lines 5} or {@code --lines=5}) anywhere among the operands, {@code --}
 * to end the options, and {@code -} as an operand.
 */
final class Args {
  /** An option a command accepts; {@code names[0]} is the key it is stored under. */
  record Option(boolean takesValue, String... names) {}

  private final Set<String> flags = new HashSet<>();
  private final Map<String, String> values = new HashMap<>();
  private final List<String> operands = new ArrayList<>();

  private Args() {}

  static Args parse(List<String> argv, List<Option> options) throws UsageException {
    Args a = new Args();
    boolean optionsEnded = false;
    for (int i = 0; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (optionsEnded || arg.equals("-") || !arg.startsWith("-")) {
        a.operands.add(arg);
        continue;
      }
      if (arg.equals("--")) {
        optionsEnded = true;
        continue;
      }
      String name = arg;
      String inlineValue = null;
      if (arg.startsWith("--")) {
        int eq = arg.indexOf('=');
        if (eq > 0) {
          name = arg.substring(0, eq);
          inlineValue = arg.substring(eq + 1);
        }
      } else if (arg.length() > 2) {
        name = arg.substring(0, 2);
        inlineValue = arg.substring(2);
      }
      Option option = find(options, name);
      if (option == null) {
        throw new UsageException("unknown option '" + name + "'");
      }
      String key = option.names()[0];
      if (option.takesValue()) {
        if (inlineValue == null) {
          if (i + 1 >= argv.size()) {
            throw new UsageException("option '" + name + "' needs a value");
          }
          inlineValue = argv.get(++i);
        }
        a.values.put(key, inlineValue);
      } else {
        if (inlineValue != null) {
          throw new UsageException(
              arg.startsWith("--")
                  ? "option '" + name + "' takes no value"
                  : "unknown option '" + arg + "'");
        }
        a.flags.add(key);
      }
    }
    return a;
  }

  private static Option find(List<Option> options, String name) {
    for (Option o : options) {
      for (String n : o.names()) {
        if (n.equals(name)) {
          return o;
        }
      }
    }
    return null;
  }

  boolean flag(String key) {
    return flags.contains(key);
  }

  String value(String key) {
    return values.get(key);
  }

  List<String> operands() {
    return operands;
  }
}
