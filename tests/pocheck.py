#!/usr/bin/env python3
"""pocheck.py POT PO...: every catalogue holds exactly the messages of the
template (no missing, no extra, no fuzzy, obsolete or empty one, as many
plural forms as its Plural-Forms says), each translation with the same tags in
the same order and the same {placeholders} and %-conversions (a plural form may
leave its number out). Prints "not ok" lines; exit 1 on any. The server checks
the same at start-up (site/i18n.c); this names every fault at once."""
import re, sys

def parse(path):
    """msgid (with its plural) -> (msgstr forms, flags), and the header."""
    entries, cur, key, flags = {}, None, None, ""
    def close():
        if cur is not None and cur.get("id") is not None:
            entries[(cur["id"], cur.get("pl"))] = (cur.get("str", []), cur.get("flags", ""))
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#~"):
            sys.exit(f"{path}: obsolete entry: {line}")
        if line.startswith("#,"):
            flags += line
        m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[(\d+)\])?) "(.*)"$', line)
        if m:
            what, val = m.group(1), bytes(m.group(3), "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
            if what == "msgid":
                close()
                cur, flags = {"id": val, "flags": flags}, ""
                key = "id"
            elif what == "msgid_plural":
                cur["pl"] = val; key = "pl"
            else:
                cur.setdefault("str", []).append(val); key = "str"
        elif line.startswith('"') and cur is not None:
            val = bytes(line[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
            if key == "str":
                cur["str"][-1] += val
            else:
                cur[key] += val
    close()
    header = entries.pop(("", None), ([""], ""))[0][0]
    return entries, header

def shape(s):
    tags = re.findall(r"<[/a-zA-Z][^>]*>", s)
    rest = re.sub(r"<[/a-zA-Z][^>]*>", "", s)
    return tags, sorted(re.findall(r"\{[^}]*\}", rest) + re.findall(r"%.", s))

pot, _ = parse(sys.argv[1])
bad = 0
for po in sys.argv[2:]:
    name = po.rsplit("/", 1)[-1]
    got, header = parse(po)
    m = re.search(r"nplurals=(\d+)", header)
    nplurals = int(m.group(1)) if m else 0
    missing = [k for k in pot if k not in got]
    extra = [k for k in got if k not in pot]
    for k in missing:
        print(f"not ok - {name}: missing {k[0]!r}"); bad += 1
    for k in extra:
        print(f"not ok - {name}: extra {k[0]!r}"); bad += 1
    for (mid, mpl), (strs, fl) in got.items():
        if "fuzzy" in fl:
            print(f"not ok - {name}: fuzzy {mid!r}"); bad += 1
        want = nplurals if mpl is not None else 1
        if len(strs) != want or any(s == "" for s in strs):
            print(f"not ok - {name}: {mid!r} has {len(strs)} non-empty forms of {want}"); bad += 1
            continue
        tags, phs = shape(mid)
        for s in strs:
            t2, p2 = shape(s)
            if t2 != tags:
                print(f"not ok - {name}: {mid!r}: tags {t2} differ from {tags}"); bad += 1
            if mpl is None and p2 != phs:
                print(f"not ok - {name}: {mid!r}: placeholders {p2} differ from {phs}"); bad += 1
            if mpl is not None and not set(p2) <= set(phs):
                print(f"not ok - {name}: {mid!r}: unknown placeholders in {s!r}"); bad += 1
    print(f"# {name}: {len(got)} messages of {len(pot)}")
sys.exit(1 if bad else 0)
