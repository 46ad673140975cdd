{{/* Base of object names: the release name when it already says "virtualip", else "<release>-virtualip". */}}
{{- define "virtualip.fullname" -}}
{{- $name := default "virtualip" .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 48 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 48 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "virtualip.operator.name" -}}
{{- printf "%s-operator" (include "virtualip.fullname" .) -}}
{{- end -}}

{{- define "virtualip.agent.name" -}}
{{- printf "%s-agent" (include "virtualip.fullname" .) -}}
{{- end -}}

{{/* The operator's leader-election Lease; the name is fixed in the operator (see operator/CONTRACT.md). */}}
{{- define "virtualip.operator.leaderLease" -}}
virtualip-operator-leader
{{- end -}}

{{/*
Where the operator and the agents write Events about VirtualIPs. VirtualIPs are cluster-scoped, and like client-go's
recorder both put Events about objects without a namespace in "default" (kubectl describe finds them there).
*/}}
{{- define "virtualip.eventsNamespace" -}}
default
{{- end -}}

{{- define "virtualip.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: virtualip
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "virtualip.operator.selectorLabels" -}}
app.kubernetes.io/name: virtualip-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "virtualip.operator.labels" -}}
{{ include "virtualip.labels" . }}
{{ include "virtualip.operator.selectorLabels" . }}
app.kubernetes.io/component: operator
{{- end -}}

{{/* Matches the labels the operator puts on the agent DaemonSet it creates. */}}
{{- define "virtualip.agent.labels" -}}
{{ include "virtualip.labels" . }}
app.kubernetes.io/name: virtualip-agent
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: agent
{{- end -}}

{{- define "virtualip.image" -}}
{{- printf "%s:%s" .image.repository (default .chart.AppVersion .image.tag) -}}
{{- end -}}

{{/*
vrid.reserved as the operator reads it (VIRTUALIP_VRID_RESERVED): "1-10,51". The schema checks each item;
this also rejects ranges that run backwards, which a JSON schema cannot express.
*/}}
{{- define "virtualip.vrid.reserved" -}}
{{- $items := list -}}
{{- range .Values.vrid.reserved -}}
{{- $item := toString . -}}
{{- if contains "-" $item -}}
{{- $bounds := splitList "-" $item -}}
{{- if gt (atoi (first $bounds)) (atoi (last $bounds)) -}}
{{- fail (printf "vrid.reserved: range %q runs backwards; write FIRST-LAST with FIRST <= LAST" $item) -}}
{{- end -}}
{{- end -}}
{{- $items = append $items $item -}}
{{- end -}}
{{- join "," $items -}}
{{- end -}}
