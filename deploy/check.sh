#!/usr/bin/env bash
# Checks the deployment files in deploy/ without a container engine:
#  (a) `systemd-analyze verify` of bimtek.service (skipped without systemd-analyze);
#  (b) compose.yaml parses, every service names an image or a build, and the
#      files and names it refers to exist;
#  (c) every `bimtek <subcommand>`, `--flag` and BIMTEK_*/DATABASE_URL variable
#      named in deploy/ exists in the binary's --help.
#
# Usage: deploy/check.sh [PATH-TO-BIMTEK]
#   PATH-TO-BIMTEK  a built binary (default: $CARGO_TARGET_DIR or target,
#                   release then debug). Only its --help is run.
#   PYTHON=...      a Python with PyYAML for a full parse of compose.yaml
#                   (e.g. the CI venv's); without one, a plainer check runs.
# Exits 1 when a check finds a problem, 2 on wrong usage.
set -euo pipefail
cd "$(dirname "$0")/.."

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
skip() { echo "SKIP: $*"; }
ok() { echo "ok: $*"; }

bin="${1:-}"
if [ -z "$bin" ]; then
    target="${CARGO_TARGET_DIR:-target}"
    for candidate in "$target/release/bimtek" "$target/debug/bimtek"; do
        if [ -x "$candidate" ]; then
            bin="$candidate"
            break
        fi
    done
fi
if [ -z "$bin" ] || [ ! -x "$bin" ] || [ -d "$bin" ]; then
    echo "usage: $0 PATH-TO-BIMTEK (a built bimtek binary; '${bin:-none found}' is not executable)" >&2
    exit 2
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
command -v python3 >/dev/null || { echo "python3 is needed for checks (b) and (c)" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# --- (a) the systemd unit --------------------------------------------------------
# verify wants ExecStart's program to exist, so a copy of the unit runs the
# given binary. It exits 0 even for unknown or unparsable directives (it only
# warns and ignores them), so any line naming the unit is a failure.
if command -v systemd-analyze >/dev/null; then
    unit="$tmp/bimtek.service"
    awk -v bin="$bin" '
        /^ExecStart=\/usr\/local\/bin\/bimtek( |$)/ { sub(/^ExecStart=\/usr\/local\/bin\/bimtek/, "ExecStart=" bin); found = 1 }
        { print }
        END { exit found ? 0 : 1 }
    ' deploy/bimtek.service >"$unit" || fail "bimtek.service: no ExecStart=/usr/local/bin/bimtek line"
    status=0
    output="$(systemd-analyze verify --man=no "$unit" 2>&1)" || status=$?
    problems="$(grep -F 'bimtek.service' <<<"$output" || true)"
    if [ -n "$problems" ]; then
        fail "systemd-analyze verify deploy/bimtek.service:"
        echo "${problems//$tmp\//}" >&2
    elif [ "$status" -ne 0 ]; then
        skip "systemd-analyze could not verify here (exit $status): $output"
    else
        [ -z "$output" ] || echo "note: systemd-analyze: $output"
        ok "systemd-analyze verify deploy/bimtek.service"
    fi
else
    skip "systemd-analyze not installed: bimtek.service not verified"
fi

# --- (b) compose.yaml ----------------------------------------------------------------
python="${PYTHON:-python3}"
if "$python" -c 'import yaml' 2>/dev/null; then
    if "$python" - deploy/compose.yaml <<'PY'; then ok "compose.yaml parses, names images or builds, and its references exist"; else fail "compose.yaml (above)"; fi
import os
import sys

import yaml

path = sys.argv[1]
base = os.path.dirname(path)
problems = []
try:
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
except yaml.YAMLError as err:
    print(f"{path}: not YAML: {err}", file=sys.stderr)
    sys.exit(1)

if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict) or not doc["services"]:
    print(f"{path}: no services", file=sys.stderr)
    sys.exit(1)
services = doc["services"]
networks = set((doc.get("networks") or {}).keys())
volumes = set((doc.get("volumes") or {}).keys())
for name, service in services.items():
    where = f"{path}: service {name}"
    if not isinstance(service, dict):
        problems.append(f"{where}: not a mapping")
        continue
    if "image" not in service and "build" not in service:
        problems.append(f"{where}: names neither an image nor a build")
    build = service.get("build")
    if isinstance(build, str):
        build = {"context": build}
    if isinstance(build, dict):
        context = os.path.normpath(os.path.join(base, str(build.get("context", "."))))
        dockerfile = os.path.join(context, str(build.get("dockerfile", "Dockerfile")))
        if not os.path.isdir(context):
            problems.append(f"{where}: build context {context} is not a folder")
        elif not os.path.isfile(dockerfile):
            problems.append(f"{where}: {dockerfile} does not exist")
    for volume in service.get("volumes") or []:
        source = volume.get("source") if isinstance(volume, dict) else str(volume).split(":")[0]
        if not source:
            continue
        if source.startswith((".", "/", "~")):
            if source.startswith(".") and not os.path.exists(os.path.join(base, source)):
                problems.append(f"{where}: bind-mounted {source} does not exist")
        elif source not in volumes:
            problems.append(f"{where}: volume {source} is not declared under volumes:")
    service_networks = service.get("networks") or []
    for network in service_networks if isinstance(service_networks, list) else service_networks.keys():
        if network not in networks and network != "default":
            problems.append(f"{where}: network {network} is not declared under networks:")
    depends = service.get("depends_on") or []
    for other in depends if isinstance(depends, list) else depends.keys():
        if other not in services:
            problems.append(f"{where}: depends on unknown service {other}")
for problem in problems:
    print(problem, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
else
    skip "no PyYAML in $python (set PYTHON= to one with it): compose.yaml checked line by line only"
    if python3 - deploy/compose.yaml <<'PY'; then ok "compose.yaml: every service names an image or a build"; else fail "compose.yaml (above)"; fi
# Without a YAML parser: block-style compose files only. Each service under
# `services:` must have `image:` or `build:`, directly or through a
# `<<: *anchor` merge of a top-level `x-...: &anchor` block.
import re
import sys

path = sys.argv[1]
lines = open(path, encoding="utf-8").read().splitlines()
anchors = {}  # anchor -> keys of its block
services = {}  # service -> (line, keys, merged anchors)
section = anchor = service = None
for number, line in enumerate(lines, 1):
    if not line.strip() or line.lstrip().startswith("#"):
        continue
    if "\t" in line[: len(line) - len(line.lstrip())]:
        print(f"{path}:{number}: tab in indentation", file=sys.stderr)
        sys.exit(1)
    indent = len(line) - len(line.lstrip())
    top = re.match(r"^([A-Za-z0-9_.-]+):\s*(?:&(\S+))?\s*$", line)
    if indent == 0:
        section = top.group(1) if top else None
        anchor = top.group(2) if top else None
        service = None
        if anchor:
            anchors[anchor] = set()
        continue
    key = re.match(r"^\s*([A-Za-z0-9_.<-]+):(?:\s+\*(\S+))?", line)
    if not key:
        continue
    if anchor and indent == 2:
        anchors[anchor].add(key.group(1))
    if section == "services":
        if indent == 2:
            service = key.group(1)
            services[service] = (number, set(), [])
        elif indent == 4 and service:
            services[service][1].add(key.group(1))
            if key.group(1) == "<<" and key.group(2):
                services[service][2].append(key.group(2))
if not services:
    print(f"{path}: no services found", file=sys.stderr)
    sys.exit(1)
bad = 0
for name, (number, keys, merged) in services.items():
    for alias in merged:
        keys |= anchors.get(alias, set())
    if not keys & {"image", "build"}:
        print(f"{path}:{number}: service {name} names neither an image nor a build", file=sys.stderr)
        bad += 1
sys.exit(1 if bad else 0)
PY
fi

# --- (c) commands, flags and settings against --help ---------------------------------
if python3 - "$bin" deploy/*.md deploy/bimtek.service deploy/bimtek.env.example \
    deploy/Containerfile deploy/compose.yaml deploy/Caddyfile deploy/nginx.conf \
    deploy/healthcheck.sh <<'PY'; then ok "every bimtek subcommand, flag and setting named in deploy/ is in --help"; else fail "names in deploy/ missing from $bin --help (above)"; fi
import json
import os
import re
import shlex
import subprocess
import sys

binary, files = sys.argv[1], [f for f in sys.argv[2:] if os.path.exists(f)]


def help_text(path):
    run = subprocess.run([binary, *path, "--help"], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=60)
    if run.returncode != 0:
        sys.exit(f"{binary} {' '.join(path)} --help failed: {run.stderr.strip()}")
    return run.stdout


def command_tree(path=(), depth=0):
    """{'flags': {flag: takes_value}, 'subs': {name: node}} from --help."""
    text = help_text(list(path))
    flags, subs, in_commands = {}, {}, False
    for line in text.splitlines():
        if line.startswith("Commands:"):
            in_commands = True
            continue
        if in_commands:
            found = re.match(r"^  ([a-z][a-z0-9-]*)(\s|$)", line)
            if found:
                if found.group(1) != "help":
                    subs[found.group(1)] = None
                continue
            in_commands = False
        option = re.match(r"^\s*(?:-[A-Za-z0-9], )?(--[a-z0-9][a-z0-9-]*)( <[^>]+>| \[[^\]]+\]|=<[^>]+>)?", line)
        if option:
            flags[option.group(1)] = bool(option.group(2))
    if depth < 3:
        for name in subs:
            subs[name] = command_tree(path + (name,), depth + 1)
    return {"flags": flags, "subs": subs, "text": text}


tree = command_tree()
settings = set(re.findall(r"\[env: ([A-Z0-9_]+)[=\]]", tree["text"]))
problems = []

# Settings: every BIMTEK_* or DATABASE_URL anywhere in the files.
for path in files:
    for number, line in enumerate(open(path, encoding="utf-8"), 1):
        for name in re.findall(r"\b(BIMTEK_[A-Z0-9_]*[A-Z0-9]|DATABASE_URL)\b", line):
            if name not in settings:
                problems.append(f"{path}:{number}: {name} is not a setting in `bimtek --help`")


def is_bimtek(token):
    return token == "bimtek" or re.search(r"(^|[=/])(bin|release|debug)/bimtek$", token) is not None


def check_command(path, number, text, strict):
    """Every bimtek invocation in one logical line of shell-like text.

    strict: code (md code, non-comment lines), where `bimtek word` must be a
    real subcommand; otherwise (comments, prose) only what resolves is
    checked, since "the bimtek user" is English, not a command."""
    text = re.sub(r"(^|\s)#.*$", "", text)
    for segment in re.split(r"\|\||&&|[|;`]|\$\(|\)", text):
        try:
            tokens = shlex.split(segment)
        except ValueError:
            tokens = segment.split()
        for i, token in enumerate(tokens):
            if not is_bimtek(token):
                continue
            previous = tokens[i - 1] if i else ""
            # `-u bimtek`, `--name bimtek`, `--home-dir /var/lib/bimtek`: a value.
            if previous.startswith("-") and previous != "--":
                continue
            rest = tokens[i + 1:]
            if not rest or is_bimtek(rest[0]) or (rest[0].startswith("-") and not rest[0].startswith("--")):
                continue
            node, words, takes_value, errors = tree, [], False, []
            for j, word in enumerate(rest):
                if word.startswith((">", "<", "2>")):
                    break
                if takes_value:
                    takes_value = False
                    continue
                if word.startswith("--") and len(word) > 2:
                    flag = word.split("=", 1)[0]
                    if flag not in node["flags"]:
                        errors.append(f"`{flag}` is not an option of `bimtek{''.join(' ' + w for w in words)}`")
                    elif node["flags"][flag] and "=" not in word:
                        takes_value = True
                    continue
                if word.startswith("-"):
                    continue
                if node["subs"] and re.fullmatch(r"[a-z][a-z0-9-]*", word):
                    if word in node["subs"]:
                        node = node["subs"][word]
                        words.append(word)
                        continue
                    if not strict:
                        errors = None
                        break
                    errors.append(f"`bimtek{''.join(' ' + w for w in words)} {word}`: no such subcommand "
                                  f"({', '.join(node['subs'])})")
                    break
                if node is tree:
                    errors = None  # `upstream bimtek {`, `bimtek .`: not an invocation
                    break
                if node["subs"]:
                    break
                # positional argument or value of a leaf subcommand
            if errors is None:
                continue
            if strict and node is not tree and node["subs"] and not errors:
                errors.append(f"`bimtek {' '.join(words)}` needs a subcommand ({', '.join(node['subs'])})")
            problems.extend(f"{path}:{number}: {e}" for e in errors)


def logical_lines(lines, first_number):
    """Joins backslash continuations: (line number, text)."""
    buffer, start = "", None
    for offset, line in enumerate(lines):
        if start is None:
            start = first_number + offset
        if line.rstrip().endswith("\\"):
            buffer += line.rstrip()[:-1] + " "
            continue
        yield start, buffer + line
        buffer, start = "", None
    if buffer:
        yield start, buffer


def json_array_as_words(text):
    # CMD ["bash", "x"] / test: ["CMD", ...]: the words, as a shell would see them.
    if re.search(r"\[\s*\"", text):
        found = re.search(r"\[(.*)\]", text)
        if found:
            try:
                return text[: found.start()] + " ".join(shlex.quote(w) for w in json.loads(found.group(0)))
            except ValueError:
                pass
    return text


for path in files:
    lines = open(path, encoding="utf-8").read().splitlines()
    if path.endswith(".md"):
        fenced, block, paragraph = False, [], []

        def flush_paragraph():
            if not paragraph:
                return
            text = "\n".join(line for _, line in paragraph)
            for span in re.finditer(r"`([^`]+)`", text):
                number = paragraph[0][0] + text.count("\n", 0, span.start())
                check_command(path, number, span.group(1).replace("\n", " "), strict=True)
            paragraph.clear()

        for number, line in enumerate(lines, 1):
            if line.lstrip().startswith("```"):
                flush_paragraph()
                if fenced:
                    for start, text in logical_lines([l for _, l in block], block[0][0] if block else number):
                        check_command(path, start, text, strict=not text.lstrip().startswith("#"))
                    block = []
                fenced = not fenced
                continue
            if fenced:
                block.append((number, line))
            elif line.strip():
                paragraph.append((number, line))
            else:
                flush_paragraph()
        flush_paragraph()
        continue

    comments, code = [], []
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("#"):
            comments.append((number, re.sub(r"^\s*#\s?", "", line)))
        else:
            code.append((number, line))
    for group, strict in ((comments, False), (code, True)):
        # Continuations join only consecutive lines of the same kind.
        runs, run = [], []
        for number, line in group:
            if run and number != run[-1][0] + 1:
                runs.append(run)
                run = []
            run.append((number, line))
        if run:
            runs.append(run)
        for run in runs:
            for start, text in logical_lines([l for _, l in run], run[0][0]):
                check_command(path, start, json_array_as_words(text), strict)
    if os.path.basename(path) == "Containerfile":
        # ENTRYPOINT ["/usr/local/bin/bimtek"] + CMD ["serve"] is `bimtek serve`.
        text = "\n".join(lines)
        entry = re.search(r"^ENTRYPOINT\s+(\[.*\])\s*$", text, re.M)
        cmd = re.search(r"^CMD\s+(\[.*\])\s*$", text, re.M)
        if entry and cmd and json.loads(entry.group(1)) and is_bimtek(json.loads(entry.group(1))[-1]):
            number = text.count("\n", 0, cmd.start()) + 1
            check_command(path, number, " ".join(["bimtek", *map(shlex.quote, json.loads(cmd.group(1)))]), True)

for problem in sorted(set(problems)):
    print(problem, file=sys.stderr)
sys.exit(1 if problems else 0)
PY

if [ "$failures" -ne 0 ]; then
    echo "deploy/check.sh: $failures check(s) failed" >&2
    exit 1
fi
echo "deploy/check.sh: all checks passed"
