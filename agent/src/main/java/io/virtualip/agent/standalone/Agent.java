package io.virtualip.agent.standalone;

import io.virtualip.agent.config.ConfigException;
import io.virtualip.agent.config.VipDefinition;
import io.virtualip.agent.dataplane.ControlServer;
import io.virtualip.agent.dataplane.EventLoop;
import io.virtualip.agent.dataplane.InterfaceAddress;
import io.virtualip.agent.dataplane.Link;
import io.virtualip.agent.dataplane.LinkMonitor;
import io.virtualip.agent.dataplane.NativeException;
import io.virtualip.agent.dataplane.Rtnetlink;
import io.virtualip.agent.dataplane.VrrpSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The standalone agent: every configured virtual IP as an {@link InstanceRunner} on one {@link EventLoop}, with
 * rtnetlink for addresses, a {@link LinkMonitor} for interface changes and a {@link ControlServer} for status.
 *
 * <p>Lifecycle: {@link #start} removes addresses a crashed predecessor left (only those marked as the agent's),
 * checks that every virtual IP has its interface, then starts the instances; {@link #stop} is the SIGTERM path
 * (priority 0 from every master, addresses removed). All sockets are opened in the network namespace of the thread
 * that calls {@link #start}, which is also the namespace the loop thread inherits.
 */
public final class Agent {

    private static final long STOP_BUDGET_MILLIS = 700;

    private final String node;
    private final List<VipDefinition> definitions;
    private final Path controlSocket;
    private final AgentLog log;
    private final Map<String, VrrpSocketGroup> sockets = new HashMap<>();
    private final List<InstanceRunner> runners = new ArrayList<>();
    private EventLoop loop;
    private Rtnetlink netlink;
    private LinkMonitor monitor;
    private ControlServer control;

    /** @param controlSocket path of the status socket, or null for none */
    public Agent(String node, List<VipDefinition> definitions, Path controlSocket, AgentLog log) {
        this.node = node;
        this.definitions = List.copyOf(definitions);
        this.controlSocket = controlSocket;
        this.log = log;
    }

    /**
     * @throws ConfigException when a virtual IP's interface does not exist (exit code 2 territory: the
     *                         configuration does not fit this node)
     */
    public void start() throws ConfigException, IOException {
        loop = new EventLoop();
        netlink = new Rtnetlink();
        for (InterfaceAddress stale : netlink.removeOwnedAddresses()) {
            log.info("removed " + stale.address().getHostAddress() + "/" + stale.prefixLength()
                    + " left behind by a previous run");
        }
        List<Link> links = netlink.links();
        List<InterfaceAddress> addresses = netlink.addresses();
        for (VipDefinition d : definitions) {
            if (InterfaceResolver.resolve(d, links, addresses).isEmpty()) {
                close();
                throw new ConfigException(d.interfaceName() != null
                        ? d.origin() + ": spec.interface: no interface named " + d.interfaceName() + " on this node"
                        : d.origin() + ": spec.interface: not set, and no interface has a subnet containing "
                                + d.addresses().get(0).address().getHostAddress());
            }
        }
        monitor = new LinkMonitor(new LinkEvents());
        loop.register(monitor.fd(), monitor::drain);
        for (VipDefinition d : definitions) {
            InstanceRunner runner = new InstanceRunner(d, this);
            runners.add(runner);
            runner.tryAttach(links, addresses);
        }
        if (controlSocket != null) {
            control = new ControlServer(controlSocket, this::status);
        }
        loop.start("vrrp-loop");
    }

    /** The status JSON (see {@link StatusJson}), read on the loop thread. */
    public String status() {
        try {
            return loop.submit(() -> {
                List<InstanceReport> reports = new ArrayList<>();
                for (InstanceRunner r : runners) {
                    reports.add(r.report());
                }
                return StatusJson.render(node, reports);
            }).get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("event loop did not answer: " + e);
        }
    }

    /** The loop thread, e.g. to measure its allocations. */
    public Thread loopThread() {
        return loop.thread();
    }

    /** SIGTERM: masters send priority 0 and remove their addresses; then everything is closed. Idempotent. */
    public synchronized void stop() {
        if (loop == null) {
            return;
        }
        try {
            loop.submit(() -> {
                for (InstanceRunner r : runners) {
                    r.shutdown();
                }
                return null;
            }).get(STOP_BUDGET_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.info("shutdown incomplete: " + e);
        }
        close();
    }

    private void close() {
        if (control != null) {
            control.close();
        }
        loop.close();
        for (VrrpSocketGroup group : sockets.values()) {
            group.close();
        }
        sockets.clear();
        if (monitor != null) {
            monitor.close();
        }
        netlink.close();
        loop = null;
    }

    // ---------------------------------------------------------------- for the runners (loop thread)

    EventLoop loop() {
        return loop;
    }

    Rtnetlink netlink() {
        return netlink;
    }

    AgentLog log() {
        return log;
    }

    /** The shared socket for this interface, family and source address, opened on first use. */
    VrrpSocketGroup joinSocket(InstanceRunner runner, String interfaceName, boolean ipv6, InetAddress source)
            throws NativeException {
        String key = interfaceName + "/" + source.getHostAddress();
        VrrpSocketGroup group = sockets.get(key);
        if (group == null) {
            group = new VrrpSocketGroup(VrrpSocket.open(interfaceName, ipv6, source));
            sockets.put(key, group);
            loop.register(group.socket().fd(), group::onReadable);
        }
        group.add(runner);
        return group;
    }

    void leaveSocket(InstanceRunner runner, VrrpSocketGroup group) {
        if (group.remove(runner)) {
            loop.unregister(group.socket().fd());
            sockets.values().remove(group);
            group.close();
        }
    }

    /** Kernel link/address events, on the loop thread. */
    private final class LinkEvents implements LinkMonitor.Listener {

        @Override
        public void linkChanged(Link link, boolean removed) {
            for (InstanceRunner r : runners) {
                r.linkChanged(link, removed);
            }
            attachDetached();
        }

        @Override
        public void addressChanged(InterfaceAddress address, boolean removed) {
            attachDetached();
        }

        @Override
        public void eventsLost() {
            log.info("netlink events were lost; re-reading links");
            try {
                for (Link link : netlink.links()) {
                    for (InstanceRunner r : runners) {
                        r.linkChanged(link, false);
                    }
                }
            } catch (NativeException e) {
                log.info("cannot re-read links: " + e.getMessage());
            }
            attachDetached();
        }

        /** An interface (or its address) may have come back: retry every instance that is not running. */
        private void attachDetached() {
            boolean anyDetached = false;
            for (InstanceRunner r : runners) {
                anyDetached |= !r.attached();
            }
            if (!anyDetached) {
                return;
            }
            try {
                List<Link> links = netlink.links();
                List<InterfaceAddress> addresses = netlink.addresses();
                for (InstanceRunner r : runners) {
                    r.tryAttach(links, addresses);
                }
            } catch (NativeException e) {
                log.info("cannot read interfaces: " + e.getMessage());
            }
        }
    }
}
