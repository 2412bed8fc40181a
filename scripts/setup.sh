#!/usr/bin/env bash
# Installs what redcell needs on a Debian 12 machine, and nothing that is already there.
# Idempotent and quiet when nothing is missing. Usage: scripts/setup.sh [--test]
#   --test  also installs what `make test` needs (PostgreSQL server, Chromium, wrk, python checkers)
set -euo pipefail

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev sqlite3 libpq-dev libicu-dev
  libspdlog-dev libfmt-dev libcli11-dev libyaml-cpp-dev libre2-dev
  libcjose-dev libjansson-dev prometheus-cpp-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# Node may come from elsewhere (nodesource bundles npm and conflicts with Debian's npm).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
if [ "$want_test" = 1 ]; then
  packages+=(postgresql chromium wrk python3 python3-jwt python3-yaml python3-junitparser python3-jsonschema python3-pytest curl procps openssl clang-tidy-19)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The web UI's npm packages (TypeScript, Vite, Vitest, playwright-core), from package-lock.json.
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ -f "$here/web/package.json" ]; then
  if [ ! -d "$here/web/node_modules" ] || [ "$here/web/package-lock.json" -nt "$here/web/node_modules/.package-lock.json" ]; then
    echo "setup: installing the UI's npm packages"
    (cd "$here/web" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
