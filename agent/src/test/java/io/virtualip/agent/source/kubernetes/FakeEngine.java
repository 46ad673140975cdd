package io.virtualip.agent.source.kubernetes;

import io.virtualip.agent.runtime.InstanceEngine;
import io.virtualip.agent.runtime.InstanceSnapshot;
import io.virtualip.agent.spec.VipDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test double of the engine seam that records every call the glue makes, and plays the engine's
 * side of the listener contract ({@link #emit}). The seam's contract is what the tests check, so
 * recording is all it needs.
 */
final class FakeEngine implements InstanceEngine {

  sealed interface Call {
    String name();
  }

  record Apply(String name, VipDefinition config) implements Call {}

  record Remove(String name) implements Call {}

  record StepDown(String name, boolean stepDown) implements Call {}

  record Refuse(String name, String problem) implements Call {}

  record TrackChanged(String name, String track, boolean healthy) implements Call {}

  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, InstanceSnapshot> snapshots = new ConcurrentHashMap<>();

  @Override
  public void apply(String name, VipDefinition config) {
    calls.add(new Apply(name, config));
  }

  @Override
  public void refuse(String name, String problem) {
    calls.add(new Refuse(name, problem));
    snapshots.remove(name);
  }

  @Override
  public void remove(String name) {
    calls.add(new Remove(name));
    snapshots.remove(name);
  }

  @Override
  public void stepDown(String name, boolean stepDown) {
    calls.add(new StepDown(name, stepDown));
  }

  @Override
  public void trackChanged(String name, String trackName, boolean healthy) {
    calls.add(new TrackChanged(name, trackName, healthy));
  }

  @Override
  public Optional<InstanceSnapshot> snapshot(String name) {
    return Optional.ofNullable(snapshots.get(name));
  }

  @Override
  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /** What the engine's event loop does on a transition. */
  void emit(String name, InstanceSnapshot snapshot) {
    snapshots.put(name, snapshot);
    listeners.forEach(l -> l.updated(name, snapshot));
  }

  List<Call> calls() {
    return new ArrayList<>(calls);
  }

  <T extends Call> List<T> calls(Class<T> type) {
    return calls.stream().filter(type::isInstance).map(type::cast).toList();
  }

  List<Call> callsFor(String name) {
    return calls.stream().filter(c -> c.name().equals(name)).toList();
  }
}
