package io.virtualip.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;

class SummaryTest {

  @Test
  void percentilesAreNearestRankValuesOfTheSample() {
    List<Double> twenty =
        DoubleStream.iterate(20, v -> v - 1).limit(20).boxed().toList(); // 20, 19, ..., 1

    Summary summary = Summary.of(twenty);

    assertThat(summary).isEqualTo(new Summary(20, 1, 10, 19, 20));
  }

  @Test
  void oneValueIsEveryPercentile() {
    assertThat(Summary.of(List.of(3.5))).isEqualTo(new Summary(1, 3.5, 3.5, 3.5, 3.5));
  }

  @Test
  void durationsOfTheCommandLine() {
    assertThat(FailoverBenchmark.duration("10ms")).isEqualTo(Duration.ofMillis(10));
    assertThat(FailoverBenchmark.duration("1s")).isEqualTo(Duration.ofSeconds(1));
    assertThat(FailoverBenchmark.duration("10m")).isEqualTo(Duration.ofMinutes(10));
  }
}
