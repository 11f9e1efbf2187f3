package io.github.sparknpy.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.testing.Numpy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvToNpyTest extends ExamplesTestBase {
  @TempDir Path dir;

  /**
   * The bundled CSV end to end; numpy checks the outputs against the CSV cleaned independently in
   * Python (dedupe, drops, imputation, scaling, order).
   */
  @Test
  void bundledListingsBecomeFeaturesAndLabelsRowForRow() throws Exception {
    Path csv = CsvToNpy.bundledCsv(dir);
    CsvToNpy.Result r = CsvToNpy.run(spark(), csv, dir);

    String counts =
        Numpy.run(
            """
            import csv, statistics
            src, out = sys.argv[1], sys.argv[2]
            rows, seen = [], set()
            raw = list(csv.DictReader(open(src, encoding="utf-8")))
            for row in raw:
                if row["listing_id"] in seen:
                    continue
                seen.add(row["listing_id"])
                rows.append(row)
            unique = len(rows)
            rows = [x for x in rows if x["sold_within_30d"] != ""]
            labeled = len(rows)
            rows = [x for x in rows if x["distance_center_km"] != ""]
            rows.sort(key=lambda x: int(x["listing_id"]))

            X = np.load(out + "/features.npy", mmap_mode="r")
            y = np.load(out + "/labels.npy", mmap_mode="r")
            ids = np.load(out + "/ids.npy", mmap_mode="r")
            meta = json.load(open(out + "/features.json"))
            cols = meta["columns"]
            assert X.dtype == np.float32 and y.dtype == np.int64 and ids.dtype == np.int64
            assert X.shape == (len(rows), len(cols)), (X.shape, len(rows), cols)
            assert y.shape == ids.shape == (len(rows),)
            assert ids.tolist() == [int(x["listing_id"]) for x in rows]
            assert y.tolist() == [int(x["sold_within_30d"]) for x in rows]

            def col(name):
                return np.asarray(X[:, cols.index(name)], dtype=np.float64)

            def unscaled(name):
                i = cols.index(name)
                return col(name) * meta["std"][i] + meta["mean"][i]

            for name, m in zip(cols, meta["mean"]):
                if m is not None:  # standardized: mean 0, std 1 (float32 rounding aside)
                    assert abs(col(name).mean()) < 1e-4, name
                    assert abs(col(name).std() - 1) < 1e-4, name
            assert np.allclose(unscaled("age_years"), [2026 - int(x["built_year"]) for x in rows], atol=1e-3)
            assert np.allclose(unscaled("distance_center_km"), [float(x["distance_center_km"]) for x in rows], atol=1e-4)
            assert np.allclose(unscaled("floor"), [int(x["floor"] or 0) for x in rows], atol=1e-4)
            garden = [1.0 if x["has_garden"].strip().lower() in ("yes", "y") else 0.0 for x in rows]
            assert col("has_garden").tolist() == garden
            # A missing area is the city's median area (over the rows kept).
            by_city = {}
            for x in rows:
                if x["area_m2"] != "":
                    by_city.setdefault(x["city"], []).append(float(x["area_m2"]))
            area = [float(x["area_m2"]) if x["area_m2"] != "" else statistics.median(by_city[x["city"]]) for x in rows]
            assert np.allclose(unscaled("area_m2"), area, rtol=1e-5)
            assert any(x["area_m2"] == "" for x in rows)
            for x, onehot in zip(rows, X[:, cols.index("city_Lille"):]):
                assert onehot.tolist() == [1.0 if c == "city_" + x["city"] else 0.0 for c in cols[cols.index("city_Lille"):]]
            print(len(raw), len(raw) - unique, unique - labeled, labeled - len(rows), len(rows))
            """,
            csv,
            dir);
    assertThat(counts.trim())
        .isEqualTo(
            r.inputRows()
                + " "
                + r.duplicates()
                + " "
                + r.unlabeled()
                + " "
                + r.noDistance()
                + " "
                + r.rows());
    assertThat(r.inputRows()).isEqualTo(3040);
    assertThat(r.duplicates()).isPositive();
    assertThat(r.rows()).isGreaterThan(2500);
    assertThat(r.featureColumns())
        .containsExactly(
            "area_m2",
            "rooms",
            "age_years",
            "floor",
            "distance_center_km",
            "price_per_m2",
            "log_price",
            "has_garden",
            "city_Lille",
            "city_Lyon",
            "city_Nantes",
            "city_Rennes");
  }

  @Test
  void reportNamesTheOutputsAndTheNumpySnippet() throws Exception {
    Path csv = dir.resolve("tiny.csv");
    Files.writeString(
        csv,
        """
        listing_id,city,built_year,area_m2,rooms,floor,distance_center_km,has_garden,asking_price_eur,sold_within_30d
        3,Lyon,2000,50.0,2,1,1.5,yes,250000,1
        1,Lyon,1990,,,,2.5,N,300000,0
        2,Nantes,2010,100.0,4,3,,no,200000,1
        4,Nantes,1980,80.0,3,0,4.0,Y,240000,
        3,Lyon,2000,50.0,2,1,1.5,yes,250000,1
        5,Nantes,1970,70.0,3,2,3.0,no,210000,0
        """,
        StandardCharsets.UTF_8);
    CsvToNpy.Result r = CsvToNpy.run(spark(), csv, dir);
    Report report = new Report();
    CsvToNpy.report(r, csv, report.out);

    assertThat(r.rows()).isEqualTo(3);
    assertThat(r.duplicates()).isEqualTo(1);
    assertThat(r.unlabeled()).isEqualTo(1);
    assertThat(r.noDistance()).isEqualTo(1);
    assertThat(r.featureColumns()).endsWith("has_garden", "city_Lyon", "city_Nantes");
    assertThat(report.text())
        .contains("Read 6 rows from " + csv)
        .contains("kept 3 listings")
        .contains(path(dir.resolve("features.npy")) + "  shape (3, 10), dtype <f4")
        .contains(path(dir.resolve("labels.npy")) + "  shape (3,), dtype <i8")
        .contains("X = np.load(\"" + path(dir.resolve("features.npy")) + "\", mmap_mode=\"r\")");
    // Listing 1: area from Lyon's median (50), rooms from the area (2), floor 0, no garden.
    String out =
        Numpy.run(
            """
            X = np.load(sys.argv[1] + "/features.npy")
            m = json.load(open(sys.argv[1] + "/features.json"))
            raw = X.astype(np.float64) * np.array([s if s is not None else 1 for s in m["std"]]) \\
                + np.array([v if v is not None else 0 for v in m["mean"]])
            print(np.load(sys.argv[1] + "/ids.npy").tolist(), np.load(sys.argv[1] + "/labels.npy").tolist())
            print((np.round(raw[0], 3) + 0.0).tolist())
            """,
            dir);
    assertThat(out.lines())
        .containsExactly(
            "[1, 3, 5] [0, 1, 0]", "[50.0, 2.0, 36.0, 0.0, 2.5, 6000.0, 12.612, 0.0, 1.0, 0.0]");
  }
}
