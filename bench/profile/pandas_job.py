"""The same profiling job in pandas, for comparison: read the postcode directory, base,
classification and records; normalise postcodes; join; count per segment; penetration and index.
Prints one JSON line of phase timings. Run with Debian's python3 (python3-pandas)."""
import json, sys, time
import pandas as pd

postcodes, base, classification, records = sys.argv[1:5]
t = {}
t0 = time.perf_counter()
pc = pd.read_csv(postcodes, dtype=str, usecols=["pcds", "doterm", "lat", "long", "oa21cd"])
pc["key"] = pc["pcds"].str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
pc = pc.drop_duplicates("key")
t["directory"] = time.perf_counter() - t0
t1 = time.perf_counter()
b = pd.read_csv(base, dtype={"area_code": str})
c = pd.read_csv(classification, dtype=str)
t["base_and_classification"] = time.perf_counter() - t1
t2 = time.perf_counter()
rec = pd.read_csv(records, dtype=str, keep_default_na=False)
rec["key"] = rec["postcode"].str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
m = rec.merge(pc[["key", "oa21cd"]], on="key", how="left")
matched = m[m["oa21cd"].notna()]
t["records"] = time.perf_counter() - t2
t3 = time.perf_counter()
seg = matched.merge(c[["area_code", "group"]], left_on="oa21cd", right_on="area_code", how="inner")
counts = seg.groupby("group").size().rename("count")
bases = b.merge(c[["area_code", "group"]], on="area_code").groupby("group")["households"].sum().rename("base")
prof = pd.concat([counts, bases], axis=1).fillna(0)
prof["filePct"] = prof["count"] / prof["count"].sum() * 100
prof["basePct"] = prof["base"] / prof["base"].sum() * 100
prof["penetration"] = prof["count"] / prof["base"] * 100
prof["index"] = prof["filePct"] / prof["basePct"] * 100
t["profile"] = time.perf_counter() - t3
t["total"] = time.perf_counter() - t0
print(json.dumps({"timings": t, "read": int(len(rec)), "matched": int(len(matched)), "profiledCount": int(prof["count"].sum()), "groups": int(len(prof)), "pandas": pd.__version__}))
