/**
 * The agent's Prometheus endpoint: {@link io.virtualip.agent.metrics.AgentCollector} reads every
 * instance's counters from the event loop at scrape time (the data plane only increments primitive
 * counters, so an advert allocates nothing), {@link io.virtualip.agent.metrics.MetricsEndpoint}
 * serves them with the JVM and process metrics over HTTP. Names and labels are listed in the agent
 * README ("Metrics").
 */
package io.virtualip.agent.metrics;
