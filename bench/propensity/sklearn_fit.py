"""The peer for bench/propensity: scikit-learn's LogisticRegression on the same matrix, same objective.

Reads the CSV the bench wrote (features..., y), fits with C = 1/penalty (the intercept is not
penalised by lbfgs), and prints the coefficients and the fit's seconds as JSON.
"""
import json
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression

path, penalty = sys.argv[1], float(sys.argv[2])
data = np.loadtxt(path, delimiter=",", skiprows=1)
x, y = data[:, :-1], data[:, -1]
start = time.perf_counter()
model = LogisticRegression(C=1.0 / penalty, solver="lbfgs", tol=1e-10, max_iter=10000)
model.fit(x, y)
seconds = time.perf_counter() - start
print(json.dumps({"intercept": float(model.intercept_[0]), "coefficients": model.coef_[0].tolist(), "seconds": seconds}))
