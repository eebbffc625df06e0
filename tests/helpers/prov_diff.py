#!/usr/bin/env python3
# prov_diff.py A B: how statement B (qt-build --provenance) differs from A
# (qt-measure provenance of the same image), read with json only: the builder id,
# the external parameters B adds, the dependencies B adds (name and role). Exit 1
# when B drops or changes anything A has (it may only add). Used by provenance.bats.
import json
import sys

a = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
bad = []
if a["subject"] != b["subject"]:
    bad.append("subject differs")
pa, pb = a["predicate"], b["predicate"]
ba, bb = pa["runDetails"]["builder"]["id"], pb["runDetails"]["builder"]["id"]
print("builder %s -> %s" % (ba.split("/")[-2], bb.split("/")[-2]))
ea = pa["buildDefinition"]["externalParameters"]
eb = pb["buildDefinition"]["externalParameters"]
for k, v in ea.items():
    if k == "rootfs":
        if any(eb.get(k, {}).get(kk) != vv for kk, vv in v.items()):
            bad.append("externalParameters.rootfs changed")
    elif eb.get(k) != v:
        bad.append("externalParameters.%s changed" % k)
added = [k for k in eb if k not in ea]
print("externalParameters + " + " ".join(added) if added else "externalParameters same")
da = pa["buildDefinition"]["resolvedDependencies"]
db = pb["buildDefinition"]["resolvedDependencies"]
if db[:len(da)] != da:
    bad.append("resolvedDependencies: A's are not B's first")
print("resolvedDependencies + " + " ".join(
    "%s (%s)" % (d["name"], d.get("annotations", {}).get("qt.role", "?")) for d in db[len(da):]))
if pa["runDetails"].get("byproducts") != pb["runDetails"].get("byproducts"):
    bad.append("byproducts differ")
for m in bad:
    print("differs: " + m)
sys.exit(1 if bad else 0)
