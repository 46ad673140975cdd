/**
 * {@code virtualip-agent}: the picocli entry point ({@code run}, {@code kubernetes}, {@code
 * status}).
 */
package io.virtualip.agent.cli;
