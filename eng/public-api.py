#!/usr/bin/env python3
"""Brings PublicAPI.Unshipped.txt in line with the code: builds each packable project, adds the symbols RS0016
reports as undeclared and removes the ones RS0017 reports as gone. Usage: eng/public-api.py [project-dir ...]"""
import glob, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
dirs = sys.argv[1:] or sorted(os.path.dirname(p) for p in glob.glob(os.path.join(root, "src", "*", "PublicAPI.Unshipped.txt")))
for d in dirs:
    d = os.path.abspath(d)
    for _ in range(3):
        out = subprocess.run(["dotnet", "build", d, "-f", "net10.0", "-p:TreatWarningsAsErrors=false", "--no-incremental", "-v:q", "-clp:NoSummary"],
                             capture_output=True, text=True).stdout
        add = set(re.findall(r"RS0016: Symbol '(.+?)' is not part of the declared public API", out))
        remove = set(re.findall(r"RS0017: Symbol '(.+?)' is part of the declared API", out))
        if not add and not remove:
            break
        path = os.path.join(d, "PublicAPI.Unshipped.txt")
        lines = [l.rstrip("\n") for l in open(path, encoding="utf-8")]
        header = [l for l in lines if l.startswith("#")] or ["#nullable enable"]
        body = {l for l in lines if l and not l.startswith("#")}
        body = (body | add) - remove
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(header + sorted(body, key=str.lower)) + "\n")
        print(f"{os.path.basename(d)}: +{len(add)} -{len(remove)}")
