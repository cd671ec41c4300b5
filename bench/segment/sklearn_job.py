"""The peer for bench/segment: scikit-learn's KMeans on the same standardised matrix.
Prints one JSON line: seconds, within-cluster sum of squares (inertia), iterations."""
import json, sys, time
import numpy as np
from sklearn.cluster import KMeans
import sklearn

path, k, restarts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
X = np.loadtxt(path, delimiter=",")
t0 = time.perf_counter()
km = KMeans(n_clusters=k, init="k-means++", n_init=restarts, random_state=0, algorithm="lloyd").fit(X)
t = time.perf_counter() - t0
print(json.dumps({"seconds": t, "wcss": float(km.inertia_), "iterations": int(km.n_iter_), "sklearn": sklearn.__version__}))
