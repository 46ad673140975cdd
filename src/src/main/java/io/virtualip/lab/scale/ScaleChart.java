package io.virtualip.lab.scale;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The scale lab's PNG: API writes per second over time, and below it each VirtualIP's status
 * latency.
 */
final class ScaleChart {

  private ScaleChart() {}

  static void write(
      Path png,
      List<double[]> writes,
      List<double[]> failover,
      List<double[]> splitBrain,
      String title)
      throws IOException {
    XYSeries w = new XYSeries("API writes/s (all resources)");
    writes.forEach(p -> w.add(p[0], p[1]));
    XYPlot top =
        new XYPlot(
            new XYSeriesCollection(w),
            null,
            new NumberAxis("writes/s"),
            new XYLineAndShapeRenderer(true, false));
    XYSeries f = new XYSeries("takeover -> status.master (ms)");
    failover.forEach(p -> f.add(p[0], p[1]));
    XYSeries s = new XYSeries("second claim -> SplitBrain=True (ms)");
    splitBrain.forEach(p -> s.add(p[0], p[1]));
    XYSeriesCollection latencies = new XYSeriesCollection();
    latencies.addSeries(f);
    latencies.addSeries(s);
    XYPlot bottom =
        new XYPlot(
            latencies,
            null,
            new NumberAxis("status latency, ms"),
            new XYLineAndShapeRenderer(false, true));
    CombinedDomainXYPlot plot =
        new CombinedDomainXYPlot(new NumberAxis("seconds since the lab started"));
    plot.add(top, 2);
    plot.add(bottom, 1);
    JFreeChart chart =
        new JFreeChart("Scale lab: " + title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1400, 800);
  }
}
