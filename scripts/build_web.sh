#!/usr/bin/env bash
# Builds the web UI into OUT_DIR: TypeScript types from the OpenAPI snapshot
# (web/src/api/openapi.json), the type check (a UI that uses a route or member the API does
# not have fails here), then vite's bundle. Usage: scripts/build_web.sh OUT_DIR
set -euo pipefail
out="$1"
cd "$(dirname "$0")/../web"
if [ ! -d node_modules ]; then
  echo "build_web: web/node_modules is missing: run scripts/setup.sh (make build does)" >&2
  exit 1
fi
node_modules/.bin/openapi-typescript src/api/openapi.json -o src/api/schema.d.ts --silent
node_modules/.bin/tsc --noEmit
node_modules/.bin/vite build --logLevel warn --outDir "$out" --emptyOutDir
