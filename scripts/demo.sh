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

phantom_dll="$ROOT/src/Phantom/bin/Release/net10.0/LiverFlow.Phantom.dll"
rm -rf "$DEMO_DIR" && mkdir -p "$DEMO_DIR"
say "generating a synthetic multiphasic liver MRI study (seed $DEMO_SEED)"
dotnet "$phantom_dll" phantom --studies 1 --seed "$DEMO_SEED" --out "$DEMO_DIR/studies"
study_dir="$(find "$DEMO_DIR/studies" -mindepth 1 -maxdepth 1 -type d | head -1)"
say "study written to $study_dir ($(find "$study_dir" -name '*.dcm' | wc -l) DICOM files)"

if ! echoscu -q -aec "$AE_TITLE" 127.0.0.1 "$DICOM_PORT" 2>/dev/null; then
  warn "Ingest's DICOM listener ($AE_TITLE on port $DICOM_PORT) is not built yet (issue 5):"
  warn "the study cannot enter the pipeline, so no stage after it runs and no draft report is made."
  warn "Built and running: the Workflow saga host and the stage worker hosts (health: ./liverflow start output)."
  warn "Not built yet: Ingest reception (issue 5), Inference (issue 6), Interpretation, Reporting."
  exit 0
fi

say "sending it to $AE_TITLE@127.0.0.1:$DICOM_PORT with dcmtk storescu"
storescu -q -aec "$AE_TITLE" +sd +r -R +sp '*.dcm' 127.0.0.1 "$DICOM_PORT" "$study_dir"
say "sent; follow it in the saga: psql -h 127.0.0.1 -U liverflow liverflow -c 'SELECT * FROM workflow.study_states'"
