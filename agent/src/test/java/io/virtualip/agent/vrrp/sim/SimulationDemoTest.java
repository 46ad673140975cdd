package io.virtualip.agent.vrrp.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SimulationDemoTest {
  @Test
  void storyShowsSplitBrainStepDownAndFailover() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    SimulationDemo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out)
        .contains("masters now: [192.0.2.11, 192.0.2.12]")
        .contains("192.0.2.13 hears 192.0.2.11: priority 150, last heard 20.59s ago")
        .contains("MASTER     -> BACKUP  step down requested: split brain with 192.0.2.12")
        .contains("preempting lower priority master 192.0.2.12 (priority 120 < our 150)")
        .endsWith("masters now: [192.0.2.12]" + System.lineSeparator());
  }
}
