/**
 * The standalone agent's configuration: {@code VirtualIP} YAML documents, checked as strictly as the CRD, resolved for
 * this node into {@link io.virtualip.agent.config.VipDefinition}s, with one-line errors naming document, field and
 * problem.
 */
package io.virtualip.agent.config;
