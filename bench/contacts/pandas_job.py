"""The pandas side of bench/contacts: the same contact log read, its channels put into the same
vocabulary (given by the bench from civic's CHANNELS, written the way civic's intake keys them),
and the same figures: the channel mix, NI14 (contacts per request, requests with more than one
contact), repeat contact (the same customer and reason within N days), avoidable reasons and
first-contact resolution by tier. Written as a pandas user would: vectorised, one map over the
distinct channel values, a sort and a shift for repeat contact.

Prints one JSON line: seconds and peak resident memory per phase, and the figures.
Run with Debian's python3 (python3-pandas):
    python3 pandas_job.py CONTACTS.csv TIERS.csv VOCABULARY.json AVOIDABLE_JSON DAYS TARGET
"""
import json
import re
import sys
import time

import pandas as pd

contacts_file, tiers_file, vocabulary_file, avoidable_json, days, target = sys.argv[1:7]
days = int(days)
target = float(target)


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


seconds, peak = {}, {}


def phase(name, fn):
    reset_peak()
    t = time.perf_counter()
    r = fn()
    seconds[name] = time.perf_counter() - t
    peak[name] = peak_mb()
    return r


def key(v):
    v = re.sub(r"[-_/.]+", " ", v.lower())
    return re.sub(r"\s+", " ", v).strip()


with open(vocabulary_file) as f:
    vocabulary = json.load(f)
lookup = {}
for channel, ways in vocabulary.items():
    lookup[key(channel)] = channel
    for w in ways:
        lookup[key(w)] = channel

YES = {"y", "yes", "true", "1", "resolved"}


def read():
    return pd.read_csv(contacts_file, dtype=str, keep_default_na=False, na_filter=False)


def normalise(df):
    # One look-up per distinct value; a value the vocabulary does not know is kept as written.
    values = df["channel"].unique()
    mapping = {v: (lookup.get(key(v), v) if v.strip() else v) for v in values}
    df["channel"] = df["channel"].map(mapping)
    return df


def analyse(df):
    out = {"contacts": int(len(df))}
    ch = df["channel"].str.strip().replace("", "(blank)")
    out["channels"] = {k: int(v) for k, v in ch.value_counts().items()}

    ref = df["request_ref"]
    per = ref[ref.str.strip() != ""].value_counts()
    requests = int(len(per))
    out["ni14"] = {
        "requests": requests,
        "contactsPerRequest": float(per.sum()) / requests if requests else None,
        "multiContact": int((per > 1).sum()),
        "multiContactPct": 100.0 * int((per > 1).sum()) / requests if requests else 0.0,
    }

    why = df["reason"].str.strip().str.lower()
    ts = pd.to_datetime(df["contact_datetime"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    ok = (df["customer_ref"].str.strip() != "") & ts.notna()
    c = pd.DataFrame({"who": df["customer_ref"][ok], "why": why[ok], "ts": ts[ok]})
    c = c.sort_values(["who", "why", "ts"], kind="stable")
    same = (c["who"] == c["who"].shift()) & (c["why"] == c["why"].shift())
    repeats = int((same & ((c["ts"] - c["ts"].shift()) <= pd.Timedelta(days=days))).sum())
    checked = int(ok.sum())
    out["repeat"] = {
        "contacts": repeats,
        "pct": 100.0 * repeats / checked if checked else 0.0,
        "notChecked": int(len(df)) - checked,
    }

    avoidable = [r.strip().lower() for r in json.loads(avoidable_json)]
    n = int(why.isin(avoidable).sum())
    out["avoidable"] = {"contacts": n, "pct": 100.0 * n / len(df) if len(df) else 0.0}

    tiers = pd.read_csv(tiers_file, dtype=str, keep_default_na=False)
    tier_of = dict(zip(tiers["reason"].str.strip().str.lower(), tiers["tier"].str.strip()))
    tier = why.map(tier_of)
    yes = df["resolved"].str.strip().str.lower().isin(YES)
    g = pd.DataFrame({"tier": tier, "yes": yes}).groupby("tier")["yes"].agg(["size", "sum"])
    rows = {}
    for t in sorted(set(tier_of.values()), key=lambda x: (len(x), x)):
        size = int(g["size"].get(t, 0))
        resolved = int(g["sum"].get(t, 0))
        pct = 100.0 * resolved / size if size else None
        rows[t] = {
            "contacts": size,
            "resolved": resolved,
            "resolvedPct": pct,
            "meetsTarget": None if pct is None else pct >= target,
        }
    out["tiers"] = {"rows": rows, "untiered": int(tier.isna().sum())}
    return out


t0 = time.perf_counter()
df = phase("read", read)
df = phase("normalise", lambda: normalise(df))
figures = phase("analysis", lambda: analyse(df))
seconds["total"] = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "peakMb": peak, "pandas": pd.__version__, "figures": figures}))
