#!/bin/bash
# Container health check: GET /readyz from the Bimtek in this container,
# healthy when it answers 200 (the process runs and its database answers). Bash's /dev/tcp instead of curl: the slim
# image has neither curl nor wget, and curl would bring a dozen libraries
# (OpenSSL, Kerberos, LDAP, ...) to keep patched for one local request.
#
# /readyz rather than /healthz: an instance whose database is away serves
# nothing useful, and "unhealthy" says so to whoever looks. Docker and
# Podman only mark the container; they restart it on exit, not on this
# (`restart: unless-stopped` in compose.yaml).
set -eu

bind="${BIMTEK_BIND:-127.0.0.1:8080}"
port="${bind##*:}"
host="${bind%:*}"
host="${host#[}"
host="${host%]}"
# Listening on every address: ask on loopback.
case "$host" in
    "" | 0.0.0.0 | ::) host=127.0.0.1 ;;
esac

exec 3<>"/dev/tcp/$host/$port"
printf 'GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
# First line: HTTP/1.x 200 OK
read -r -t 4 _version status _reason <&3
[ "$status" = 200 ]
