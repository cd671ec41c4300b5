"""The pandas side of bench/contacts: the same contact log read, its customer references
pseudonymised as civic's intake pseudonymises them (trimmed, lower case, spaces collapsed, then
HMAC-SHA-256 under the key in CIVIC_PSEUDONYM_KEY, once per distinct value), its channels put into the same
vocabulary (given by the bench from civic's CHANNELS, written the way civic's intake keys them),
and the same figures: the channel mix, NI14 (contacts per request, requests with more than one
contact), repeat contact (the same customer and reason within N days), avoidable reasons and
first-contact resolution by tier, counting requests (each by its first contact, found by a lexsort
of request, date-time and row). Written as a pandas user who cares about speed would: string work
done once per distinct value (channels, reasons, flags), references coded with factorize and
counted with bincount, repeat contact by a lexsort of the codes and a comparison with the row
before. (A first, plainer version, with .str methods on every row, value_counts on the request
references and sort_values on the string columns, took about 23 s for the analysis instead of
about 9.) An empty or all-space reason is one group here; civic reads an empty field as NULL, a
group of its own beside an all-space one: the generated file has no all-space values.

Prints one JSON line: seconds, CPU seconds and peak resident memory per phase, and the figures.
Run with Debian's python3 (python3-pandas):
    CIVIC_PSEUDONYM_KEY=... python3 pandas_job.py CONTACTS.csv TIERS.csv VOCABULARY.json AVOIDABLE_JSON DAYS TARGET
"""
import hashlib
import hmac
import json
import os
import re
import sys
import time

import numpy as np
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


seconds, cpu, peak = {}, {}, {}


def phase(name, fn):
    reset_peak()
    t = time.perf_counter()
    c = time.process_time()
    r = fn()
    seconds[name] = time.perf_counter() - t
    cpu[name] = time.process_time() - c
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


SECRET = os.environ["CIVIC_PSEUDONYM_KEY"].strip().lower().encode()


def pseudonymise(df):
    # One keyed hash per distinct reference; a blank reference stays blank (civic: NULL).
    codes, values = pd.factorize(df["customer_ref"])
    out = []
    for v in values:
        n = " ".join(v.strip().lower().split())
        out.append("p_" + hmac.new(SECRET, n.encode(), hashlib.sha256).hexdigest()[:24] if n else "")
    df["customer_ref"] = np.array(out, dtype=object)[codes]
    return df


def normalise(df):
    # One look-up per distinct value; a value the vocabulary does not know is kept as written.
    values = df["channel"].unique()
    mapping = {v: (lookup.get(key(v), v) if v.strip() else v) for v in values}
    df["channel"] = df["channel"].map(mapping)
    return df


def analyse(df):
    n_rows = int(len(df))
    out = {"contacts": n_rows}
    # Counted by the values as written (few), then trimmed: cheaper than trimming every row.
    channels = {}
    for v, n in df["channel"].value_counts().items():
        k = v.strip() or "(blank)"
        channels[k] = channels.get(k, 0) + int(n)
    out["channels"] = channels

    # NI14: contacts per request reference (codes from factorize, counted with bincount).
    codes, refs = pd.factorize(df["request_ref"])
    counts = np.bincount(codes, minlength=len(refs))
    per = counts[np.array([r.strip() != "" for r in refs], dtype=bool)]
    requests = int(len(per))
    multi = int((per > 1).sum())
    out["ni14"] = {
        "requests": requests,
        "contactsPerRequest": float(per.sum()) / requests if requests else None,
        "multiContact": multi,
        "multiContactPct": 100.0 * multi / requests if requests else 0.0,
    }

    # Reasons: each distinct value read as strip().lower() once, then coded.
    reason_codes, reasons = pd.factorize(df["reason"])
    why_of = [r.strip().lower() for r in reasons]
    why_codes_of, whys = pd.factorize(pd.Series(why_of, dtype=object))
    why_code = why_codes_of[reason_codes]

    # Repeat contact: rows with a customer and a readable date, sorted by customer, reason, time;
    # a repeat is a row whose previous row has the same customer and reason within the days.
    ts = pd.to_datetime(df["contact_datetime"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    who_codes, whos = pd.factorize(df["customer_ref"])
    ok = np.array([w.strip() != "" for w in whos], dtype=bool)[who_codes] & ts.notna().to_numpy()
    w, y, t = who_codes[ok], why_code[ok], ts.to_numpy()[ok].astype("int64")
    order = np.lexsort((t, y, w))
    w, y, t = w[order], y[order], t[order]
    within = days * 86_400 * 10**9
    repeats = int(((w[1:] == w[:-1]) & (y[1:] == y[:-1]) & (t[1:] - t[:-1] <= within)).sum())
    checked = int(ok.sum())
    out["repeat"] = {
        "contacts": repeats,
        "pct": 100.0 * repeats / checked if checked else 0.0,
        "notChecked": n_rows - checked,
    }

    # Contacts by reason and resolved flag as written, counted once; avoidable and tiers from them.
    flag_codes, flags = pd.factorize(df["resolved"])
    pair = np.bincount(reason_codes * len(flags) + flag_codes, minlength=len(reasons) * len(flags))
    yes_flag = [f.strip().lower() in YES for f in flags]
    by_why = {}
    for i, r in enumerate(why_of):
        n, yes = by_why.get(r, (0, 0))
        row = pair[i * len(flags) : (i + 1) * len(flags)]
        by_why[r] = (n + int(row.sum()), yes + int(row[yes_flag].sum()))

    avoidable = {r.strip().lower() for r in json.loads(avoidable_json)}
    n = sum(c for r, (c, _) in by_why.items() if r in avoidable)
    out["avoidable"] = {"contacts": n, "pct": 100.0 * n / n_rows if n_rows else 0.0}

    # First-contact resolution by request (civic's decision 35): each request with a reference
    # (as NI14 counts them) by its first contact, the earliest by date-time, an undated contact
    # after every dated one, ties by the row's place in the file; resolved at first contact when
    # the request had that one contact only and it was flagged resolved. Contacts without a
    # reference are left out, and counted.
    with_ref = np.array([r.strip() != "" for r in refs], dtype=bool)[codes]
    yes_row = np.array(yes_flag, dtype=bool)[flag_codes]
    rows_ = np.nonzero(with_ref)[0]  # the rows' places in the file, in order
    c_, t_all = codes[rows_], ts.to_numpy()[rows_]
    undated = np.isnat(t_all)
    t_ns = t_all.astype("int64")
    order = np.lexsort((rows_, t_ns, undated, c_))  # by request, then dated first, time, row
    sorted_codes = c_[order]
    first_at = np.ones(len(order), dtype=bool)
    first_at[1:] = sorted_codes[1:] != sorted_codes[:-1]
    first_rows = rows_[order][first_at]
    one_and_resolved = (counts[codes[first_rows]] == 1) & yes_row[first_rows]
    first_why = why_code[first_rows]
    requests_by_why = np.bincount(first_why, minlength=len(whys))
    resolved_by_why = np.bincount(first_why[one_and_resolved], minlength=len(whys))

    tiers = pd.read_csv(tiers_file, dtype=str, keep_default_na=False)
    tier_of = dict(zip(tiers["reason"].str.strip().str.lower(), tiers["tier"].str.strip()))
    sums, untiered = {}, 0
    for i, r in enumerate(whys):
        c, yes = int(requests_by_why[i]), int(resolved_by_why[i])
        tier = tier_of.get(r) if r != "" else None
        if tier is None:
            untiered += c
            continue
        a, b = sums.get(tier, (0, 0))
        sums[tier] = (a + c, b + yes)
    rows = {}
    for t_ in sorted(set(tier_of.values()), key=lambda x: (len(x), x)):
        size, resolved = sums.get(t_, (0, 0))
        pct = 100.0 * resolved / size if size else None
        rows[t_] = {
            "count": size,
            "resolved": resolved,
            "resolvedPct": pct,
            "meetsTarget": None if pct is None else pct >= target,
        }
    out["tiers"] = {
        "basis": "request",
        "rows": rows,
        "untiered": untiered,
        "withoutRequest": n_rows - int(with_ref.sum()),
    }
    return out


t0 = time.perf_counter()
df = phase("read", read)
df = phase("pseudonymise", lambda: pseudonymise(df))
df = phase("normalise", lambda: normalise(df))
figures = phase("analysis", lambda: analyse(df))
seconds["total"] = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "cpu": cpu, "peakMb": peak, "pandas": pd.__version__, "figures": figures}))
