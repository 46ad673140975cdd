/**
 * The agent's local status API: {@link io.virtualip.agent.control.ControlServer} answers {@code
 * virtualip-agent status} on a Unix socket (one JSON object per agent), with a time limit on both
 * sides so that a client that never reads cannot block the next one.
 */
package io.virtualip.agent.control;
