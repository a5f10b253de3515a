"""Likelihoods the analysis needs beyond statsmodels' defaults.

``fit_ordered_logit`` maximises a (possibly weighted) ordered-logit likelihood: statsmodels'
``OrderedModel`` takes no weights, and both the non-response weights of the analysis and the
"expected" data of the synthetic truth (each row once per category, weighted by its
probability) need them. Unit weights give exactly ``OrderedModel``'s estimates (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special


@dataclass(frozen=True)
class OrderedFit:
    """Slopes ``beta`` (no constant) and increasing cut points ``cuts``."""

    beta: np.ndarray
    cuts: np.ndarray
    loglik: float
    converged: bool


def _unpack(theta: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    beta = theta[:k]
    # First cut free, later ones as log increments so they stay ordered (as in OrderedModel).
    cuts = np.cumsum(np.concatenate([theta[k : k + 1], np.exp(theta[k + 1 :])]))
    return beta, cuts


def ordered_probabilities(x: np.ndarray, beta: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """P(y = j | x) for j = 0..len(cuts), logistic link."""
    eta = x @ beta
    upper = np.column_stack([special.expit(c - eta) for c in cuts] + [np.ones_like(eta)])
    lower = np.column_stack([np.zeros_like(eta)] + [special.expit(c - eta) for c in cuts])
    return upper - lower


def fit_ordered_logit(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None, start=None) -> OrderedFit:
    """Weighted ordered logit by BFGS; ``y`` takes values 0..J-1, ``x`` has no constant."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=int)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    k, n_cats = x.shape[1], int(y.max()) + 1
    rows = np.arange(len(y))

    def negloglik(theta):
        beta, cuts = _unpack(theta, k)
        p = ordered_probabilities(x, beta, cuts)[rows, y]
        return -np.sum(w * np.log(np.clip(p, 1e-300, None)))

    if start is None:
        shares = np.bincount(y, weights=w, minlength=n_cats).cumsum()[:-1] / w.sum()
        logits = special.logit(np.clip(shares, 1e-6, 1 - 1e-6))
        start = np.concatenate([np.zeros(k), logits[:1], np.log(np.maximum(np.diff(logits), 1e-3))])
    result = optimize.minimize(negloglik, start, method="BFGS", options={"gtol": 1e-7, "maxiter": 2000})
    beta, cuts = _unpack(result.x, k)
    return OrderedFit(beta=beta, cuts=cuts, loglik=-float(result.fun), converged=bool(result.success))
