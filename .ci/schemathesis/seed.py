#!/usr/bin/env python3
"""Seeds a fresh Bimtek server through its API so that every path parameter
of the OpenAPI document has a real id, then writes what the schemathesis runs
need into OUT_DIR:

- ``schemathesis.toml``: one ``[[operations]]`` entry per operation with path
  parameters, fixing each to a seeded id (operations that change or destroy
  their object get an object of their own, so the others keep theirs);
- ``tokens.json``: bearer tokens of the admin and the trainee, and a pool of
  spare sessions per role for ``POST /auth/logout`` (see hooks.py).

Usage: seed.py BASE_URL ADMIN_PASSWORD OUT_DIR
"""

import json
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

BASE, ADMIN_PASSWORD, OUT = sys.argv[1].rstrip("/"), sys.argv[2], Path(sys.argv[3])
API = BASE + "/api/v1"
# Spare sessions per role for the logout operation; one per logout call.
LOGOUT_POOL = 40

BANK = """// [id:q-mc] [tag:unit:jaringan]
::MC::Port bawaan HTTPS? {=443#Benar ~80#Itu HTTP ~21#Itu FTP}

// [id:q-ma] [tag:unit:jaringan]
::MA::Protokol terenkripsi? {~%50%SSH ~%50%HTTPS ~%-100%Telnet}

// [id:q-tf] [tag:unit:jaringan]
::TF::MFA menambah lapisan keamanan. {T}

// [id:q-sa] [tag:unit:jaringan]
::SA::Kepanjangan DNS? {=Domain Name System}

// [id:q-num] [tag:unit:jaringan]
::NUM::Jumlah host /26? {#62}

// [id:q-match] [tag:unit:jaringan]
::MATCH::Pasangkan port. {=DNS -> 53 =HTTP -> 80 =HTTPS -> 443}

"""
# The exam draws only from the exam pool (pool:ujian), which quizzes never
# draw: the same questions again under their own ids, and the task.
BANK += BANK.replace("[id:q-", "[id:u-").replace("[tag:unit:", "[tag:pool:ujian] [tag:unit:") + """
// [id:q-essay] [tag:pool:ujian] [tag:unit:jaringan]
::Esai::Jelaskan cara kerja DNS. {}
"""


class Caller:
    def __init__(self, token=None):
        self.http = requests.Session()
        self.token = token

    def call(self, method, path, expect=(200, 201, 204), **kwargs):
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        resp = self.http.request(method, API + path, headers=headers, timeout=60, **kwargs)
        if resp.status_code not in expect:
            sys.exit(f"seed: {method} {path} -> {resp.status_code}: {resp.text[:500]}")
        return resp.json() if resp.content and "json" in resp.headers.get("content-type", "") else None

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, json=body if body is not None else {}, **kw)

    def patch(self, path, body, **kw):
        return self.call("PATCH", path, json=body, **kw)

    def put(self, path, body, **kw):
        return self.call("PUT", path, json=body, **kw)


def login(username, password):
    body = Caller().post("/auth/login", {"login": username, "password": password})
    return body["token"]


def person(admin, username, role, unit):
    password = f"{username[::-1]}-kunci-rahasia"
    user = admin.post(
        "/users",
        {
            "username": username,
            "name": f"Nama {username}",
            "roles": [role],
            "password": password,
            "unit_kerja": unit,
        },
    )
    return user["id"], password


def correct(question):
    """The right response to a question of BANK, from what a trainee sees."""
    text = question["text_html"]

    def pick(*wanted):
        return {"choices": [c["id"] for c in question["choices"] if c["text_html"] in wanted]}

    kind = question["type"]
    if kind == "multichoice":
        return pick("443") if "HTTPS?" in text else pick("SSH", "HTTPS")
    if kind == "truefalse":
        return {"choices": ["true"]}
    if kind == "shortanswer":
        return {"text": "Domain Name System"}
    if kind == "numerical":
        return {"number": 62}
    if kind == "matching":
        right = {r["text_html"]: r["id"] for r in question["right"]}
        target = {"DNS": "53", "HTTP": "80", "HTTPS": "443"}
        return {"matches": {l["id"]: right[target[l["text_html"]]] for l in question["left"]}}
    if kind == "essay":
        return {"text": "DNS memetakan nama domain ke alamat IP melalui resolver."}
    sys.exit(f"seed: unexpected question type {kind}")


def answer_all(caller, attempt):
    for q in attempt["questions"]:
        caller.put(f"/attempts/{attempt['id']}/answers/{q['id']}", {"response": correct(q)})


def rfc3339(moment):
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def batch_body(course_id, name, day):
    days = [day + timedelta(days=i) for i in range(2)]
    return {
        "course_id": course_id,
        "name": name,
        "starts_on": days[0].isoformat(),
        "ends_on": days[1].isoformat(),
        "venue": "Hotel Puri Asri",
        "capacity": 40,
        "status": "open",
        "sessions": [
            {"day": d.isoformat(), "starts_at": "08:00", "ends_at": "16:00", "topic": "Materi"}
            for d in days
        ],
    }


def seed():
    admin = Caller(login("admin", ADMIN_PASSWORD))
    ids = {}

    trainee_id, trainee_password = person(admin, "st-peserta", "trainee", "Diskominfo")
    assessor_id, assessor_password = person(admin, "st-asesor", "assessor", "BKD")
    ids["user"], _ = person(admin, "st-sasaran", "trainee", "Bappeda")
    ids["leaver"], _ = person(admin, "st-mundur", "trainee", "Dinkes")
    trainee = Caller(login("st-peserta", trainee_password))
    assessor = Caller(login("st-asesor", assessor_password))

    report = admin.call(
        "POST",
        "/question-banks/import",
        files={"file": ("seed.gift", BANK.encode(), "text/plain")},
        data={"name": "seed"},
    )
    ids["bank"] = report["bank_id"]

    course = admin.post(
        "/courses", {"code": "ST-SEED", "title": "Kursus uji skema", "track": "pranata_komputer"}
    )
    ids["course"] = course["id"]
    modules = [
        admin.post(f"/courses/{course['id']}/modules", {"title": title, "jp": 2, "body_markdown": "Isi."})
        for title in ("Modul satu", "Modul dua")
    ]
    ids["module"] = modules[0]["id"]
    admin.patch(f"/courses/{course['id']}", {"status": "published"})

    # The batch everything happens in, in the past so that it is finished.
    batch = admin.post("/batches", batch_body(course["id"], "Angkatan uji", datetime(2026, 3, 3).date()))
    ids["batch"] = batch["id"]
    ids["session"] = batch["sessions"][0]["id"]
    # A second batch to cancel and to remove a session from.
    spare = admin.post("/batches", batch_body(course["id"], "Angkatan cadangan", datetime(2026, 5, 4).date()))
    ids["spare_batch"] = spare["id"]
    ids["spare_session"] = spare["sessions"][1]["id"]
    for user in (trainee_id, ids["leaver"]):
        admin.post(f"/batches/{batch['id']}/enrolments", {"user_id": user})
    admin.post(
        f"/batches/{batch['id']}/attendance",
        {"entries": [{"session_id": s["id"], "user_id": trainee_id, "status": "present"} for s in batch["sessions"]]},
    )
    for module in modules:
        trainee.post(f"/modules/{module['id']}/complete")

    quiz = admin.post(
        f"/modules/{ids['module']}/quiz",
        {
            "bank_id": ids["bank"],
            # Fixed questions: the essay of the same unit is the exam's.
            "selection": {"question_ids": ["q-mc", "q-ma", "q-tf", "q-sa", "q-num", "q-match"]},
            "max_attempts": 2,
        },
    )
    ids["quiz"] = quiz["id"]
    done = trainee.post(f"/quizzes/{quiz['id']}/attempts")
    answer_all(trainee, done)
    trainee.post(f"/attempts/{done['id']}/submit")
    ids["finished_attempt"] = done["id"]
    # An attempt left open, for the save and submit operations.
    current = trainee.post(f"/quizzes/{quiz['id']}/attempts")
    ids["attempt"] = current["id"]
    ids["question"] = current["questions"][0]["id"]

    now = datetime.now(timezone.utc)
    level = lambda points, text: {"points": points, "descriptor": text}  # noqa: E731
    exam = admin.post(
        "/exams",
        {
            "batch_id": batch["id"],
            "title": "Uji jaringan",
            "bank": "seed",
            "code_prefix": "ST",
            "opens_at": rfc3339(now - timedelta(minutes=5)),
            "closes_at": rfc3339(now + timedelta(hours=6)),
            "double_marking": False,
            "appeal_days": 30,
            "units": [
                {"code": "jaringan", "title": "Mengelola jaringan", "objective_count": 6, "objective_pass_percent": 70}
            ],
            "tasks": [
                {
                    "key": "esai",
                    "unit": "jaringan",
                    "question": "q-essay",
                    "pass_points": 4,
                    "word_limit": 200,
                    "upload": {"extensions": ["pdf"], "max_kib": 64},
                    "rubric": [
                        {"criterion": "Ketepatan", "levels": [level(0, "salah"), level(1, "sebagian"), level(3, "benar")]},
                        {"criterion": "Kejelasan", "levels": [level(0, "kabur"), level(1, "cukup"), level(3, "runtut")]},
                    ],
                }
            ],
        },
    )
    ids["exam"] = exam["id"]
    ids["task"] = "esai"
    admin.post(f"/exams/{exam['id']}/assessors", {"assessors": [{"user_id": assessor_id}]})
    sitting = trainee.post(f"/exams/{exam['id']}/attempts")
    answer_all(trainee, sitting)
    trainee.call(
        "PUT",
        f"/exams/{exam['id']}/tasks/esai/file",
        files={"file": ("jawaban.pdf", b"%PDF-1.4\n%seed\n", "application/pdf")},
    )
    trainee.post(f"/attempts/{sitting['id']}/submit")
    items = assessor.get("/grading/queue")["items"]
    ids["grading_item"] = items[0]["id"]
    for item in items:
        top = [len(c["levels"]) - 1 for c in item["task"]["rubric"]]
        assessor.post(f"/grading/{item['id']}", {"levels": top, "comment": "Tepat dan runtut."})
        assessor.post(f"/grading/{item['id']}/finalize")
    admin.post(f"/exams/{exam['id']}/release")

    issued = admin.post(f"/batches/{batch['id']}/certificates")
    mine = [c for c in issued if c["user_id"] == trainee_id]
    if not mine:
        sys.exit(f"seed: no certificate for the trainee: {issued}")
    ids["certificate"] = mine[0]["id"]
    ids["verify_code"] = mine[0]["content"]["verification_code"]

    appeal = trainee.post(f"/exams/{exam['id']}/appeals", {"reason": "Mohon jawaban esai saya ditinjau ulang."})
    ids["appeal"] = appeal["id"]

    tokens = {
        "admin": admin.token,
        "trainee": trainee.token,
        "assessor": assessor.token,
        "pool": {
            "admin": [login("admin", ADMIN_PASSWORD) for _ in range(LOGOUT_POOL)],
            "trainee": [login("st-peserta", trainee_password) for _ in range(LOGOUT_POOL)],
            "assessor": [login("st-asesor", assessor_password) for _ in range(LOGOUT_POOL)],
        },
    }
    return ids, tokens


def path_values(method, path, ids):
    """The seeded value of each path parameter of one operation."""
    rest = path.removeprefix("/api/v1")
    family = rest.split("/")[1]
    first = {
        "users": "user",
        "courses": "course",
        "modules": "module",
        "question-banks": "bank",
        "batches": "batch",
        "quizzes": "quiz",
        "attempts": "attempt",
        "exams": "exam",
        "grading": "grading_item",
        "appeals": "appeal",
        "certificates": "certificate",
        "verify": "verify_code",
    }
    values = {}
    for name in re.findall(r"\{(\w+)\}", rest):
        if name in ("id", "item_id", "code"):
            key = first.get(family)
        else:
            key = {
                "session_id": "session",
                "user_id": "leaver",
                "question_id": "question",
                "key": "task",
                "attempt_id": "finished_attempt",
            }.get(name)
        if key is None:
            sys.exit(f"seed: no seeded id for `{name}` in {method} {path}; add it to path_values")
        values[name] = ids[key]
    # Operations that use up their object get one of their own.
    if rest == "/batches/{id}/cancel" or (method == "delete" and "/sessions/" in rest):
        values["id"] = ids["spare_batch"]
        if "session_id" in values:
            values["session_id"] = ids["spare_session"]
    if family == "attempts" and rest.endswith(("/regrade", "/audit")):
        values["id"] = ids["finished_attempt"]
    return values


def toml_string(value):
    return json.dumps(str(value))


# The one exception to `positive_data_acceptance` (a request the schema calls
# valid must not be refused): on these operations a 422 also counts as an
# answer to valid data, because they check rules that no JSON Schema can
# state. The document describes each field exactly (and the server refuses
# what it does not allow, before any handler runs); these rules relate a
# field to another field or to stored data, and answer 422 naming the field.
# Every other operation must accept whatever its schema allows.
BUSINESS_RULES = {
    "POST /api/v1/users": "username or NIP unique; NIP a real birth date and TMT; username needed without NIP",
    "PATCH /api/v1/users/{id}": "NIP a real birth date and TMT; NIP, e-mail unique",
    "POST /api/v1/courses": "course code unique; pranata humas has no Ahli Utama",
    "PATCH /api/v1/courses/{id}": "course code unique; pranata humas has no Ahli Utama",
    "POST /api/v1/courses/{id}/modules/reorder": "exactly the course's modules, each once",
    "POST /api/v1/batches": "course exists; ends_on after starts_on; sessions inside the dates and ending after they start; venue unless online; no overlap with another batch of the course",
    "PATCH /api/v1/batches/{id}": "the same rules as creating, against the stored batch",
    "POST /api/v1/batches/{id}/sessions": "the session inside the batch's dates, ending after it starts",
    "POST /api/v1/batches/{id}/enrolments": "user_id or NIP of an active trainee; NIP a real birth date and TMT",
    "POST /api/v1/batches/{id}/attendance": "sessions of this batch, trainees enrolled in it",
    "POST /api/v1/batches/{id}/certificates": "user_ids eligible trainees of the batch",
    "POST /api/v1/checkin": "a code that a running session shows",
    "POST /api/v1/modules/{id}/quiz": "bank exists and has the questions drawn; one of rules or question_ids; closes after opens",
    "PATCH /api/v1/modules/{id}/quiz": "the same rules as creating, against the stored quiz",
    "POST /api/v1/quizzes/{id}/windows": "a batch of the quiz's course; closes after opens",
    "PUT /api/v1/courses/{id}/pre-post-test": "bank exists and has the questions drawn; machine-graded types only",
    "PUT /api/v1/attempts/{id}/answers/{question_id}": "a response of the question's type with its choice ids",
    "POST /api/v1/exams": "a shipped template or a complete spec; bank exists with enough questions per unit; tasks refer to units and essay questions",
    "POST /api/v1/exams/{id}/assessors": "users who are assessors; units of the exam",
    "POST /api/v1/exams/{id}/markers": "an active assessor of the exam who may mark that candidate's task and round (no self-moderation)",
    "POST /api/v1/quiz-marking/{attempt_id}/{question_id}": "an essay answer of a submitted quiz attempt, points within the question's maximum; a correction's reason of at least 5 characters",
    "POST /api/v1/users/activation": "exactly one of user_ids (not empty) or batch_id",
    "POST /api/v1/certificates/{id}/revoke": "a reason of at least 5 characters besides spaces",
    "POST /api/v1/certificates/{id}/replace": "a reason of at least 5 characters besides spaces",
    "POST /api/v1/grading/{item_id}": "one level per rubric criterion; comment below pass points; reason in moderation",
    "POST /api/v1/appeals/{id}/assign": "an assessor who has not marked the candidate and is not of their unit kerja",
    "PUT /api/v1/courses/{id}/certificate-settings": "the number pattern renders for the course",
    # Uploads: the schema can say "a file", not "a well-formed CSV/XLSX/GIFT
    # whose rows are valid" nor "a PDF or image by its content".
    "POST /api/v1/users/import": "a readable CSV or XLSX whose rows are valid users",
    "POST /api/v1/batches/{id}/enrolments/import": "a readable CSV or XLSX of NIPs of trainees",
    "POST /api/v1/question-banks/import": "a readable GIFT, Aiken or Moodle XML bank",
    "POST /api/v1/modules/{id}/attachments": "a PDF or image, judged by its content",
    "PUT /api/v1/exams/{id}/tasks/{key}/file": "a file of a type the task allows, judged by its content",
}


def write_config(ids, spec):
    lines = [
        "# Generated by .ci/schemathesis/seed.py: seeded ids for every path",
        "# parameter, and the business-rule operations (see BUSINESS_RULES).",
        "",
        "# A body the document refuses may also be refused for its size before",
        "# it is read (413: anonymous callers get 16 KiB).",
        "[checks.negative_data_rejection]",
        'expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]',
        "",
        "[checks.positive_data_acceptance]",
        'expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "413", "429"]',
        "",
    ]
    accepted = '["2xx", "3xx", "401", "403", "404", "409", "413", "422", "429"]'
    seen = set()
    for path, item in sorted(spec["paths"].items()):
        for method in sorted(item):
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            name = method.upper() + " " + path
            rule = BUSINESS_RULES.get(name)
            if "{" not in path and rule is None:
                continue
            seen.add(name)
            if rule:
                lines.append(f"# 422 too: {rule}")
            lines.append("[[operations]]")
            lines.append(f"include-name = {toml_string(name)}")
            if "{" in path:
                values = path_values(method, path, ids)
                pairs = ", ".join(f"{toml_string('path.' + k)} = {toml_string(v)}" for k, v in values.items())
                lines.append(f"parameters = {{ {pairs} }}")
            if rule:
                lines.append(f"checks.positive_data_acceptance.expected-statuses = {accepted}")
            lines.append("")
    stale = set(BUSINESS_RULES) - seen
    if stale:
        sys.exit(f"seed: BUSINESS_RULES names operations the document lacks: {sorted(stale)}")
    (OUT / "schemathesis.toml").write_text("\n".join(lines))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    ids, tokens = seed()
    spec = requests.get(BASE + "/api/openapi.json", timeout=30).json()
    write_config(ids, spec)
    (OUT / "tokens.json").write_text(json.dumps(tokens))
    (OUT / "ids.json").write_text(json.dumps(ids, indent=1))
    print(f"seeded: {len(ids)} ids, {len(tokens['pool']['admin'])} spare sessions per role")


if __name__ == "__main__":
    main()
