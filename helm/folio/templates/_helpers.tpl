{{/* Names, labels and shared pieces. */}}

{{- define "folio.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "folio.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "folio.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "folio.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "folio.selectorLabels" -}}
app.kubernetes.io/name: {{ include "folio.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "folio.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "folio.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "folio.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "folio.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-keys" (include "folio.fullname" .)) }}
{{- end }}

{{- define "folio.hasSecret" -}}
{{- if or .Values.secrets.existingSecret .Values.secrets.apiKey .Values.secrets.adminKey }}true{{ end }}
{{- end }}

{{- define "folio.claimName" -}}
{{- .Values.modelStore.persistence.existingClaim | default (printf "%s-model-store" (include "folio.fullname" .)) }}
{{- end }}

{{- define "folio.storePath" -}}
{{- printf "%s/model-store" .Values.modelStore.mountPath }}
{{- end }}

{{/* Environment shared by the serving pods and the training job: the store, DJL offline, the keys by reference. */}}
{{- define "folio.env" -}}
- name: FOLIO_STORE_PATH
  value: {{ include "folio.storePath" . | quote }}
- name: OPT_OUT_TRACKING
  value: "true"
- name: JAVA_TOOL_OPTIONS
  value: {{ .Values.config.javaToolOptions | quote }}
- name: MALLOC_ARENA_MAX
  value: "2"
{{- if include "folio.hasSecret" . }}
- name: FOLIO_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "folio.secretName" . }}
      key: api-key
      optional: true
- name: FOLIO_ADMIN_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "folio.secretName" . }}
      key: admin-key
      optional: true
{{- end }}
{{- end }}

{{- define "folio.storeVolume" -}}
- name: model-store
{{- if .Values.modelStore.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ include "folio.claimName" . }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end }}
