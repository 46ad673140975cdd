package io.virtualip.agent.runtime;

import io.virtualip.agent.spec.VipDefinition;
import java.util.Optional;

/**
 * The seam between the Kubernetes glue and whatever runs VRRP instances (the data plane's runtime).
 *
 * <p>The glue calls these methods from its own threads, never from the engine's event loop, and
 * expects each call to return quickly: an implementation hands the work to its event loop and
 * returns. Instances are keyed by the VirtualIP's name; a call for one name must never disturb
 * another.
 */
public interface InstanceEngine {

  /**
   * Starts the instance, or reconfigures it when {@code config} differs from the running one. The
   * glue calls this only when the compiled definition changed (records compare by value). A change
   * of priority, preempt, preempt delay, advertisement interval, password or tracks must be applied
   * in place (the instance keeps its state and the address stays held); only another VRID,
   * interface, version, mode/peers or addresses may restart the instance, with the priority-0
   * handover of {@link #remove}. Track states and the step-down flag survive an apply whose tracks
   * are equal; when the tracks changed, the glue reports each {@code pods} track again through
   * {@link #trackChanged}. {@code httpGet} tracks the engine probes itself, with their thresholds.
   * Until a track's first report or verdict the engine counts it as failing, so that a node never
   * claims the address on a health it has not checked.
   */
  void apply(String name, VipDefinition config);

  /**
   * The VirtualIP is invalid for this node (the spec compiler refused it): stop the instance if it
   * runs and report Fault with reason code InvalidSpec and {@code problem}, rather than run a
   * repaired or an old configuration.
   */
  void refuse(String name, String problem);

  /**
   * Stops the instance (a master hands over with a priority-0 advertisement first, RFC 5798 section
   * 6.4.3).
   */
  void remove(String name);

  /**
   * While {@code stepDown} is true the instance must not be master: a master removes its addresses
   * at once (without a priority-0 advertisement: the operator keeps another master, and priority 0
   * would make backups that do not hear that master take over), and a backup does not take over.
   * The operator sets this to end a split brain (splitBrainPolicy Resolve).
   */
  void stepDown(String name, boolean stepDown);

  /**
   * The health of the {@code pods} track named {@code trackName} (in {@link
   * VipDefinition#externalTracks()}) changed.
   */
  void trackChanged(String name, String trackName, boolean healthy);

  /**
   * The latest picture of the instance, if it runs; must be cheap and safe to call from any thread.
   */
  Optional<InstanceSnapshot> snapshot(String name);

  /**
   * Registers the listener told about every state transition (and whatever else the engine likes to
   * report).
   */
  void addListener(Listener listener);

  /**
   * Told by the engine, from its event loop: so it must not block. The glue only records the
   * snapshot there.
   */
  @FunctionalInterface
  interface Listener {
    void updated(String name, InstanceSnapshot snapshot);
  }
}
