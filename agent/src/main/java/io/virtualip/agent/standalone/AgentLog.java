package io.virtualip.agent.standalone;

import java.io.PrintStream;
import java.time.Instant;

/**
 * The agent's log: one line per event, timestamped, to standard output, e.g.
 * {@code 2026-11-26T10:00:01.234Z VI_1 BACKUP -> MASTER: master down interval expired (...)}.
 * Lines are only written on rare events (transitions, faults, errors), never per packet.
 */
public final class AgentLog {

    private final PrintStream out;

    public AgentLog(PrintStream out) {
        this.out = out;
    }

    public void info(String message) {
        synchronized (out) {
            out.println(Instant.now() + " " + message);
            out.flush();
        }
    }
}
