package io.github.sparknpy.bench;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Draws {@code bin/bench}'s CSV ({@link BenchCsv#HEADER}) as a PNG: one group of bars per scenario,
 * one bar per system, its speed relative to the scenario's baseline (Parquet, or Python's
 * npy-append-array for the core appends) on a log scale, so that 1 is the baseline and higher is
 * faster.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.sparknpy.bench.BenchChart CSV PNG [TITLE]
 * </pre>
 */
public final class BenchChart {
  private BenchChart() {}

  private record Line(String group, String scenario, String system, double seconds, boolean base) {}

  public static void main(String[] args) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Path csv = Path.of(args[0]);
    Path png = Path.of(args[1]);
    String title = args.length > 2 ? args[2] : "spark-npy against Parquet, numpy, npy-append-array";
    List<Line> lines = new ArrayList<>();
    for (String l : Files.readAllLines(csv)) {
      if (l.isBlank() || l.equals(BenchCsv.HEADER)) {
        continue;
      }
      String[] f = l.split(",", -1);
      lines.add(new Line(f[0], f[1], f[2], Double.parseDouble(f[3]), Boolean.parseBoolean(f[4])));
    }
    Map<String, Double> baselines = new LinkedHashMap<>();
    for (Line l : lines) {
      if (l.base()) {
        baselines.put(l.group() + "/" + l.scenario(), l.seconds());
      }
    }
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Line l : lines) {
      Double base = baselines.get(l.group() + "/" + l.scenario());
      if (base == null || l.seconds() <= 0) {
        continue;
      }
      data.addValue(base / l.seconds(), l.system(), l.group() + ": " + l.scenario());
    }
    JFreeChart chart =
        ChartFactory.createBarChart(
            title,
            null,
            "speed relative to the baseline (log scale)",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    chart.setBackgroundPaint(Color.WHITE);
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    LogAxis speed = new LogAxis("speed relative to the baseline (log scale; baseline = 1)");
    speed.setSmallestValue(0.05);
    speed.setBase(10);
    speed.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1));
    speed.setNumberFormatOverride(
        new java.text.DecimalFormat(
            "0.##", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)));
    plot.setRangeAxis(speed);
    CategoryAxis scenarios = plot.getDomainAxis();
    scenarios.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    scenarios.setMaximumCategoryLabelLines(3);
    scenarios.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    BarRenderer bars = (BarRenderer) plot.getRenderer();
    bars.setBarPainter(new StandardBarPainter());
    bars.setShadowVisible(false);
    bars.setItemMargin(0.0);
    bars.setMaximumBarWidth(0.05);
    bars.setDefaultItemLabelGenerator(
        new StandardCategoryItemLabelGenerator(
            "{2}",
            new java.text.DecimalFormat(
                "0.##", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT))));
    bars.setDefaultItemLabelsVisible(true);
    bars.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1400, 800);
    System.err.println("wrote " + png);
  }
}
