#!/usr/bin/env bash
# The second half of `./liverflow demo`: the services and workers are already up (see ./liverflow).
# Sends one synthetic study through whatever stages exist and says plainly where it stops.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${LIVERFLOW_STATE_DIR:-$ROOT/.liverflow}"
DEMO_DIR="$STATE_DIR/demo"
# Demo phantoms use their own seed range, apart from training, held-out test and unit-test seeds.
DEMO_SEED="${LIVERFLOW_DEMO_SEED:-900001}"
AE_TITLE="${LIVERFLOW_AE_TITLE:-LIVERFLOW}"
DICOM_PORT="${LIVERFLOW_DICOM_PORT:-11112}"
export TCP_NODELAY=1

say() { printf '\033[1;34m[demo]\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m[demo]\033[0m %s\n' "$*" >&2; }

PSQL=(psql -X -q -h "${LIVERFLOW_DB_HOST:-127.0.0.1}" -p "${LIVERFLOW_DB_PORT:-5432}" -U "${LIVERFLOW_DB_USER:-liverflow}" -d "${LIVERFLOW_DB_NAME:-liverflow}")
export PGPASSWORD="${LIVERFLOW_DB_PASSWORD:-liverflow}"
sql() { "${PSQL[@]}" -At -v ON_ERROR_STOP=1 -c "$1"; }
table() { "${PSQL[@]}" -P border=2 -P null='-' -c "$1"; }

phantom_dll="$ROOT/src/Phantom/bin/Release/net10.0/LiverFlow.Phantom.dll"
rm -rf "$DEMO_DIR" && mkdir -p "$DEMO_DIR"
say "generating a synthetic multiphasic liver MRI study (seed $DEMO_SEED; a phantom, not a patient)"
dotnet "$phantom_dll" phantom --studies 1 --seed "$DEMO_SEED" --out "$DEMO_DIR/studies"
study_dir="$(find "$DEMO_DIR/studies" -mindepth 1 -maxdepth 1 -type d | head -1)"
say "study written to $study_dir ($(find "$study_dir" -name '*.dcm' | wc -l) DICOM files; truth in ground-truth.json)"

if ! echoscu -aec "$AE_TITLE" 127.0.0.1 "$DICOM_PORT" >/dev/null 2>&1; then
  warn "Ingest's DICOM listener ($AE_TITLE on 127.0.0.1:$DICOM_PORT) does not answer C-ECHO: see .liverflow/logs/Ingest.log"
  exit 1
fi

say "sending it to $AE_TITLE@127.0.0.1:$DICOM_PORT with dcmtk storescu"
storescu -aec "$AE_TITLE" -R +sd +r +sp '*.dcm' 127.0.0.1 "$DICOM_PORT" "$study_dir"

uid="$(dcmdump -q +P StudyInstanceUID "$(find "$study_dir" -name '*.dcm' | head -1)" | sed -E 's/.*\[([^]]*)\].*/\1/')"
uid_sql="${uid//\'/\'\'}"
say "waiting for Ingest to decide the study is complete (quiet period ${Ingest__QuietPeriod:-30 s}) and assemble it"
state=""
for _ in $(seq 1 240); do
  state="$(sql "SELECT state FROM ingest.studies WHERE study_instance_uid = '$uid_sql' ORDER BY version DESC LIMIT 1" 2>/dev/null || true)"
  case "$state" in Ingested|NeedsAttention) break ;; esac
  sleep 1
done
correlation="$(sql "SELECT correlation_id FROM ingest.studies WHERE study_instance_uid = '$uid_sql' ORDER BY version DESC LIMIT 1")"
say "Ingest: study $correlation is $state"

table "SELECT p.series_number AS series, p.temporal_position_identifier AS tpi, p.series_description AS description,
              coalesce(p.phase, 'not a phase') AS phase, round(p.confidence::numeric, 2) AS confidence, p.selected, p.reason
       FROM ingest.phase_decisions p JOIN ingest.studies s ON s.id = p.study_id AND s.version = p.version
       WHERE s.correlation_id = '$correlation' ORDER BY p.series_number, p.temporal_position_identifier"
table "SELECT l.lesion_number AS lesion, l.label, round(l.longest_diameter_mm::numeric, 1) AS longest_mm,
              round((l.volume_mm3 / 1000)::numeric, 2) AS volume_ml,
              round(l.centre_x::numeric, 1) AS x, round(l.centre_y::numeric, 1) AS y, round(l.centre_z::numeric, 1) AS z
       FROM ingest.lesions l JOIN ingest.studies s ON s.id = l.study_id AND s.version = l.version
       WHERE s.correlation_id = '$correlation' ORDER BY l.lesion_number"
say "the generator's truth for comparison:"
/usr/bin/python3 - "$study_dir/ground-truth.json" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))
for lesion in truth["lesions"]:
    print("  segment {0}: {1:<16} {2:5.1f} mm  centre {3}  features: {4}".format(
        lesion["segment_number"], lesion["class"], lesion["longest_diameter_mm"],
        tuple(round(v, 1) for v in lesion["centre_lps_mm"]), ", ".join(lesion["features"])))
PY

if [ "$state" = "Ingested" ]; then
  say "waiting for Inference to classify the lesions (DEMONSTRATION MODEL trained on synthetic phantoms, not for clinical use)"
  lesions="$(sql "SELECT count(*) FROM ingest.lesions l JOIN ingest.studies s ON s.id = l.study_id AND s.version = l.version WHERE s.correlation_id = '$correlation'")"
  for _ in $(seq 1 120); do
    done_count="$(sql "SELECT count(*) FROM inference.lesion_results WHERE correlation_id = '$correlation'" 2>/dev/null || echo 0)"
    [ "$done_count" -ge "$lesions" ] && break
    sleep 1
  done
  table "SELECT r.lesion_number AS lesion, l.segment_number AS segment, r.outcome, r.predicted_class, round(r.confidence::numeric, 3) AS confidence,
                r.model_id, r.execution_provider AS provider, round(r.inference_ms::numeric, 1) AS ms, r.reason
         FROM inference.lesion_results r
         LEFT JOIN ingest.studies s ON s.correlation_id = r.correlation_id
         LEFT JOIN ingest.lesions l ON l.study_id = s.id AND l.version = s.version AND l.lesion_number = r.lesion_number
         WHERE r.correlation_id = '$correlation' ORDER BY r.lesion_number"
  say "(compare the predicted class with the generator's truth above, segment by segment)"
fi

for _ in $(seq 1 30); do
  saga="$(sql "SELECT current_state FROM workflow.studies WHERE correlation_id = '$correlation'" 2>/dev/null || true)"
  [ -n "$saga" ] && [ "$saga" != "Receiving" ] && [ "$saga" != "Ingested" ] && break
  sleep 1
done
table "SELECT current_state, attempt, instance_count, phase_count, lesion_count, model_id, received_at, ingested_at, classified_at, reason
       FROM workflow.studies WHERE correlation_id = '$correlation'"

warn "The study stops here: Interpretation and Reporting are not built yet, so no lesion is explained"
warn "in radiological features and no draft report is made. Their worker hosts run and report healthy."
warn "Follow a study:  psql -h 127.0.0.1 -U liverflow liverflow -c \"SELECT * FROM workflow.studies\""
