#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""man_walk.py PAGE START [END]: run the shell commands of a walkthrough in an mdoc page,
exactly as the page shows them, in the current directory.

The walkthrough is every `.Bd -literal` block from the first line holding START to the
first line holding END (default: the next `.Sh`). In a block, a line starting with "$ "
is a command (a line ending in a backslash, written \\e in mdoc, continues it); the
lines after it, up to the next command, are the output the page promises, compared with
what the command prints once the two things that differ on every run are masked in
both: an envelope's keyid ("keyid <16 hex>...") and the instant of a validity check
("valid at <time>"). Commands run under bash -e -o pipefail. Exit status: 1 at the first
command that fails or prints other than promised, else 0.
"""
import re
import subprocess
import sys

MASKS = [(re.compile(r"keyid [0-9a-f]{16}\.\.\."), "keyid KEYID..."),
         (re.compile(r"valid at \S+"), "valid at TIME")]


def unescape(s):
    return s.replace("\\e", "\\").replace("\\&", "").replace("\\(dq", '"').replace("\\-", "-")


def walkthrough(path, start, end):
    steps, inside, on, cmd = [], False, False, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not on:
            on = start in line
            continue
        if (end is not None and end in line) or (end is None and line.startswith(".Sh ")):
            break
        if line.startswith(".Bd -literal"):
            inside = True
            continue
        if line == ".Ed":
            inside = False
            continue
        if not inside:
            continue
        text = unescape(line)
        if cmd is not None and cmd.endswith("\\"):
            cmd = cmd + "\n" + text
            steps[-1][0] = cmd
            continue
        if text.startswith("$ "):
            cmd = text[2:]
            steps.append([cmd, []])
        elif steps:
            steps[-1][1].append(text)
    return steps


def mask(lines):
    out = []
    for l in lines:
        for rx, rep in MASKS:
            l = rx.sub(rep, l)
        out.append(l)
    return out


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    steps = walkthrough(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else None)
    if not steps:
        print("man_walk: no walkthrough after '%s' in %s" % (sys.argv[2], sys.argv[1]))
        return 1
    for cmd, want in steps:
        print("$ " + cmd, flush=True)
        p = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", cmd],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            print("man_walk: exit %d: %s" % (p.returncode, p.stderr.strip()))
            return 1
        got = p.stdout.splitlines()
        if want and mask(got) != mask(want):
            print("man_walk: output differs\n--- page\n%s\n--- got\n%s" %
                  ("\n".join(want), "\n".join(got)))
            return 1
    print("man_walk: %d commands as the page shows them" % len(steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
