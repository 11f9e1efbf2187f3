package io.github.sparknpy.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.testing.Numpy;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlOverNpyTest extends ExamplesTestBase {
  @TempDir Path dir;

  @Test
  void queriesAgreeWithNumpyOnTheSameFiles() throws Exception {
    Report report = new Report();
    SqlOverNpy.Result r = SqlOverNpy.run(spark(), dir, report.out);
    // Twice: a rerun in the same session and directory replaces the files and tables.
    r = SqlOverNpy.run(spark(), dir, report.out);

    String expected =
        Numpy.run(
            """
            import glob, os
            files = sorted(glob.glob(sys.argv[1] + "/*.npy"))
            days = [os.path.basename(f)[:-4] for f in files]
            arrays = [np.load(f) for f in files]
            for a in arrays:
                assert a.dtype == np.dtype([("station", "<i4"), ("minute", "<i4"), ("temperature", "<f4"), ("rain_mm", "<f4")]), a.dtype
            allrows = np.concatenate(arrays)
            out = {"perStation": [], "perFile": [], "rowRange": [], "byPath": [], "summary": []}
            for s in range(1, 5):
                x = allrows[allrows["station"] == s]
                out["perStation"].append("%d %d %.3f %.3f %.3f" % (s, len(x), x["temperature"].astype(np.float64).mean(), x["temperature"].max(), x["rain_mm"].astype(np.float64).sum()))
            for d, a in zip(days, arrays):
                out["perFile"].append("%s %d 0 %d %.3f" % (d, len(a), len(a) - 1, a["rain_mm"].astype(np.float64).sum()))
                for i in (40, 41):
                    out["rowRange"].append("%s %d %d %d %.3f" % (d, i, a[i]["station"], a[i]["minute"], a[i]["temperature"]))
            b = arrays[1]
            out["byPath"].append("%d %.3f %.3f" % (len(b), b["temperature"].min(), b["temperature"].max()))
            s = np.load(sys.argv[2])
            assert s.dtype.names == ("day", "station", "max_temp", "rain_mm") and s.dtype["day"] == np.dtype("<M8[D]"), s.dtype
            for d, a in zip(days, arrays):
                for st in range(1, 5):
                    x = a[a["station"] == st]
                    out["summary"].append("%s %d %.3f %.3f" % (d, st, x["temperature"].max(), x["rain_mm"].astype(np.float64).sum()))
            got = ["%s %d %.3f %.3f" % (str(v["day"]), v["station"], v["max_temp"], v["rain_mm"]) for v in s]
            assert got == out["summary"], (got, out["summary"])
            print(json.dumps(out))
            """,
            r.readings(), r.summary());
    assertThat(rows(r, "perStation")).isEqualTo(section(expected, "perStation"));
    assertThat(rows(r, "perFile")).isEqualTo(section(expected, "perFile"));
    assertThat(rows(r, "rowRange")).isEqualTo(section(expected, "rowRange"));
    assertThat(rows(r, "byPath")).isEqualTo(section(expected, "byPath"));
    assertThat(rows(r, "schema").stream().map(l -> l.split(" ")[0] + " " + l.split(" ")[1]))
        .containsExactly("station int", "minute int", "temperature float", "rain_mm float");
    assertThat(report.text())
        .contains("spark-sql> CREATE TABLE readings USING npy LOCATION '" + r.readings() + "';")
        .contains("FROM npy.`" + r.readings().resolve("2026-11-02.npy") + "`")
        .contains("Wrote " + r.summary());
  }

  /** A query's rows as space-separated values, numbers with 3 decimals as numpy prints above. */
  private static List<String> rows(SqlOverNpy.Result r, String query) {
    return r.queries().get(query).stream()
        .map(
            row -> {
              StringBuilder sb = new StringBuilder();
              for (int i = 0; i < row.size(); i++) {
                Object v = row.get(i);
                sb.append(i == 0 ? "" : " ")
                    .append(
                        v instanceof Float || v instanceof Double
                            ? String.format(Locale.ROOT, "%.3f", ((Number) v).doubleValue())
                            : String.valueOf(v));
              }
              return sb.toString();
            })
        .collect(Collectors.toList());
  }

  private static List<String> section(String json, String key) {
    int start = json.indexOf("\"" + key + "\": [") + key.length() + 5;
    String body = json.substring(start, json.indexOf(']', start));
    return List.of(body.substring(1, body.length() - 1).split("\", \""));
  }
}
