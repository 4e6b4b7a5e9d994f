#!/usr/bin/env python3
"""The tree's boundaries, checked (tor's .may_include and practracker ideas).

- Each folder appliance/<dir>/ has a .may_include file naming the folders its
  files may include (one a line; its own is always allowed). A new arrow that
  is not listed fails.
- No include cycle between modules: a module is a .c/.h pair, and module A
  uses B when A.c or A.h includes B.h. A cycle (cat.c includes search.h and
  search.c includes cat.h) means neither can be understood or tested alone.
- The folders' own arrows form no cycle either (the layering the README draws).
- No file over its line budget: BUDGET lines, or the figure given for it in
  tests/layout/budgets (a file that grows past it is usually two modules).
Prints "N passed, N failed" like every other test.
"""
import os, re, sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APP = os.path.join(TOP, "appliance")
if len(sys.argv) == 3 and sys.argv[1] == "--root":   # the self-test's copy
    APP = sys.argv[2]
BUDGET = 800
INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

passed = failed = 0
def check(ok, what, why=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok - " + what)
    else:
        failed += 1
        print("not ok - " + what + (": " + why if why else ""))

def sources():
    for d in sorted(os.listdir(APP)):
        p = os.path.join(APP, d)
        if not os.path.isdir(p):
            continue
        for f in sorted(os.listdir(p)):
            if f.endswith((".c", ".h")):
                yield d, f

def sccs(graph):
    """Tarjan's strongly connected components; returns those of size > 1."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1
        stack.append(v); on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out

def main():
    budgets = {}
    bf = os.path.join(TOP, "tests", "layout", "budgets")
    if os.path.exists(bf):
        for line in open(bf):
            line = line.split("#", 1)[0].split()
            if len(line) == 2:
                budgets[line[0]] = int(line[1])
    folders = sorted(d for d in os.listdir(APP) if os.path.isdir(os.path.join(APP, d)))
    allowed = {}
    for d in folders:
        mi = os.path.join(APP, d, ".may_include")
        check(os.path.exists(mi), "appliance/%s has a .may_include" % d)
        check(os.path.exists(os.path.join(APP, d, "README.md")), "appliance/%s has a README.md" % d)
        allowed[d] = {d}
        if os.path.exists(mi):
            for line in open(mi):
                line = line.split("#", 1)[0].strip()
                if line:
                    allowed[d].add(line)
    modules, deps, folder_deps, bad = {}, {}, {}, []
    for d, f in sources():
        rel = "%s/%s" % (d, f)
        text = open(os.path.join(APP, d, f), encoding="utf-8", errors="replace").read()
        lines = text.count("\n")
        limit = budgets.get(rel, BUDGET)
        if lines > limit:
            bad.append("%s has %d lines, over its budget of %d" % (rel, lines, limit))
        mod = rel.rsplit(".", 1)[0]
        if mod.endswith("_int"):      # a module's private header is part of it
            mod = mod[:-4]
        deps.setdefault(mod, set())
        for inc in INC.findall(text):
            if "/" not in inc:
                if inc.startswith("web_assets") or not inc.endswith(".h"):
                    continue
                bad.append("%s includes \"%s\": include by path from appliance/" % (rel, inc))
                continue
            tdir = inc.split("/", 1)[0]
            if tdir not in allowed.get(d, ()):
                bad.append("%s includes %s: %s/ may not include %s/ (appliance/%s/.may_include)" % (rel, inc, d, tdir, d))
            if not os.path.exists(os.path.join(APP, inc)):
                bad.append("%s includes %s, which does not exist" % (rel, inc))
            tmod = inc.rsplit(".", 1)[0]
            if tmod.endswith("_int"):
                tmod = tmod[:-4]
            if tmod != mod:
                deps[mod].add(tmod)
            if tdir != d:
                folder_deps.setdefault(d, set()).add(tdir)
    for b in bad:
        check(False, "layout", b)
    if not bad:
        check(True, "every include allowed by its folder's .may_include, every file within its line budget")
    # Module-level cycles; a private header (x_int.h) belongs to its folder's module family
    cyc = sccs(deps)
    for c in cyc:
        check(False, "no include cycle between modules", " <-> ".join(c))
    if not cyc:
        check(True, "no include cycle between modules (%d modules)" % len(deps))
    fcyc = sccs({d: allowed[d] - {d} for d in folders})
    for c in fcyc:
        check(False, "the folders' allowed arrows form layers", " <-> ".join(c))
    if not fcyc:
        check(True, "the folders' allowed arrows form layers, no cycle")
    if APP == os.path.join(TOP, "appliance"):
        self_test()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0

def self_test():
    """The checker must catch what it is for: a copy of the tree with the old
    cat <-> search cycle put back, and with a lower layer including a higher."""
    import shutil, subprocess, tempfile
    cases = [("catalogue/cat.c", '#include "catalogue/search.h"', "no include cycle between modules"),
             ("base/util.c", '#include "serve/server.h"', "base/ may not include serve/")]
    for path, line, expect in cases:
        with tempfile.TemporaryDirectory() as t:
            copy = os.path.join(t, "appliance")
            shutil.copytree(APP, copy)
            with open(os.path.join(copy, path), "a") as f:
                f.write("\n" + line + "\n")
            out = subprocess.run([sys.executable, os.path.abspath(__file__), "--root", copy],
                                 capture_output=True, text=True).stdout
            check(expect in out and "not ok" in out, "the checker fails on %s in %s" % (line, path))

sys.exit(main())
