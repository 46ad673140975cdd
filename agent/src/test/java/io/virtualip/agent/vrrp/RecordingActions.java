package io.virtualip.agent.vrrp;

import java.util.ArrayList;
import java.util.List;

/** Records actions as short strings, in order, for assertions. */
final class RecordingActions implements Actions {
  final List<String> log = new ArrayList<>();

  @Override
  public void sendAdvertisement(int priority) {
    log.add("send " + priority);
  }

  @Override
  public void addAddresses() {
    log.add("add");
  }

  @Override
  public void removeAddresses() {
    log.add("remove");
  }

  @Override
  public void announceAddresses() {
    log.add("announce");
  }

  @Override
  public void stateChanged(State from, State to, String reason) {
    log.add(from + "->" + to + ": " + reason);
  }

  List<String> drain() {
    List<String> out = List.copyOf(log);
    log.clear();
    return out;
  }
}
