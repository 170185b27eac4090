{{/* The release's name for every object: <release>-fyhub, or the release's own when it says fyhub. */}}
{{- define "fyhub.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "fyhub.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fyhub.labels" -}}
{{ include "fyhub.selectorLabels" . }}
app.kubernetes.io/part-of: fyhub
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* `fyhub run SERVICE` listens on observability.port plus the service's offset
     (hub/observability/http.py SERVICE_PORT_OFFSETS). */}}
{{- define "fyhub.metricsPort" -}}
{{- $offsets := dict "router" 1 "auditor" 2 "tracker" 3 -}}
{{- add (int .root.Values.settings.observability.port) (index $offsets .service) -}}
{{- end -}}

{{/* The Secret holding a service's SCRAM password (key `password`). */}}
{{- define "fyhub.kafkaSecret" -}}
{{- if hasKey .root.Values.kafka.passwords .service -}}
{{- printf "%s-kafka-%s" (include "fyhub.fullname" .root) .service -}}
{{- else -}}
{{- index .root.Values.kafka.userSecrets .service -}}
{{- end -}}
{{- end -}}

{{- define "fyhub.dbSecret" -}}
{{- .Values.postgresql.existingSecret | default (printf "%s-db" (include "fyhub.fullname" .)) -}}
{{- end -}}

{{- define "fyhub.tokenSecret" -}}
{{- .Values.secrets.existingTokenSecret | default (printf "%s-token" (include "fyhub.fullname" .)) -}}
{{- end -}}

{{- define "fyhub.signingKeySecret" -}}
{{- .Values.secrets.existingSigningKeySecret | default (printf "%s-signing-key" (include "fyhub.fullname" .)) -}}
{{- end -}}

{{/* Settings as FYHUB_<GROUP>__<NAME>; maps and lists as JSON (pydantic-settings parses them). */}}
{{- define "fyhub.settingsEnv" -}}
{{- range $group, $names := .Values.settings }}
{{- if kindIs "map" $names }}
{{- range $name, $value := $names }}
- name: {{ printf "FYHUB_%s__%s" $group $name | upper }}
  value: {{ if or (kindIs "map" $value) (kindIs "slice" $value) }}{{ toJson $value | quote }}{{ else }}{{ $value | toString | quote }}{{ end }}
{{- end }}
{{- else }}
- name: {{ printf "FYHUB_%s" $group | upper }}
  value: {{ $names | toString | quote }}
{{- end }}
{{- end }}
{{- end -}}
