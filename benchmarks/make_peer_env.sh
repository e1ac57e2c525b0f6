#!/usr/bin/env bash
# Build the interpreter that runs peer libraries (gaitmap, vqf, imufusion) for the benchmarks.
# They live in their own venv because gaitmap pins numpy < 2.1 and pandas < 3: installed beside
# gaitkit they would change the very versions gaitkit is measured with.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv-peers
.venv-peers/bin/python -m pip install --quiet --upgrade pip
.venv-peers/bin/python -m pip install --quiet "gaitmap==2.6.0" "vqf==2.1.2" "imufusion==1.3.3"
echo "peer interpreter ready: $(pwd)/.venv-peers/bin/python"
