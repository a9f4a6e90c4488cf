#!/usr/bin/env python3
"""Fail CI when a module imports a module that imports it back.

Why: modules that depend on each other (directly, or round a longer loop)
cannot be understood, tested or moved apart, and such loops only grow. This
check keeps the crate's module graph acyclic.

Each .rs file under SRC (default `src`) is one module: `lib.rs` is `crate`,
`a.rs` or `a/mod.rs` is `crate::a`, `a/b.rs` is `crate::a::b`. A module
references another when its code names a path starting with `crate::`,
`super::` or `self::` (in `use` trees, grouped or multi-line, and in
expressions), or with a name a `use` brought in (`use crate::exams;` then
`exams::sitting::over_limit(..)`). A path counts for the longest prefix that
is a file module and, when that module `pub use`s the next name, also for
the module it comes from. Comments, string and char literals and
`#[cfg(test)]` items (inline blocks, and files declared `#[cfg(test)] mod x;`)
are ignored. Edges between a module and its own ancestors or descendants are
normal Rust structure (`mod child; pub use child::X;`, `super::`) and are
left out. A cycle is a strongly connected component of what remains.

Usage: module_cycles.py [SRC] [--summary]     exit status 1 when a cycle exists
"""
import os
import re
import sys

CFG_TEST = re.compile(r"#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]")
ATTR = re.compile(r"\s*#\s*\[")
VIS = r"(?:pub\s*(?:\([^)]*\))?\s*)?"
MOD_DECL = re.compile(r"\s*" + VIS + r"mod\s+(\w+)\s*;")
USE = re.compile(r"(?<![\w$])(" + VIS + r")use\s")
USE_ITEM = re.compile(r"\s*" + VIS + r"use\s")
INLINE_MOD = re.compile(r"(?<![\w$])mod\s+(\w+)\s*\{")
VIS_IN = re.compile(r"pub\s*\(\s*in\s[^)]*\)")  # `pub(in crate::a)` is no reference
PATH = re.compile(r"(?<![\w:])([A-Za-z_]\w*(?:\s*::\s*[A-Za-z_]\w*)+)")
USE_TOKEN = re.compile(r"::|\w+|[{},*]")
ATTR_PATH = re.compile(r"#\s*\[[^\]\n]*=\s*\"(?:crate|super|self)(?:::\w+)+\"$")
RAW = re.compile(r"(?<![\w])[bc]?r(#*)\"")


def strip(text):
    """Blank comments and string/char literals, keeping every newline."""
    out, i, n = list(text), 0, len(text)
    while i < n:
        j = i + 1
        raw = RAW.match(text, i) if text[i] in "bcr" else None
        if text.startswith("//", i):
            j = text.find("\n", i) % (n + 1)
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                step = {"/*": 1, "*/": -1}.get(text[j:j + 2], 0)
                depth, j = depth + step, j + (2 if step else 1)
        elif raw:
            j = text.find('"' + raw.group(1), raw.end()) % (n + 1) + 1 + len(raw.group(1))
        elif text[i] == '"':
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
            if ATTR_PATH.search(text, text.rfind("\n", 0, i) + 1, j):
                i = j  # `#[serde(with = "crate::a::b")]` names a module
                continue
        elif text[i] == "'" and (text.startswith("\\", i + 1) or text[i + 2:i + 3] == "'"):
            j = text.find("'", i + 3) % (n + 1) + 1 if text[i + 1] == "\\" else i + 3  # not 'a
        else:
            i += 1
            continue
        out[i:j] = [c if c == "\n" else " " for c in text[i:j]]
        i = j
    return "".join(out)


def match_brace(text, i):
    """Index just past the `}` closing the first `{` at or after i."""
    depth, i = 0, text.find("{", i)
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if text[j] == "}" and not depth:
            return j + 1
    return len(text)


def drop_cfg_test(text):
    """Blank `#[cfg(test)]` items; return (text, names of `mod x;` test files)."""
    test_mods = []
    while m := CFG_TEST.search(text):
        j = m.end()
        while ATTR.match(text, j):  # further attributes on the same item
            j = text.index("]", text.index("[", j)) + 1
        decl = MOD_DECL.match(text, j)
        if decl:
            test_mods.append(decl.group(1))
            end = decl.end()
        elif USE_ITEM.match(text, j):
            end = text.index(";", j) + 1
        else:
            k = min(x for x in (text.find("{", j), text.find(";", j), len(text)) if x >= 0)
            end = match_brace(text, k) if text[k:k + 1] == "{" else k + 1
        text = text[:m.start()] + re.sub(r"[^\n]", " ", text[m.start():end]) + text[end:]
    return text, test_mods


def parse_use(tokens, k, prefix, out):
    """Parse the use tree at tokens[k]; append (segments, pos, bound name) to out."""
    if k < len(tokens) and tokens[k][0] == "::":  # `use ::std::..`
        k += 1
    if k < len(tokens) and tokens[k][0] == "{":
        k += 1
        while k < len(tokens) and tokens[k][0] != "}":
            k = max(parse_use(tokens, k, prefix, out), k + 1)  # always move on
            k += k < len(tokens) and tokens[k][0] == ","
        return k + 1
    segs, pos = list(prefix), tokens[k][1] if k < len(tokens) else 0
    while k < len(tokens) and re.match(r"\w", tokens[k][0]):
        if tokens[k][0] != "self" or not segs:  # `{self, ..}` is the prefix itself
            segs.append(tokens[k][0])
        pos, k = tokens[k][1], k + 1
        if k + 1 < len(tokens) and tokens[k][0] == "::":
            if tokens[k + 1][0] == "{":
                return parse_use(tokens, k + 1, segs, out)
            if tokens[k + 1][0] == "*":
                out.append((segs, pos, None))
                return k + 2
            k += 1
        else:
            break
    name = segs[-1] if segs else None
    if k + 1 < len(tokens) and tokens[k][0] == "as":
        name, k = tokens[k + 1][0], k + 2
    out.append((segs, pos, name))
    return k


def resolve(segs, here, aliases, modules):
    """Absolute path (tuple) of `segs` as named in module `here`, or None."""
    head, rest = segs[0], tuple(segs[1:])
    if head == "crate":
        return rest
    if head == "self":
        return here + rest
    if head == "super":
        base = here[:-1]
        while rest[:1] == ("super",):
            base, rest = base[:-1], rest[1:]
        return base + rest
    if head in aliases:
        return aliases[head] + rest
    return here + tuple(segs) if here + (head,) in modules else None  # child module


def analyse(mod, text, modules):
    """([(absolute path, line)] named in text, {name: path} of its `pub use`s)."""
    inline = [(a.start(), match_brace(text, a.start()), a.group(1)) for a in INLINE_MOD.finditer(text)]
    here = lambda pos: mod + tuple(name for a, b, name in inline if a <= pos < b)
    line = lambda pos: text.count("\n", 0, pos) + 1
    found, aliases, exports, rest = [], {}, {}, list(text)
    for u in USE.finditer(text):
        end = text.find(";", u.end())
        tokens = [(t.group(), u.end() + t.start()) for t in USE_TOKEN.finditer(text[u.end():end])]
        leaves = []
        parse_use(tokens, 0, [], leaves)
        for segs, pos, name in leaves:
            path = resolve(segs, here(pos), {}, modules) if segs else None
            if path is not None:
                found.append((path, pos))
                if name:
                    aliases[name] = path
                    if u.group(1) and not here(pos)[len(mod):]:
                        exports[name] = path
        rest[u.start():end] = " " * (end - u.start())
    for m in PATH.finditer("".join(rest)):
        path = resolve(re.split(r"\s*::\s*", m.group(1)), here(m.start()), aliases, modules)
        if path is not None:
            found.append((path, m.start()))
    return [(path, line(pos)) for path, pos in found], exports


def targets(path, modules, exports):
    """The file modules a path depends on: its longest module prefix, and
    (following `pub use` re-exports) the modules that define the item."""
    seen = []
    while len(seen) < 10:
        owner = next(path[:n] for n in range(len(path), -1, -1) if path[:n] in modules)
        seen.append(owner)
        again = exports[owner].get(path[len(owner)]) if len(path) > len(owner) else None
        if again is None or again == path:
            break
        path = again + path[len(owner) + 1:]
    return seen


def tarjan(graph):
    """Strongly connected components, iteratively."""
    index, low, on_stack, stack, comps = {}, {}, set(), [], []
    for start in sorted(graph):
        if start in index:
            continue
        index[start] = low[start] = len(index)
        stack.append(start), on_stack.add(start)
        work = [(start, iter(sorted(graph[start])))]
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = [stack.pop()]
                    while comp[-1] != node:
                        comp.append(stack.pop())
                    on_stack.difference_update(comp)
                    comps.append(sorted(comp))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child), on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return comps


def scan(src):
    """{module: stripped text} and {module: file} of the non-test modules."""
    texts, files, test_files = {}, {}, set()
    for root, _, names in os.walk(src):
        for name in sorted(n for n in names if n.endswith(".rs")):
            rel = os.path.relpath(os.path.join(root, name), src)
            if rel == "main.rs" or rel.startswith("bin" + os.sep):
                continue  # binary crate roots: their `crate` is not this one
            parts = rel[:-3].split(os.sep)
            mod = tuple(parts[:-1] if parts[-1] == "mod" or parts == ["lib"] else parts)
            with open(os.path.join(root, name), encoding="utf-8") as f:
                text, tests = drop_cfg_test(strip(f.read()))
            texts[mod] = VIS_IN.sub(lambda m: " " * len(m.group()), text)
            files[mod] = os.path.join(root, name)
            test_files.update(mod + (t,) for t in tests)
    keep = [m for m in texts if not any(m[:len(t)] == t for t in test_files)]
    return {m: texts[m] for m in keep}, {m: files[m] for m in keep}


def main(argv):
    summary = "--summary" in argv
    args = [a for a in argv if a != "--summary"]
    texts, files = scan(args[0] if args else "src")
    analysed = {m: analyse(m, t, texts) for m, t in texts.items()}
    exports = {m: a[1] for m, a in analysed.items()}
    graph, example = {m: set() for m in texts}, {}
    for mod, (refs, _) in analysed.items():
        for path, line in refs:
            for target in targets(path, texts, exports):
                if mod[:len(target)] != target and target[:len(mod)] != mod:
                    graph[mod].add(target)
                    example[mod, target] = min(example.get((mod, target), line), line)
    name = lambda m: "::".join(("crate",) + m)
    cycles = sorted((c for c in tarjan(graph) if len(c) > 1), key=lambda c: (-len(c), c))
    if not cycles:
        print("no module cycles")
        return 0
    print(f"{len(cycles)} module cycle(s)")
    for i, comp in enumerate(cycles, 1):
        print(f"\ncycle {i} ({len(comp)} modules): " + ", ".join(name(m) for m in comp))
        for a in [] if summary else comp:
            for b in sorted(graph[a] & set(comp)):
                back = "  <-> imports it back" if a in graph[b] else ""
                print(f"  {name(a)} -> {name(b)}   {files[a]}:{example[a, b]}{back}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
