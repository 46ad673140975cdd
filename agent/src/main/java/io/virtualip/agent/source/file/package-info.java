/**
 * VirtualIPs from a YAML file ({@code virtualip-agent run --config}): {@link
 * io.virtualip.agent.source.file.ConfigLoader} reads the documents and the secrets directory and
 * checks what only a file can get wrong (two documents, one VRID on one interface); everything else
 * is the spec compiler's ({@code io.virtualip.agent.spec}), the same as in a cluster. A bad file is
 * one line naming the document, field and problem.
 */
package io.virtualip.agent.source.file;
