#!/usr/bin/env bash
# The web UI on Debian 12's own Node 18, when the machine's `node` is another one (Node 20
# from nodesource here, which conflicts with Debian's nodejs package): fetches Debian's
# nodejs and libnode108 (and the builtins Debian keeps outside the binary: acorn,
# cjs-module-lexer, undici) with `apt-get download` into WORK, unpacks them there, and, in a
# private mount namespace where WORK's /usr/share/nodejs is laid over the real /usr/share,
# installs the UI's packages with `npm ci` from package-lock.json into a copy of web/, then
# runs what `make` runs on the UI: the OpenAPI types, the type check, the vite build, the
# Vitest tests and ESLint; and, when REDCELL_BIN names a redcell binary, the browser suite
# (web/e2e, playwright-core driving Chromium). Nothing is installed on the machine.
# Usage: [REDCELL_BIN=build-asan/redcell] scripts/node18_check.sh WORK
#        (root, or sudo, for the mount namespace)
set -euo pipefail
work="$(mkdir -p "$1" && cd "$1" && pwd)"
here="$(cd "$(dirname "$0")/.." && pwd)"

if [ "${REDCELL_NODE18_INSIDE:-}" != 1 ]; then
  if node --version | grep -q '^v18\.'; then
    echo "node18_check: node is $(node --version): the whole of make test already runs on it"
    exit 0
  fi
  version="$(apt-cache policy libnode108 | awk '/Candidate:/ {print $2}')"
  case "$version" in 18.*) ;; *)
    echo "node18_check: apt offers no libnode108 18.x (candidate: '$version'); is this Debian 12?" >&2
    exit 1 ;;
  esac
  root="$work/root"
  if [ ! -x "$root/usr/bin/node" ] || [ "$(cat "$work/version" 2>/dev/null)" != "$version" ]; then
    rm -rf "$work/debs" "$root" && mkdir -p "$work/debs"
    (cd "$work/debs" && apt-get download -q "nodejs=$version" "libnode108=$version" \
      node-acorn node-cjs-module-lexer node-undici >/dev/null 2>&1) || {
      echo "node18_check: apt-get download of Debian's Node $version failed" >&2
      exit 1
    }
    for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$root"; done
    echo "$version" >"$work/version"
  fi
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  # /usr/share/nodejs exists only in the namespace: an overlay of WORK's over the real one.
  exec $sudo_cmd env REDCELL_NODE18_INSIDE=1 PATH="$PATH" REDCELL_BIN="${REDCELL_BIN:-}" unshare -m bash -c '
    mount -t overlay overlay -o "lowerdir=$1/root/usr/share:/usr/share" /usr/share
    exec "$2" "$3"' _ "$work" "$here/scripts/node18_check.sh" "$work"
fi

# Inside the namespace.
root="$work/root"
mkdir -p "$work/bin"
cat >"$work/bin/node" <<EOF
#!/bin/sh
LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu" exec "$root/usr/bin/node" "\$@"
EOF
chmod +x "$work/bin/node"
export PATH="$work/bin:$PATH"
echo "node18_check: node $(node --version) from Debian's libnode108"
npm_cli="$(readlink -f "$(command -v npm)")"
web="$work/web"
rm -rf "$web" && mkdir -p "$web"
(cd "$here/web" && tar --exclude=node_modules --exclude=src/api/schema.d.ts -cf - .) | (cd "$web" && tar xf -)
cd "$web"
node "$npm_cli" ci --no-audit --no-fund --loglevel=error
node node_modules/.bin/openapi-typescript src/api/openapi.json -o src/api/schema.d.ts --silent
node node_modules/.bin/tsc --noEmit
node node_modules/.bin/vite build --logLevel warn --outDir "$work/dist" --emptyOutDir
node node_modules/.bin/vitest run --reporter=dot
node node_modules/.bin/eslint --max-warnings 0 src e2e vite.config.ts eslint.config.js
echo "node18_check: npm ci, types, type check, build, unit tests and lint pass on $(node --version)"
# The browser suite too, driven from Node 18, when the server to test is given.
if [ -n "${REDCELL_BIN:-}" ]; then
  REDCELL_SCREENSHOTS="$work/e2e-screenshots" node e2e/run.mjs
  echo "node18_check: the browser suite passes, driven from $(node --version)"
fi
