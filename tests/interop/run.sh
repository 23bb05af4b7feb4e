#!/usr/bin/env bash
# Run the interop suite. usage: tests/interop/run.sh [caucus|reference|both]   (default: caucus)
#   caucus     needs target/debug/caucus (or CAUCUS_BIN); build it first (cargo build -p caucus).
#   reference  copies shared/reference/node-relay to a temp dir and npm-installs it there
#              (SHARED_DIR defaults to <repo>/../shared), unless REFERENCE_RELAY_DIR is set.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
which="${1:-caucus}"
cd "$here"
[ -d node_modules/@automerge/automerge-repo ] || npm ci --no-audit --no-fund

setup_reference() {
  if [ -z "${REFERENCE_RELAY_DIR:-}" ]; then
    local shared="${SHARED_DIR:-$repo/../shared}"
    REFERENCE_RELAY_DIR="$(mktemp -d)"
    cp -r "$shared/reference/node-relay/." "$REFERENCE_RELAY_DIR"
    chmod -R u+w "$REFERENCE_RELAY_DIR"
    (cd "$REFERENCE_RELAY_DIR" && npm install --no-audit --no-fund --loglevel=error)
  fi
  export REFERENCE_RELAY_DIR
}

status=0
case "$which" in
  caucus) RELAY=caucus npm test || status=$? ;;
  reference) setup_reference; RELAY=reference npm test || status=$? ;;
  both)
    RELAY=caucus npm test || status=$?
    setup_reference; RELAY=reference npm test || status=$? ;;
  *) echo "usage: $0 [caucus|reference|both]" >&2; exit 2 ;;
esac
exit $status
