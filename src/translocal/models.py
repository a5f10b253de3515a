"""The models of the analysis, as small functions on plain arrays and data frames.

- **Ordered logit** of assemblage strength, ``P(y <= j | x) = expit(cut_j - x'beta)``, no
  constant (the cut points take its place). statsmodels' ``OrderedModel`` fits it unweighted;
  it takes no weights, so ``WeightedOrderedLogit`` writes the weighted (pseudo-)likelihood on
  ``GenericLikelihoodModel`` with analytic scores: unit weights reproduce ``OrderedModel``
  exactly, integer weights reproduce replicated rows (both tested), and the cluster-robust
  sandwich works as for any statsmodels likelihood model.
- **Binary logits** and the **binomial GLM** of the number of policies come from statsmodels;
  ``binary_logit`` and ``policies_glm`` only add the sample handling (clusters, weights,
  terms that cannot be estimated in a subsample).
- **Average marginal effects** and **predicted-probability curves** of the ordered model, and
  a **prefecture cluster bootstrap** for their intervals (``OrderedModel`` has none built in).

The parameterisation of the cut points follows ``OrderedModel``: the first cut point, then
the logarithms of the increments, so the cut points stay ordered during optimisation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, special, stats
from statsmodels.base.model import GenericLikelihoodModel
from statsmodels.miscmodels.ordinal_model import OrderedModel


# --------------------------------------------------------------------------- ordered logit core
def cuts_from_params(theta_cuts: np.ndarray) -> np.ndarray:
    """Increasing cut points from OrderedModel's parameters (first cut, log increments)."""
    theta_cuts = np.asarray(theta_cuts, dtype=float)
    return np.cumsum(np.concatenate([theta_cuts[:1], np.exp(theta_cuts[1:])]))


def params_from_cuts(cuts: np.ndarray) -> np.ndarray:
    """The inverse of ``cuts_from_params``."""
    cuts = np.asarray(cuts, dtype=float)
    return np.concatenate([cuts[:1], np.log(np.diff(cuts))])


def ordered_probabilities(x: np.ndarray, beta: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """P(y = j | x) for j = 0..len(cuts), logistic link."""
    eta = np.asarray(x, dtype=float) @ np.asarray(beta, dtype=float)
    cdf = special.expit(np.asarray(cuts)[None, :] - eta[:, None])
    upper = np.column_stack([cdf, np.ones_like(eta)])
    lower = np.column_stack([np.zeros_like(eta), cdf])
    return upper - lower


def ordered_loglikeobs(theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Log-likelihood contribution of each observation (unweighted): ``partial_loglikeobs``
    with no free term."""
    return partial_loglikeobs(theta, x, y, ())


def ordered_score_obs(theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Analytic score of each observation with respect to (beta, cut parameters):
    ``partial_score_obs`` with no free term."""
    return partial_score_obs(theta, x, y, ())


def _start(y: np.ndarray, w: np.ndarray, k: int, n_cats: int) -> np.ndarray:
    shares = np.bincount(y, weights=w, minlength=n_cats).cumsum()[:-1] / w.sum()
    logits = special.logit(np.clip(shares, 1e-6, 1 - 1e-6))
    return np.concatenate(
        [np.zeros(k), params_from_cuts(np.maximum.accumulate(logits + np.arange(len(logits)) * 1e-3))]
    )


@dataclass(frozen=True)
class OrderedFit:
    """Slopes ``beta`` (no constant) and increasing cut points ``cuts``."""

    beta: np.ndarray
    cuts: np.ndarray
    loglik: float
    converged: bool


def fit_ordered_logit(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None, start=None) -> OrderedFit:
    """Weighted ordered logit by BFGS with analytic gradient; ``y`` in 0..J-1, no constant in ``x``.

    The fast path for the bootstrap and the synthetic truth: point estimates only."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=int)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    k, n_cats = x.shape[1], int(y.max()) + 1
    if start is None:
        start = _start(y, w, k, n_cats)

    def negloglik(theta):
        return -np.sum(w * ordered_loglikeobs(theta, x, y))

    def gradient(theta):
        return -(w[:, None] * ordered_score_obs(theta, x, y)).sum(axis=0)

    result = optimize.minimize(negloglik, start, jac=gradient, method="BFGS", options={"gtol": 1e-6, "maxiter": 2000})
    # BFGS often stops with "precision loss" at the optimum of a likelihood summed over ~1,000
    # rows; what matters is that the gradient is (numerically) zero there.
    converged = bool(result.success) or float(np.max(np.abs(gradient(result.x)))) < 1e-3
    return OrderedFit(
        beta=result.x[:k], cuts=cuts_from_params(result.x[k:]), loglik=-float(result.fun), converged=converged
    )


class WeightedOrderedLogit(GenericLikelihoodModel):
    """Ordered logit with observation weights (e.g. inverse response probabilities), and its
    partial proportional-odds form.

    ``endog`` takes the values 0..J-1; ``exog`` has no constant. The log-likelihood is
    ``sum_i w_i log P(y_i | x_i)``; weights are used as given (normalise them to mean 1 if
    they are probability weights, so that the likelihood keeps the scale of the sample).
    The terms listed in ``free`` (column names of ``exog``) get their own slope at each step
    after the first: P(y <= m) = expit(cut_m - x'beta - x_free'delta_m), delta_0 = 0; with no
    free term it is the ordered (proportional-odds) logit. Parameters: the slopes (for a free
    term, its slope at the first step), the increments of the free terms at each later step
    (``<term> Δ<m>/<m+1>``), then ``cut_0/1`` and the log increments ``cut_1/2`` ... as in
    ``OrderedModel``. Fit with ``method="bfgs"``; ``cov_type="cluster"`` gives the
    cluster-robust sandwich of the weighted likelihood.
    """

    def __init__(self, endog, exog, weights=None, free=(), **kwds):
        endog_values = np.asarray(endog, dtype=int)
        n_cats = int(endog_values.max()) + 1
        columns = list(exog.columns) if hasattr(exog, "columns") else [f"x{i}" for i in range(np.shape(exog)[1])]
        unknown = [t for t in free if t not in columns]
        if unknown:
            raise KeyError(f"free terms not in the design: {unknown}")
        self.free = [columns.index(t) for t in free]
        names = [f"{t} Δ{m}/{m + 1}" for m in range(1, n_cats - 1) for t in free]
        names += [f"cut_{j}/{j + 1}" for j in range(n_cats - 1)]
        super().__init__(endog, exog, extra_params_names=names, **kwds)
        # No constant among the exog; the cut points are the extra parameters.
        self.k_constant, self.df_model = 0, float(self.exog.shape[1])
        self.df_resid = float(self.exog.shape[0] - self.exog.shape[1] - len(names))
        self.weights = np.ones(len(endog_values)) if weights is None else np.asarray(weights, dtype=float)
        self.n_cats = n_cats
        self._y = endog_values
        self._x = np.asarray(self.exog, dtype=float)

    def loglikeobs(self, params):
        return self.weights * partial_loglikeobs(np.asarray(params, dtype=float), self._x, self._y, self.free)

    def score_obs(self, params):
        return self.weights[:, None] * partial_score_obs(np.asarray(params, dtype=float), self._x, self._y, self.free)

    def score(self, params):
        return self.score_obs(params).sum(axis=0)

    def fit(self, start_params=None, method="bfgs", maxiter=2000, **kwargs):
        if start_params is None and self.free:
            # from the proportional-odds fit, the increments at zero
            ordered = fit_ordered_logit(self._x, self._y, weights=self.weights)
            increments = np.zeros(len(self.free) * (self.n_cats - 2))
            start_params = np.concatenate([ordered.beta, increments, params_from_cuts(ordered.cuts)])
        elif start_params is None:
            start_params = _start(self._y, self.weights, self._x.shape[1], self.n_cats)
        kwargs.setdefault("gtol", 1e-8)
        return super().fit(start_params=start_params, method=method, maxiter=maxiter, disp=0, **kwargs)

    def loglike_null(self) -> float:
        """Weighted log-likelihood of the cut-points-only model (for the pseudo-R²)."""
        totals = np.bincount(self._y, weights=self.weights, minlength=self.n_cats)
        shares = totals / totals.sum()
        return float(np.sum(totals[totals > 0] * np.log(shares[totals > 0])))


# --------------------------------------------------------------------------- partial proportional odds
def partial_probabilities(x: np.ndarray, beta: np.ndarray, delta: np.ndarray, free, cuts: np.ndarray) -> np.ndarray:
    """P(y = j | x) of the partial proportional-odds logit: P(y <= m) = expit(cut_m - eta_m)
    with eta_0 = x'beta and eta_m = x'beta + x_free'delta_m for the later steps. ``delta`` has
    one row per later step (J - 2 rows), one column per free term (indices ``free`` of x).
    A category's probability can come out negative where the steps' lines cross; it is
    returned as computed (``negative_probabilities`` counts such rows)."""
    x = np.asarray(x, dtype=float)
    delta = np.asarray(delta, dtype=float).reshape(len(cuts) - 1, len(free))
    base = x @ np.asarray(beta, dtype=float)
    etas = [base] + [base + x[:, free] @ d for d in delta]
    cdf = np.column_stack([special.expit(c - e) for c, e in zip(cuts, etas)])
    upper = np.column_stack([cdf, np.ones(len(x))])
    lower = np.column_stack([np.zeros(len(x)), cdf])
    return upper - lower


def _partial_unpack(theta: np.ndarray, k: int, n_free: int, n_cuts: int):
    beta = theta[:k]
    delta = theta[k : k + n_free * (n_cuts - 1)].reshape(n_cuts - 1, n_free)
    return beta, delta, cuts_from_params(theta[k + n_free * (n_cuts - 1) :])


def _partial_bounds(x, y, beta, delta, free, cuts):
    """Latent bounds of each observation's category under the step-specific linear predictors."""
    base = x @ beta
    etas = np.column_stack([base] + [base + x[:, free] @ d for d in delta])  # each step's eta, n x n_cuts
    padded_cuts = np.concatenate([[-np.inf], cuts, [np.inf]])
    padded_eta = np.column_stack([np.zeros(len(y)), etas, np.zeros(len(y))])
    rows = np.arange(len(y))
    return padded_cuts[y] - padded_eta[rows, y], padded_cuts[y + 1] - padded_eta[rows, y + 1]


def _partial_n_cuts(theta: np.ndarray, k: int, n_free: int) -> int:
    """Number of cut points: len(theta) = k + n_free (n_cuts - 1) + n_cuts."""
    return (len(theta) - k + n_free) // (1 + n_free)


def partial_loglikeobs(theta: np.ndarray, x: np.ndarray, y: np.ndarray, free) -> np.ndarray:
    """Log-likelihood contribution of each observation (unweighted); a non-positive
    probability (crossing steps) contributes log(1e-300), which the optimum avoids."""
    k, n_free = x.shape[1], len(free)
    beta, delta, cuts = _partial_unpack(theta, k, n_free, _partial_n_cuts(theta, k, n_free))
    lo, hi = _partial_bounds(x, y, beta, delta, free, cuts)
    return np.log(np.clip(special.expit(hi) - special.expit(lo), 1e-300, None))


def partial_score_obs(theta: np.ndarray, x: np.ndarray, y: np.ndarray, free) -> np.ndarray:
    """Analytic score of each observation with respect to (beta, delta, cut parameters).

    With p = F(hi) - F(lo), hi = cut_y - eta_y, lo = cut_{y-1} - eta_{y-1}: d log p / d beta =
    -x (f(hi) - f(lo)) / p as in the ordered logit; d log p / d cut_m = (f(hi) [m = y] - f(lo)
    [m = y - 1]) / p; and d log p / d delta_m = -x_free times the same bracket, for m >= 1."""
    k, n_free = x.shape[1], len(free)
    n_cuts = _partial_n_cuts(theta, k, n_free)
    beta, delta, cuts = _partial_unpack(theta, k, n_free, n_cuts)
    lo, hi = _partial_bounds(x, y, beta, delta, free, cuts)
    p = np.clip(special.expit(hi) - special.expit(lo), 1e-300, None)
    f_lo = np.where(np.isfinite(lo), stats.logistic.pdf(lo), 0.0)
    f_hi = np.where(np.isfinite(hi), stats.logistic.pdf(hi), 0.0)
    d_beta = -x * ((f_hi - f_lo) / p)[:, None]
    d_cut = np.zeros((len(y), n_cuts))
    rows = np.arange(len(y))
    upper = y < n_cuts
    d_cut[rows[upper], y[upper]] += f_hi[upper] / p[upper]
    lower = y > 0
    d_cut[rows[lower], y[lower] - 1] -= f_lo[lower] / p[lower]
    xf = x[:, free]
    d_delta = np.column_stack([-xf * d_cut[:, [m]] for m in range(1, n_cuts)]) if n_free else np.zeros((len(y), 0))
    jac = np.zeros((n_cuts, n_cuts))
    jac[:, 0] = 1.0
    offset = k + n_free * (n_cuts - 1)
    for m in range(n_cuts):
        for ell in range(1, m + 1):
            jac[m, ell] = np.exp(theta[offset + ell])
    return np.column_stack([d_beta, d_delta, d_cut @ jac])


def fit_partial_ordered_logit(x: np.ndarray, y: np.ndarray, free, weights=None):
    """Point estimates of the partial proportional-odds logit (the fast path for the
    bootstrap): ``(beta, delta, cuts, converged)``; ``free`` are column indices of ``x``."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=int)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    free = list(free)
    ordered = fit_ordered_logit(x, y, weights=w)
    if not free:
        return ordered.beta, np.zeros((len(ordered.cuts) - 1, 0)), ordered.cuts, ordered.converged
    n_cuts = len(ordered.cuts)
    start = np.concatenate([ordered.beta, np.zeros(len(free) * (n_cuts - 1)), params_from_cuts(ordered.cuts)])

    def negloglik(theta):
        return -np.sum(w * partial_loglikeobs(theta, x, y, free))

    def gradient(theta):
        return -(w[:, None] * partial_score_obs(theta, x, y, free)).sum(axis=0)

    result = optimize.minimize(negloglik, start, jac=gradient, method="BFGS", options={"gtol": 1e-6, "maxiter": 4000})
    converged = bool(result.success) or float(np.max(np.abs(gradient(result.x)))) < 1e-3
    beta, delta, cuts = _partial_unpack(result.x, x.shape[1], len(free), n_cuts)
    return beta, delta, cuts, converged


def negative_probabilities(x: np.ndarray, beta, delta, free, cuts) -> int:
    """Rows of ``x`` with a negative predicted category probability (the steps cross)."""
    return int((partial_probabilities(x, beta, delta, free, cuts) < 0).any(axis=1).sum())


def free_terms(split_table: pd.DataFrame, alpha: float = 0.05) -> list[str]:
    """The rule that frees a term in the partial proportional-odds model, fixed before looking
    at the results (docs/codebook.md): a term is freed when the slopes of the two cumulative
    splits differ at level ``alpha`` (two-sided z of ``cumulative_split_test``, prefecture-
    clustered) and it varies across enough prefectures to be judged with clustered standard
    errors (``in_omnibus``: continuous terms, and 0/1 terms that are 1 in at least five
    prefectures). A dummy that lives in one prefecture, like the special wards, is never
    freed this way."""
    crit = stats.norm.ppf(1 - alpha / 2)
    chosen = split_table.loc[split_table["in_omnibus"] & (split_table["z"].abs() > crit), "term"]
    return list(chosen)


# --------------------------------------------------------------------------- sample handling
def estimable_terms(x: pd.DataFrame, y: pd.Series | np.ndarray, min_count: int = 1) -> tuple[list[str], dict]:
    """Columns of ``x`` that can be estimated in this sample, and why the others cannot.

    A 0/1 column is dropped when it is constant, or when its 1s (or 0s) fall in a single
    outcome category (it perfectly predicts, so the likelihood has no maximum): the usual
    fate of the kind dummies in small subsamples. Continuous columns are dropped only when
    constant. The reasons are returned so that tables can mark those cells."""
    y = np.asarray(y)
    keep, dropped = [], {}
    for column in x.columns:
        values = x[column].to_numpy(dtype=float)
        if np.ptp(values) == 0:
            dropped[column] = "constant in this sample"
            continue
        if set(np.unique(values)) <= {0.0, 1.0}:
            ones = y[values == 1]
            if len(ones) < min_count or len(np.unique(ones)) == 1:
                dropped[column] = "perfectly predicts the outcome in this sample"
                continue
        keep.append(column)
    return keep, dropped


@dataclass
class Fitted:
    """A fitted model in the form the tables and figures need."""

    name: str
    kind: str  # "ordered", "logit", "binomial"
    params: pd.Series
    bse: pd.Series
    pvalues: pd.Series
    nobs: int
    n_clusters: int
    llf: float
    llnull: float
    dropped: dict
    extra: dict
    df: pd.Series | None = None  # per-term degrees of freedom (Rubin's rules); default G - 1
    completed: tuple = ()  # multiple imputation: the completed-data fits that Rubin's rules pooled

    @property
    def pseudo_r2(self) -> float:
        """McFadden's pseudo-R² (1 - llf / llnull); NaN for the GLM."""
        return 1 - self.llf / self.llnull if np.isfinite(self.llnull) and self.llnull != 0 else float("nan")

    def tidy(self) -> pd.DataFrame:
        """One row per term: estimate, clustered SE, z, p, 95% interval. With G clusters, p-values
        and intervals use the t distribution with G - 1 degrees of freedom (as ``pvalues``)."""
        df = self.df.reindex(self.params.index) if self.df is not None else self.n_clusters - 1
        z = np.asarray(stats.t.ppf(0.975, df))
        out = pd.DataFrame({"estimate": self.params, "se": self.bse, "p": self.pvalues})
        out["z"] = out["estimate"] / out["se"]
        out["low"], out["high"] = out["estimate"] - z * out["se"], out["estimate"] + z * out["se"]
        out.insert(0, "model", self.name)
        return out.rename_axis("term").reset_index()[["model", "term", "estimate", "se", "z", "p", "low", "high"]]

    def stats(self) -> dict:
        """N, clusters, log-likelihood, pseudo-R² and anything model-specific."""
        return {
            "model": self.name,
            "nobs": self.nobs,
            "n_clusters": self.n_clusters,
            "llf": self.llf,
            "pseudo_r2": self.pseudo_r2,
            **self.extra,
        }


def _t_pvalues(params, bse, groups) -> pd.Series:
    """Two-sided p-values from t with G - 1 degrees of freedom (G clusters): with 47 clusters,
    slightly more conservative than the normal, and what the Monte Carlo tests calibrate."""
    g = pd.Series(groups).nunique()
    params, bse = pd.Series(params), pd.Series(bse)
    return pd.Series(2 * stats.t.sf(np.abs(params / bse), g - 1), index=params.index)


def _cluster(groups) -> dict:
    codes = pd.factorize(pd.Series(groups).to_numpy())[0]
    return {"cov_type": "cluster", "cov_kwds": {"groups": codes}}


def _cut_points(theta: np.ndarray, cov: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Parameters with the cut points themselves in place of (first cut, log increments), and
    their covariance by the delta method (the Jacobian of ``cuts_from_params``)."""
    n_cuts = len(theta) - k
    jac = np.eye(len(theta))
    for m in range(n_cuts):
        jac[k + m, k] = 1.0
        for ell in range(1, m + 1):
            jac[k + m, k + ell] = np.exp(theta[k + ell])
    return np.concatenate([theta[:k], cuts_from_params(theta[k:])]), jac @ cov @ jac.T


def ordered_logit(name: str, x: pd.DataFrame, y, groups, weights=None) -> Fitted:
    """Ordered logit with prefecture-clustered SEs: ``OrderedModel`` (BFGS) when unweighted,
    ``WeightedOrderedLogit`` with weights. Inestimable kind dummies are dropped and named.
    The cut points are reported as cut points (not the fitting parameterisation), with
    delta-method SEs."""
    y = np.asarray(y, dtype=int)
    terms, dropped = estimable_terms(x, y)
    exog = x[terms].astype(float)
    if weights is None:
        model = OrderedModel(y, exog, distr="logit")
        result = model.fit(method="bfgs", disp=0, maxiter=2000, gtol=1e-8, **_cluster(groups))
        llnull = WeightedOrderedLogit(y, exog).loglike_null()
    else:
        model = WeightedOrderedLogit(y, exog, weights=weights)
        result = model.fit(**_cluster(groups))
        llnull = model.loglike_null()
    names = list(exog.columns) + [f"cut_{j}/{j + 1}" for j in range(int(y.max()))]
    params, cov = _cut_points(np.asarray(result.params), np.asarray(result.cov_params()), exog.shape[1])
    bse = np.sqrt(np.diag(cov))
    return Fitted(
        name=name,
        kind="ordered",
        params=pd.Series(params, index=names),
        bse=pd.Series(bse, index=names),
        pvalues=_t_pvalues(pd.Series(params, index=names), pd.Series(bse, index=names), groups),
        nobs=len(y),
        n_clusters=int(pd.Series(groups).nunique()),
        llf=float(result.llf),
        llnull=llnull,
        dropped=dropped,
        extra={"converged": bool(result.mle_retvals.get("converged", True))},
    )


#: Suffix of a freed term's slope at the formal step in the partial proportional-odds fits.
STEP2 = " (step 2)"


def partial_ordered_logit(name: str, x: pd.DataFrame, y, groups, free=(), weights=None) -> Fitted:
    """Partial proportional-odds logit (``WeightedOrderedLogit`` with ``free`` terms) with prefecture-
    clustered SEs, in the form of ``ordered_logit``: each term's slope (for a freed term, its
    slope at the first step, strength >= 1 against 0), then each freed term's slope at the
    second step (``<term> (step 2)``, = slope + increment, its SE by the linear transformation
    of the covariance), then the cut points (delta method). With no free term it is
    ``ordered_logit`` with weights (unit weights when ``weights`` is None). ``extra`` holds the
    free terms and the number of rows with a negative predicted probability."""
    y = np.asarray(y, dtype=int)
    terms, dropped = estimable_terms(x, y)
    free = [t for t in free if t in terms]
    exog = x[terms].astype(float)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    model = WeightedOrderedLogit(y, exog, weights=w, free=free)
    result = model.fit(**_cluster(groups))
    theta, cov = np.asarray(result.params), np.asarray(result.cov_params())
    k, n_cuts = len(terms), int(y.max())
    n_delta = len(free) * (n_cuts - 1)
    # the cut points themselves (delta method, ``_cut_points``), then a linear map to the output:
    # slopes, the free terms' slopes at step 2 (slope + first increment), cut points
    theta, cov = _cut_points(theta, cov, k + n_delta)
    linear = np.zeros((k + len(free) + n_cuts, len(theta)))
    linear[:k, :k] = np.eye(k)
    for i, term in enumerate(free):
        linear[k + i, [terms.index(term), k + i]] = 1.0
    linear[k + len(free) :, k + n_delta :] = np.eye(n_cuts)
    params, cov_out = linear @ theta, linear @ cov @ linear.T
    beta, delta, cuts = theta[:k], theta[k : k + n_delta].reshape(n_cuts - 1, len(free)), theta[k + n_delta :]
    names = terms + [f"{t}{STEP2}" for t in free] + [f"cut_{j}/{j + 1}" for j in range(n_cuts)]
    params, bse = pd.Series(params, index=names), pd.Series(np.sqrt(np.diag(cov_out)), index=names)
    negative = negative_probabilities(exog.to_numpy(), beta, delta, [terms.index(t) for t in free], cuts)
    return Fitted(
        name=name,
        kind="ordered",
        params=params,
        bse=bse,
        pvalues=_t_pvalues(params, bse, groups),
        nobs=len(y),
        n_clusters=int(pd.Series(groups).nunique()),
        llf=float(result.llf),
        llnull=model.loglike_null(),
        dropped=dropped,
        extra={
            "converged": bool(result.mle_retvals.get("converged", True)),
            "free": ", ".join(free),
            "negative_probabilities": negative,
        },
    )


def binary_logit(name: str, x: pd.DataFrame, y, groups, weights=None) -> Fitted:
    """Logit with a constant and prefecture-clustered SEs (a binomial GLM with variance
    weights when weighted). Inestimable dummies are dropped and named."""
    y = np.asarray(y, dtype=float)
    terms, dropped = estimable_terms(x, y)
    exog = sm.add_constant(x[terms].astype(float), has_constant="add")
    if weights is None:
        result = sm.Logit(y, exog).fit(disp=0, method="newton", maxiter=200, **_cluster(groups))
        llf, llnull = float(result.llf), float(result.llnull)
        params, bse = result.params, result.bse
    else:
        # A binary logit is the two-category ordered logit with constant = -cut point; the
        # weighted likelihood and its cluster sandwich are those of WeightedOrderedLogit.
        model = WeightedOrderedLogit(y.astype(int), x[terms].astype(float), weights=weights)
        result = model.fit(**_cluster(groups))
        names = ["const", *terms]
        sign = np.r_[-1.0, np.ones(len(terms))]
        order = np.r_[len(terms), np.arange(len(terms))]
        params = pd.Series(sign * np.asarray(result.params)[order], index=names)
        bse = pd.Series(np.asarray(result.bse)[order], index=names)
        llf, llnull = float(result.llf), model.loglike_null()
    return Fitted(
        name=name,
        kind="logit",
        params=params,
        bse=bse,
        pvalues=_t_pvalues(params, bse, groups),
        nobs=len(y),
        n_clusters=int(pd.Series(groups).nunique()),
        llf=llf,
        llnull=llnull,
        dropped=dropped,
        extra={},
    )


def policies_glm(name: str, x: pd.DataFrame, successes, trials: int, groups) -> Fitted:
    """Binomial GLM of the number of policies out of ``trials``, with prefecture-clustered SEs
    and the overdispersion check: the Pearson dispersion (χ²/df; 1 under the binomial) and its
    p-value, and the quasi-binomial SEs (binomial SEs times the square root of the dispersion)
    in ``extra``."""
    k = np.asarray(successes, dtype=float)
    terms, dropped = estimable_terms(x, k)
    exog = sm.add_constant(x[terms].astype(float), has_constant="add")
    endog = np.column_stack([k, trials - k])
    model = sm.GLM(endog, exog, family=sm.families.Binomial())
    plain = model.fit()
    clustered = model.fit(**_cluster(groups))
    dispersion = float(plain.pearson_chi2 / plain.df_resid)
    return Fitted(
        name=name,
        kind="binomial",
        params=clustered.params,
        bse=clustered.bse,
        pvalues=_t_pvalues(clustered.params, clustered.bse, groups),
        nobs=len(k),
        n_clusters=int(pd.Series(groups).nunique()),
        llf=float(plain.llf),
        llnull=float(plain.llnull),
        dropped=dropped,
        extra={
            "dispersion": dispersion,
            "dispersion_p": float(stats.chi2.sf(plain.pearson_chi2, plain.df_resid)),
            "dispersion_p_under": float(stats.chi2.cdf(plain.pearson_chi2, plain.df_resid)),
            # statsmodels' scale="X2" rescales binomial counts as proportions; do it by hand.
            "quasi_bse": (plain.bse * np.sqrt(dispersion)).to_dict(),
        },
    )


def response_weights(responded, x: pd.DataFrame) -> tuple[np.ndarray, object]:
    """Inverse-probability weights for respondents from a logit of response on frame
    covariates (with a constant), normalised to mean 1 among respondents; and the fit.
    Terms that perfectly predict response in this sample are left out (``estimable_terms``)."""
    r = np.asarray(responded, dtype=float)
    terms, _ = estimable_terms(x, r)
    exog = sm.add_constant(x[terms].astype(float), has_constant="add")
    fit = sm.Logit(r, exog).fit(disp=0, method="newton", maxiter=200)
    p = np.asarray(fit.predict(exog))
    w = 1 / p[r == 1]
    return w / w.mean(), fit


# --------------------------------------------------------------------------- effects and curves
def ordered_ame(
    x: pd.DataFrame,
    beta: pd.Series,
    cuts: np.ndarray,
    continuous,
    discrete,
    weights=None,
    delta: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Average marginal effects on P(y = j) of the ordered logit, one row per term; with
    ``delta`` (rows: later steps, columns: free terms) of the partial proportional-odds logit.

    Continuous terms: the derivative averaged over the sample; with F_m = F(c_m - eta_m) and
    P(y = j) = F_j - F_{j-1}, dF_m/dx = -f(c_m - eta_m) b_m, b_m the term's slope at step m
    (``beta`` plus its increment there), so under proportional odds the familiar
    ``beta_k (f(c_{j-1} - eta) - f(c_j - eta))``. Discrete (0/1) terms: the average of
    P(j | x, term = 1) - P(j | x, term = 0). Columns ``p0``, ``p1``, ... are percentage points
    per unit of the term. With ``weights`` the averages are weighted (population-average
    effects from weighted respondents)."""
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    columns = list(x.columns)
    b = beta.reindex(columns).fillna(0.0).to_numpy()
    n_cuts = len(cuts)
    if delta is None:
        delta = pd.DataFrame(np.zeros((n_cuts - 1, 0)))
    free = [columns.index(t) for t in delta.columns]
    d = delta.to_numpy(dtype=float)
    xv = x.to_numpy(dtype=float)
    etas = [xv @ b] + [xv @ b + xv[:, free] @ d[m] for m in range(n_cuts - 1)]
    dens = np.column_stack([stats.logistic.pdf(c - e) for c, e in zip(cuts, etas)])  # n x n_cuts
    rows = {}
    for term in continuous:
        i = columns.index(term) if term in columns else None
        slopes = np.full(n_cuts, beta.get(term, 0.0))
        if i is not None and i in free:
            slopes[1:] += d[:, free.index(i)]
        d_cdf = -dens * slopes[None, :]  # dF_m / dx
        upper = np.column_stack([d_cdf, np.zeros(len(x))])
        lower = np.column_stack([np.zeros(len(x)), d_cdf])
        rows[term] = np.average(upper - lower, axis=0, weights=w)
    for term in discrete:
        on, off = xv.copy(), xv.copy()
        j = columns.index(term)
        on[:, j], off[:, j] = 1.0, 0.0
        change = partial_probabilities(on, b, d, free, cuts) - partial_probabilities(off, b, d, free, cuts)
        rows[term] = np.average(change, axis=0, weights=w)
    out = pd.DataFrame(rows).T * 100
    out.columns = [f"p{j}" for j in range(out.shape[1])]
    return out.rename_axis("term")


def predicted_curves(
    x: pd.DataFrame,
    beta: pd.Series,
    cuts: np.ndarray,
    vary: str,
    grid,
    by: str,
    by_values: dict,
    weights=None,
    delta: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Average predicted probabilities over ``grid`` values of ``vary``, with ``by`` set to each
    of ``by_values`` ({label: value}), the other covariates at their observed values
    (weighted averages with ``weights``); ``delta`` as in ``ordered_ame``."""
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    b = beta.reindex(x.columns).fillna(0.0).to_numpy()
    if delta is None:
        delta = pd.DataFrame(np.zeros((len(cuts) - 1, 0)))
    free = [list(x.columns).index(t) for t in delta.columns]
    d = delta.to_numpy(dtype=float)
    xv = x.to_numpy(dtype=float)
    iv, ib = list(x.columns).index(vary), list(x.columns).index(by)
    rows = []
    for label, value in by_values.items():
        for g in grid:
            z = xv.copy()
            z[:, iv], z[:, ib] = g, value
            p = np.average(partial_probabilities(z, b, d, free, cuts), axis=0, weights=w)
            rows.append({"by": label, vary: float(g), **{f"p{j}": float(pj) for j, pj in enumerate(p)}})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- cluster bootstrap
class FitFailure(RuntimeError):
    """A bootstrap replicate whose model could not be fitted (counted, not hidden)."""


def cluster_resample(groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Row indices of a resample that draws whole clusters with replacement."""
    labels = np.unique(groups)
    chosen = rng.choice(labels, size=len(labels), replace=True)
    members = {g: np.flatnonzero(groups == g) for g in labels}
    return np.concatenate([members[g] for g in chosen])


def _replicate(statistic, data, groups, seed_seq) -> tuple[np.ndarray | None, str]:
    rng = np.random.default_rng(seed_seq)
    index = cluster_resample(groups, rng)
    try:
        with np.errstate(all="ignore"):
            value = np.asarray(statistic(data.iloc[index].reset_index(drop=True)), dtype=float)
    except (FitFailure, np.linalg.LinAlgError, ValueError) as error:
        return None, type(error).__name__ + ": " + str(error).splitlines()[0][:80]
    if not np.all(np.isfinite(value)):
        return None, "non-finite statistic"
    return value, ""


@dataclass
class Bootstrap:
    """Draws of a statistic over cluster resamples; failed replicates are counted with reasons."""

    draws: np.ndarray  # (successful replicates, statistic length)
    n_requested: int
    failures: dict

    @property
    def n_failed(self) -> int:
        return int(sum(self.failures.values()))

    def interval(self, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Percentile interval of each component."""
        alpha = (1 - level) / 2
        return np.quantile(self.draws, alpha, axis=0), np.quantile(self.draws, 1 - alpha, axis=0)


def available_cpus(cgroup: str = "/sys/fs/cgroup/cpu.max") -> int:
    """The CPUs this process may really use: the smaller of its CPU affinity (``taskset``,
    Docker's ``--cpuset-cpus``) and the cgroup v2 CPU quota (``cpu.max``, e.g. "100000 100000"
    on a one-CPU Binder), rounded down, at least 1. The host's core count says nothing about
    either."""
    import math
    import os

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        quota, period = Path(cgroup).read_text(encoding="ascii").split()[:2]
        if quota != "max":
            cpus = min(cpus, max(1, math.floor(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cpus)


def cluster_bootstrap(
    statistic: Callable[[pd.DataFrame], np.ndarray],
    data: pd.DataFrame,
    cluster: str,
    n_boot: int,
    seed: int,
    n_jobs: int = 0,
) -> Bootstrap:
    """Pairs cluster bootstrap: resample whole clusters (prefectures) with replacement and
    recompute ``statistic`` on each resample, on ``n_jobs`` processes (0: as many as
    ``available_cpus``). Each replicate has its own seed from ``SeedSequence(seed)``, so the
    draws do not depend on the number of jobs."""
    from joblib import Parallel, delayed

    n_jobs = n_jobs or available_cpus()
    groups = data[cluster].to_numpy()
    seeds = np.random.SeedSequence(seed).spawn(n_boot)
    if n_jobs == 1:
        results = [_replicate(statistic, data, groups, s) for s in seeds]
    else:
        results = Parallel(n_jobs=n_jobs, batch_size=max(1, n_boot // (4 * n_jobs)))(
            delayed(_replicate)(statistic, data, groups, s) for s in seeds
        )
    draws = [value for value, _ in results if value is not None]
    failures: dict[str, int] = {}
    for value, reason in results:
        if value is None:
            failures[reason] = failures.get(reason, 0) + 1
    width = len(draws[0]) if draws else 0
    return Bootstrap(draws=np.array(draws).reshape(len(draws), width), n_requested=n_boot, failures=failures)


# --------------------------------------------------------------------------- proportions
def wilson_interval(successes, trials, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion (successes / trials), elementwise: unlike the
    normal (Wald) interval it stays inside [0, 1] and keeps its coverage for small groups and
    shares near 0 or 1. NaN where ``trials`` is 0."""
    k, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


# --------------------------------------------------------------------------- multiple imputation
def rubin(estimates: np.ndarray, variances: np.ndarray, df_complete: float = np.inf) -> pd.DataFrame:
    """Combine M completed-data estimates (M x k) and their variances by Rubin's rules: the mean
    estimate and the total variance T = W + (1 + 1/M) B. Degrees of freedom: Rubin's
    (M - 1) / lambda^2 with lambda = (1 + 1/M) B / T (the fraction of missing information),
    adjusted for ``df_complete``, the complete-data degrees of freedom (Barnard and Rubin
    1999; e.g. G - 1 with G clusters), so that they never exceed it."""
    q = np.asarray(estimates, dtype=float)
    u = np.asarray(variances, dtype=float)
    m = q.shape[0]
    qbar, within, between = q.mean(axis=0), u.mean(axis=0), q.var(axis=0, ddof=1)
    total = within + (1 + 1 / m) * between
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(total > 0, (1 + 1 / m) * between / total, 0.0)
        df_rubin = np.where(lam > 0, (m - 1) / lam**2, np.inf)
        if np.isfinite(df_complete):
            df_observed = (df_complete + 1) / (df_complete + 3) * df_complete * (1 - lam)
            df = 1 / (1 / df_rubin + 1 / df_observed)
        else:
            df = df_rubin
    se = np.sqrt(total)
    p = 2 * stats.t.sf(np.abs(qbar / se), df)
    return pd.DataFrame({"estimate": qbar, "se": se, "df": df, "p": p, "fmi": lam})


# --------------------------------------------------------------------------- proportional odds
def weighted_logit(x: np.ndarray, z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted logit by Newton's method (``x`` includes the constant)."""
    b = np.zeros(x.shape[1])
    for _ in range(100):
        p = special.expit(x @ b)
        grad = x.T @ (w * (z - p))
        hess = (x * (w * p * (1 - p))[:, None]).T @ x
        step = np.linalg.solve(hess, grad)
        b += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return b


def cumulative_split_test(x: pd.DataFrame, y, groups, weights=None, min_clusters: int = 5) -> tuple[pd.DataFrame, dict]:
    """Brant-type check of proportional odds with a prefecture-clustered joint covariance.

    The ordered logit implies that the binary logits of ``y >= 1`` and ``y >= 2`` (the
    cumulative splits) have the same slopes. Both are fitted (with ``weights``); their
    covariance is estimated jointly from the stacked per-cluster scores (a sandwich over both
    models, with statsmodels' small-sample factor), so the difference of the slopes has a
    proper standard error (Brant 1990 used the model-based covariance). Returns, per term, the
    two slopes, their difference, its SE and z; and the omnibus Wald statistic (chi-squared)
    with its p-value. A cluster-robust covariance cannot judge a 0/1 term that is 1 in fewer
    than ``min_clusters`` clusters (a special-ward dummy lives in one prefecture): such terms
    are reported but left out of the omnibus test (``in_omnibus``)."""
    y = np.asarray(y, dtype=int)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    xc = np.column_stack([np.ones(len(y)), x.to_numpy(float)])
    n, k = xc.shape
    fits, scores, hessians = [], [], []
    for cut in (1, 2):
        z = (y >= cut).astype(float)
        b = weighted_logit(xc, z, w)
        p = special.expit(xc @ b)
        fits.append(b)
        scores.append(xc * (w * (z - p))[:, None])
        hessians.append((xc * (w * p * (1 - p))[:, None]).T @ xc)
    codes = pd.factorize(pd.Series(groups).to_numpy())[0]
    g = codes.max() + 1
    stacked = np.column_stack(scores)
    cluster_sums = np.zeros((g, 2 * k))
    np.add.at(cluster_sums, codes, stacked)
    meat = cluster_sums.T @ cluster_sums * (g / (g - 1)) * ((n - 1) / (n - k))
    bread = np.zeros((2 * k, 2 * k))
    bread[:k, :k] = np.linalg.inv(hessians[0])
    bread[k:, k:] = np.linalg.inv(hessians[1])
    cov = bread @ meat @ bread
    codes_series = pd.Series(codes)
    in_omnibus = []
    for column in x.columns:
        values = x[column].to_numpy(float)
        binary = set(np.unique(values)) <= {0.0, 1.0}
        in_omnibus.append(not binary or codes_series[values == 1].nunique() >= min_clusters)
    slopes = np.arange(1, k)
    d = fits[0][slopes] - fits[1][slopes]
    vd = cov[np.ix_(slopes, slopes)] + cov[np.ix_(slopes + k, slopes + k)]
    vd -= cov[np.ix_(slopes, slopes + k)] + cov[np.ix_(slopes + k, slopes)]
    se = np.sqrt(np.diag(vd))
    table = pd.DataFrame(
        {"term": list(x.columns), "split_1": fits[0][slopes], "split_2": fits[1][slopes], "difference": d, "se": se}
    )
    table["z"] = table["difference"] / table["se"]
    table["in_omnibus"] = in_omnibus
    keep = np.flatnonzero(in_omnibus)
    wald = float(d[keep] @ np.linalg.inv(vd[np.ix_(keep, keep)]) @ d[keep])
    return table, {"wald": wald, "df": len(keep), "p": float(stats.chi2.sf(wald, len(keep))), "clusters": int(g)}


# --------------------------------------------------------------------------- wild score bootstrap
#: Webb's six-point weights: ±sqrt(1/2), ±1, ±sqrt(3/2), each with probability 1/6.
WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def score_bootstrap_test(x: pd.DataFrame, y, groups, term: str, weights=None, n_boot: int = 999, seed: int = 0) -> dict:
    """Wild cluster score bootstrap test of ``term``'s coefficient = 0 in the (weighted)
    ordered logit (Kline and Santos 2012), with the null imposed and Webb's six-point
    weights, for a covariate that varies over few clusters (prefecture exposure: a handful of
    exposed prefectures), where cluster-robust t-tests over-reject.

    The model is fitted once, without ``term``; the per-cluster scores at that restricted
    estimate are projected off the other parameters (the efficient score for ``term``), and
    the cluster-robust score statistic is compared with its distribution when each cluster's
    score is multiplied by a random Webb weight. No refitting per replicate."""
    y = np.asarray(y, dtype=int)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    names = list(x.columns)
    e = names.index(term)
    rest = [c for c in names if c != term]
    restricted = fit_ordered_logit(x[rest].to_numpy(float), y, weights=w)
    if not restricted.converged:
        raise FitFailure("the restricted ordered logit did not converge")
    beta0 = np.insert(restricted.beta, e, 0.0)
    theta0 = np.concatenate([beta0, params_from_cuts(restricted.cuts)])
    xv = x.to_numpy(float)
    scores = w[:, None] * ordered_score_obs(theta0, xv, y)
    codes = pd.factorize(pd.Series(groups).to_numpy())[0]
    sums = np.zeros((codes.max() + 1, scores.shape[1]))
    np.add.at(sums, codes, scores)

    def total_score(theta):
        return (w[:, None] * ordered_score_obs(theta, xv, y)).sum(axis=0)

    step = 1e-6
    info = -np.column_stack(
        [
            (total_score(theta0 + step * np.eye(len(theta0))[j]) - total_score(theta0 - step * np.eye(len(theta0))[j]))
            / (2 * step)
            for j in range(len(theta0))
        ]
    )
    info = (info + info.T) / 2
    others = [j for j in range(len(theta0)) if j != e]
    projection = info[e, others] @ np.linalg.inv(info[np.ix_(others, others)])
    efficient = sums[:, e] - sums[:, others] @ projection
    statistic = efficient.sum() / np.sqrt(np.sum(efficient**2))
    rng = np.random.default_rng(seed)
    v = rng.choice(WEBB, size=(n_boot, len(efficient)))
    perturbed = v * efficient
    boot = perturbed.sum(axis=1) / np.sqrt(np.sum(perturbed**2, axis=1))
    return {
        "term": term,
        "statistic": float(statistic),
        "p": float(np.mean(np.abs(boot) >= np.abs(statistic))),
        "n_boot": n_boot,
        "clusters": len(efficient),
    }
