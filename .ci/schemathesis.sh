#!/usr/bin/env bash
# Schemathesis over the whole API: starts the debug `bimtek` binary on a
# throwaway database (a temporary SQLite file, or DATABASE_URL when set),
# seeds it through the API so that every path parameter has a real id
# (.ci/schemathesis/seed.py), then runs `st run --checks all` over
# /api/openapi.json four times: as admin, trainee, assessor and anonymously.
# Exits non-zero on any failure.
#
# Needs: `st` (schemathesis, the version pinned in .ci/run) and the venv's
# python on PATH, and the debug binary built ($CARGO_TARGET_DIR/debug/bimtek).
# ST_MAX_EXAMPLES bounds the examples per operation (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET="${CARGO_TARGET_DIR:-target}"
BIN="$TARGET/debug/bimtek"
[ -x "$BIN" ] || { echo "$BIN not found: run cargo build first" >&2; exit 1; }
MAX_EXAMPLES="${ST_MAX_EXAMPLES:-10}"

WORK="$(mktemp -d /tmp/bimtek-st.XXXXXX)"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
ADMIN_PASSWORD="st-admin-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap stop_server EXIT

BACKEND=SQLite; [ -n "${DATABASE_URL:-}" ] && BACKEND=PostgreSQL
echo "== schemathesis: starting bimtek on $BASE ($BACKEND)"
BIMTEK_BIND="127.0.0.1:$PORT" \
BIMTEK_BASE_URL="$BASE" \
BIMTEK_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
BIMTEK_QUESTION_BANKS="" \
BIMTEK_BUILT_IN_BANKS=false \
DATABASE_URL="${DATABASE_URL:-sqlite://$WORK/bimtek.db?mode=rwc}" \
RUST_LOG="${RUST_LOG:-warn}" \
    "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
    python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$BASE/healthz" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.5
done

echo "== schemathesis: seeding"
python3 .ci/schemathesis/seed.py "$BASE" "$ADMIN_PASSWORD" "$WORK"

status=0
for role in admin trainee assessor anonymous; do
    echo "== schemathesis: as $role"
    if ! BIMTEK_ST_ROLE="$role" BIMTEK_ST_TOKENS="$WORK/tokens.json" \
        SCHEMATHESIS_HOOKS=hooks PYTHONPATH=.ci/schemathesis \
        st --config-file "$WORK/schemathesis.toml" run "$BASE/api/openapi.json" \
            --checks all \
            --max-examples "$MAX_EXAMPLES" \
            --seed 1 \
            --workers 1 \
            --no-color \
            --generation-database none \
            --report junit --report-dir "$WORK/report-$role"; then
        status=1
    fi
done
if [ "$status" -ne 0 ]; then
    echo "== schemathesis: FAILED (server log tail follows)" >&2
    tail -n 50 "$WORK/server.log" >&2
fi
exit "$status"
