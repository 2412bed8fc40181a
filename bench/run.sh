#!/usr/bin/env bash
# Runs every benchmark against a release build and prints Markdown for bench/RESULTS.md.
# Usage: bench/run.sh BUILD_DIR
set -euo pipefail
build="${1:-build-bench}"
here="$(cd "$(dirname "$0")" && pwd)"
python3 "$here/http_healthz.py" "$build"
python3 "$here/store_ingest.py" "$build"
# The same ingest with the stores in memory: what is left when the disk is taken away.
if [ -d /dev/shm ]; then python3 "$here/store_ingest.py" "$build" --dir /dev/shm; fi
python3 "$here/engine_e2e.py" "$build"
python3 "$here/api_get.py" "$build"
python3 "$here/llm_pieces.py" "$build"
python3 "$here/pieces.py" "$build" --runs 5 --min-ms 100
python3 "$here/pieces_e2e.py" "$build" --runs 5 --prompts 20000
python3 "$here/tap_e2e.py" "$build" --runs 3
python3 "$here/import_memory.py" "$build"
node "$here/ui_results.mjs" "$build"
