package io.virtualip.lab.bench;

import java.util.List;

/**
 * Order statistics of a sample, by the nearest-rank method (the p-th percentile is the smallest
 * value with at least p% of the sample at or below it), so every reported figure is a measured
 * value.
 */
public record Summary(int count, double min, double p50, double p95, double max) {

  public static Summary of(List<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no values");
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new Summary(
        sorted.length, sorted[0], rank(sorted, 50), rank(sorted, 95), sorted[sorted.length - 1]);
  }

  private static double rank(double[] sorted, int percent) {
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }

  @Override
  public String toString() {
    return String.format("n=%d p50=%.1f p95=%.1f min=%.1f max=%.1f ms", count, p50, p95, min, max);
  }
}
