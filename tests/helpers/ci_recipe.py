#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ci_recipe.py KIND FILE WORKDIR: run the shell steps of a CI recipe (docs/ci/) the way
its runner would, in WORKDIR, and print each command before it runs.

KIND github: every job, in file order; its `env` (values with ${{ }} must come from the
environment); every `run:` step under `bash -e -o pipefail`; lines appended to
$GITHUB_PATH join PATH for the following steps; `uses:` steps are the runner's.
KIND gitlab: every job, in the order of `stages`; global then job `variables`; its
before_script and script lines in one bash session under `set -e -o pipefail`.

Variables already in the environment win over the recipe's (the test sets QT_PREFIX to a
temporary directory and the secrets). Exit status: the first failing step's, else 0.
"""
import os
import subprocess
import sys
import tempfile

import yaml


def env_for(*maps):
    env = dict(os.environ)
    for m in maps:
        for k, v in (m or {}).items():
            v = str(v)
            if k in os.environ:
                continue
            if "${{" in v:
                sys.exit("ci_recipe: %s needs a value from the environment" % k)
            env[k] = v
    return env


def run_bash(script, env, cwd, show=True):
    if show:
        print(script.rstrip("\n"), flush=True)
    return subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c",
                           script], env=env, cwd=cwd).returncode


def github(doc, cwd):
    ghpath = tempfile.NamedTemporaryFile(prefix="github_path.", delete=False).name
    for name, job in doc["jobs"].items():
        env = env_for(doc.get("env"), job.get("env"))
        env["GITHUB_PATH"] = ghpath
        for step in job["steps"]:
            if "run" not in step:
                print("# %s: uses %s (the runner's)" % (name, step.get("uses")), flush=True)
                continue
            print("# %s: %s" % (name, step.get("name", "run")), flush=True)
            rc = run_bash(step["run"], env, cwd)
            if rc != 0:
                return rc
            with open(ghpath) as f:
                extra = [line.strip() for line in f if line.strip()]
            env["PATH"] = ":".join(extra[::-1] + [os.environ["PATH"]])
    return 0


def gitlab(doc, cwd):
    jobs = {k: v for k, v in doc.items() if isinstance(v, dict) and "script" in v}
    for stage in doc["stages"]:
        for name, job in jobs.items():
            if job.get("stage") != stage:
                continue
            print("# %s (stage %s)" % (name, stage), flush=True)
            env = env_for(doc.get("variables"), job.get("variables"))
            lines = job.get("before_script", []) + job["script"]
            script = "".join('echo "\\$ "%s\n%s\n' % (sh_quote(l), l) for l in lines)
            rc = run_bash(script, env, cwd, show=False)
            if rc != 0:
                return rc
    return 0


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def main():
    kind, path, cwd = sys.argv[1:4]
    with open(path) as f:
        doc = yaml.safe_load(f)
    return github(doc, cwd) if kind == "github" else gitlab(doc, cwd)


if __name__ == "__main__":
    sys.exit(main())
