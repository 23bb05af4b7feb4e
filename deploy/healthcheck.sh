#!/usr/bin/env bash
# Exit 0 when caucus answers GET /healthz with 200 (storage accepts a write transaction).
# The Docker image's HEALTHCHECK; needs nothing but bash (no curl in the image), and the deploy
# test runs it against a real relay. The port (and host) come from CAUCUS_LISTEN, as for caucus.
set -uo pipefail
listen="${1:-${CAUCUS_LISTEN:-127.0.0.1:8080}}"
port="${listen##*:}"
host="${listen%:*}"
host="${host#[}"
host="${host%]}"
case "$host" in 0.0.0.0 | "" | "::") host=127.0.0.1 ;; esac
exec 3<>"/dev/tcp/$host/$port" || exit 1
printf 'GET /healthz HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$listen" >&3
IFS= read -r -t 5 status <&3 || exit 1
exec 3<&-
case "$status" in
  "HTTP/1.1 200"*) exit 0 ;;
  *) echo "caucus /healthz: ${status%$'\r'}" >&2; exit 1 ;;
esac
