package io.virtualip.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A keepalived (VRRP subsystem only) running in a lab node, with its own configuration and pid files under the lab's
 * work directory, so it never touches a system keepalived. Its state is read from the outside, as an operator would:
 * whether the node holds the VIPs, and the last state transition keepalived logged.
 */
public final class KeepalivedProcess implements AutoCloseable {

    /** The states keepalived logs as {@code (VI_x) Entering <STATE> STATE}. */
    public enum State { UNKNOWN, BACKUP, MASTER, FAULT }

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Lab lab;
    private final Node node;
    private final KeepalivedConfig config;
    private final BackgroundProcess process;

    private KeepalivedProcess(Lab lab, Node node, KeepalivedConfig config, BackgroundProcess process) {
        this.lab = lab;
        this.node = node;
        this.config = config;
        this.process = process;
    }

    /** Writes the configuration and starts {@code keepalived --vrrp} in the foreground inside {@code node}. */
    public static KeepalivedProcess start(Lab lab, Node node, KeepalivedConfig config) {
        String name = "keepalived-" + node.name();
        Path conf = lab.workDir().resolve(name + ".conf").toAbsolutePath();
        Lab.write(conf, config.render());
        Path pid = lab.workDir().resolve(name + ".pid").toAbsolutePath();
        Path vrrpPid = lab.workDir().resolve(name + "-vrrp.pid").toAbsolutePath();
        // -n foreground, -l log to the console (captured in the log file), -D detail, -G no syslog.
        BackgroundProcess process = lab.start(node, name, "keepalived", "-n", "-l", "-D", "-G", "--vrrp",
                "-f", conf.toString(), "-p", pid.toString(), "-r", vrrpPid.toString());
        return new KeepalivedProcess(lab, node, config, process);
    }

    public Node node() {
        return node;
    }

    public KeepalivedConfig config() {
        return config;
    }

    /** keepalived's console log. */
    public Path log() {
        return process.log();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Whether every configured VIP is on the node's interface right now. */
    public boolean holdsVips() {
        String addresses = lab.exec(node, "ip", "-o", "addr", "show", "dev", config.iface()).orThrow().stdout();
        return config.vips().stream()
                .map(vip -> Addresses.text(Addresses.parse(vip.substring(0, vip.indexOf('/')))))
                .allMatch(address -> addresses.contains(" " + address + "/"));
    }

    /** The last state keepalived logged for the instance, {@link State#UNKNOWN} before the first transition. */
    public State loggedState() {
        Pattern entering = Pattern.compile("\\(" + Pattern.quote(config.instanceName()) + "\\) Entering (BACKUP|MASTER|FAULT) STATE");
        Matcher m = entering.matcher(process.output());
        State last = State.UNKNOWN;
        while (m.find()) {
            last = State.valueOf(m.group(1));
        }
        return last;
    }

    public void awaitState(State state, Duration timeout) {
        Await.until(node.name() + " keepalived in " + state + " (log: " + log() + ")", timeout, () -> loggedState() == state);
    }

    /** SIGTERM: a master sends its priority-0 advertisement and removes the VIPs before exiting. */
    public void stop() {
        process.terminate(STOP_TIMEOUT);
    }

    /**
     * SIGKILL for keepalived and its VRRP child, as a crash would: no priority-0 advertisement, and the VIPs stay on
     * the interface (the kernel does not know keepalived put them there).
     */
    public void kill() {
        process.kill();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }
}
