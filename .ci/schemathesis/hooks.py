"""Schemathesis hooks for the Bimtek runs: who the caller is.

BIMTEK_ST_ROLE is `admin`, `trainee`, `assessor` or `anonymous`; BIMTEK_ST_TOKENS is the
tokens.json written by seed.py. Every operation is called with the role's
bearer token, except `POST /auth/logout`, which ends the session it is
called with: it gets a spare session of the same role each time, so the
run's own token stays valid for every other operation.
"""

import json
import os

import schemathesis

ROLE = os.environ["BIMTEK_ST_ROLE"]

if ROLE != "anonymous":
    with open(os.environ["BIMTEK_ST_TOKENS"], encoding="utf-8") as f:
        TOKENS = json.load(f)

    @schemathesis.auth(refresh_interval=None)
    class SeededBearer:
        def get(self, case, ctx):
            if case.operation.path.endswith("/auth/logout"):
                pool = TOKENS["pool"][ROLE]
                # Once the spares run out, a token that was never valid: a
                # 401, never the run's own session.
                return pool.pop() if pool else "spent"
            return TOKENS[ROLE]

        def set(self, case, data, ctx):
            case.headers = dict(case.headers or {})
            case.headers["Authorization"] = f"Bearer {data}"
