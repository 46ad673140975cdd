package io.virtualip.lab.bench;

import io.virtualip.lab.VrrpRouter.Implementation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;

/**
 * The benchmark's PNG: one box per implementation and cell (kind of failover, interval), on a log
 * time axis.
 */
final class FailoverChart {

  private FailoverChart() {}

  /**
   * @param cells for each cell label, in display order, the measured times of each implementation
   */
  static void write(Path png, Map<String, Map<Implementation, List<Double>>> cells)
      throws IOException {
    DefaultBoxAndWhiskerCategoryDataset data = new DefaultBoxAndWhiskerCategoryDataset();
    cells.forEach(
        (cell, byImplementation) ->
            byImplementation.forEach(
                (implementation, millis) -> data.add(millis, implementation.toString(), cell)));
    CategoryAxis cellAxis =
        new CategoryAxis("failover kind, advertisement interval (VRRPv3, backup priority 100)");
    cellAxis.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    // Times span three decades (about 10 ms to 4 s): only a log axis shows every cell.
    LogarithmicAxis timeAxis =
        new LogarithmicAxis("ms from SIGKILL/SIGTERM of the master to the backup answering ARP");
    timeAxis.setAllowNegativesFlag(false);
    timeAxis.setExpTickLabelsFlag(false);
    BoxAndWhiskerRenderer renderer = new BoxAndWhiskerRenderer();
    renderer.setMeanVisible(false);
    renderer.setMaxOutlierVisible(true);
    CategoryPlot plot = new CategoryPlot(data, cellAxis, timeAxis, renderer);
    JFreeChart chart =
        new JFreeChart(
            "Failover time: our agent vs keepalived (measured from a third namespace)",
            JFreeChart.DEFAULT_TITLE_FONT,
            plot,
            true);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1400, 800);
  }
}
