#!/usr/bin/env python3
"""Derives the compact region-offering tables of rules/data/ from the shared fact files.

usage: gen-offering.py SHARED_DATA_DIR OUT_DIR

Reads region-services.json (moto's dump of the SSM global-infrastructure tree) and
cfn-resource-types-by-region.json (cfn-lint's per-region resource-type lists) and writes
region-services.json and cfn-types.json. Each keeps the sorted union of names and, per
region, the names it lacks as index ranges into that union ("0-3 17 20-25"), which is about
a tenth of the size of name lists. See PROVENANCE.md for the sources.
"""
import json
import os
import sys


def ranges(indices):
    out, start, prev = [], None, None
    for i in sorted(indices):
        if start is None:
            start = prev = i
        elif i == prev + 1:
            prev = i
        else:
            out.append((start, prev))
            start = prev = i
    if start is not None:
        out.append((start, prev))
    return " ".join(str(a) if a == b else f"{a}-{b}" for a, b in out)


def write(path, obj):
    with open(path, "w") as fh:
        json.dump(obj, fh, indent=1, sort_keys=False)
        fh.write("\n")


def main():
    src, out = sys.argv[1], sys.argv[2]
    svc = json.load(open(os.path.join(src, "region-services.json")))
    names = sorted(set().union(*(set(r["services"]) for r in svc["regions"].values())))
    idx = {n: i for i, n in enumerate(names)}
    # Global or region-pinned services: absence from a region is not a gap. Both signals of
    # the source are used; sagemaker-geospatial is a regional service offered in us-west-2
    # only, not a global one, so it stays regional.
    glob = set(svc["global_services_hint"]) | set(svc["global_or_pinned_endpoint_services"])
    glob.discard("sagemaker-geospatial")
    regions = {}
    for r in sorted(svc["regions"]):
        have = set(svc["regions"][r]["services"])
        regions[r] = {"count": len(have), "missing": ranges(idx[n] for n in names if n not in have)}
    s = svc["source"]
    write(os.path.join(out, "region-services.json"), {
        "source": {k: s[k] for k in ("repo", "commit", "date", "path", "license")},
        "format": "union + per-region missing index ranges (see PROVENANCE.md)",
        "services": names,
        "global": sorted(glob),
        "regions": regions,
    })

    cfn = json.load(open(os.path.join(src, "cfn-resource-types-by-region.json")))
    types = cfn["all_types"]
    tidx = {t: i for i, t in enumerate(types)}
    copied = cfn["copied_from_us_east_1"]
    cregions = {}
    for r in sorted(cfn["regions"]):
        if r in copied:
            continue  # not real data: a copy of us-east-1
        miss = cfn["regions"][r]["missing"]
        cregions[r] = {"count": len(types) - len(miss), "missing": ranges(tidx[t] for t in miss)}
        assert cregions[r]["count"] == cfn["type_counts"][r]
    c = cfn["source"]
    write(os.path.join(out, "cfn-types.json"), {
        "source": {k: c[k] for k in ("repo", "commit", "date", "path", "license")},
        "format": "union + per-region missing index ranges (see PROVENANCE.md)",
        "copied_from_us_east_1": copied,
        "stale": cfn["stale_not_refreshed"],
        "types": types,
        "regions": cregions,
    })


if __name__ == "__main__":
    main()
