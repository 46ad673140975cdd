/**
 * Where VirtualIPs come from and where their status goes: {@code file} (standalone) and {@code
 * kubernetes} (the DaemonSet). Both compile specs with {@code io.virtualip.agent.spec} and run them
 * on {@code io.virtualip.agent.runtime}; nothing below imports from here.
 */
package io.virtualip.agent.source;
