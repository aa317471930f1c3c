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

{{/*
The default model: models.default, or config.model (its old name) when that is set. The two set to different
models is an error, as is a models.served list without the default. "shakespeare-char" is models.default's
default in values.yaml (which templates cannot read).
*/}}
{{- define "folio.defaultModel" -}}
{{- $model := dig "default" "shakespeare-char" (.Values.models | default dict) | default "shakespeare-char" }}
{{- $served := include "folio.servedModels" . | splitList "," | compact }}
{{- with .Values.config.model }}
{{- if and (ne $model "shakespeare-char") (ne $model .) }}
{{- fail (printf "config.model (%s) is the old name of models.default (%s): set only models.default" . $model) }}
{{- end }}
{{- $model = . }}
{{- end }}
{{- if and $served (not (has $model $served)) }}
{{- fail (printf "models.served [%s] does not include the default model %s (models.default)" (join ", " $served) $model) }}
{{- end }}
{{- $model }}
{{- end }}

{{/* The served models, comma-separated (FOLIO_STORE_MODELS); empty: every model in the store. Values of releases
before models existed (helm upgrade --reuse-values) have none. */}}
{{- define "folio.servedModels" -}}
{{- dig "served" (list) (.Values.models | default dict) | join "," }}
{{- end }}

{{/*
A CronJob's name, <fullname>-<suffix>: a DNS subdomain of at most 52 characters (Kubernetes' limit for
CronJobs, whose Jobs add a suffix). Longer, it is cut to 43 and ends with 8 hex digits of the full name's hash.
*/}}
{{- define "folio.cronJobName" -}}
{{- $name := regexReplaceAll "-+$" (printf "%s-%s" (include "folio.fullname" .root) .suffix) "" }}
{{- if gt (len $name) 52 }}
{{- $name = printf "%s-%s" (regexReplaceAll "-+$" (trunc 43 $name) "") (sha256sum $name | trunc 8) }}
{{- end }}
{{- $name }}
{{- end }}

{{/*
Labels of the training pods: not the serving selector (name + instance), so that the Service, the
PodDisruptionBudget and the HorizontalPodAutoscaler's CPU average leave training pods out.
*/}}
{{- define "folio.trainingPodLabels" -}}
app.kubernetes.io/part-of: {{ include "folio.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: training
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

{{/* Environment shared by the serving pods and the training job: the store, DJL offline, the keys by reference
     (each adds its own JAVA_TOOL_OPTIONS). */}}
{{- define "folio.env" -}}
- name: FOLIO_STORE_PATH
  value: {{ include "folio.storePath" . | quote }}
- name: OPT_OUT_TRACKING
  value: "true"
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
