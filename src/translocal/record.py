"""The public record: summaries of the register, the places of its partners, and the profile
of the municipalities that signed, against the whole municipal frame.

All of it is **real**: it reads the public register (``translocal.register``), the municipal
frame and public boundary and statistics files, never a private table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .register import labour_signed

#: The levels of Japanese government that sign (the national rows are context).
LOCAL_LEVELS = ("prefecture", "municipality")
#: Countries in the order the figures and tables list them, with their English names.
COUNTRY_NAMES = {
    "VNM": "Viet Nam",
    "IDN": "Indonesia",
    "PHL": "Philippines",
    "IND": "India",
    "MNG": "Mongolia",
    "NPL": "Nepal",
    "KHM": "Cambodia",
    "MMR": "Myanmar",
    "LKA": "Sri Lanka",
    "UZB": "Uzbekistan",
    "BGD": "Bangladesh",
}
LABOUR_LABELS = {"yes": "about workers", "partly": "workers among other fields", "no": "not about workers"}


def local(register: pd.DataFrame, signed_only: bool = True) -> pd.DataFrame:
    """The prefectural and municipal rows (signed ones only, unless ``signed_only`` is False)."""
    rows = register.loc[register["jp_level"].isin(LOCAL_LEVELS)]
    return rows.loc[rows["status"] == "signed"] if signed_only else rows


def counts(register: pd.DataFrame, index: str | list[str], columns: str) -> pd.DataFrame:
    """A table of counts of the signed local rows, with totals."""
    rows = local(register)
    keys = [index] if isinstance(index, str) else index
    return pd.crosstab([rows[c] for c in keys], rows[columns], margins=True, margins_name="total")


def signatories(register: pd.DataFrame, n_prefectures: int, n_municipalities: int) -> pd.DataFrame:
    """How many prefectures and municipalities have signed anything, and a labour agreement,
    out of how many (47 and 1,741)."""
    rows = local(register)
    labour = rows.loc[labour_signed(rows)]
    out = {}
    for level, total in (("prefecture", n_prefectures), ("municipality", n_municipalities)):
        out[level] = {
            "governments": total,
            "signed any agreement": rows.loc[rows["jp_level"] == level, "jp_code"].nunique(),
            "signed a labour agreement": labour.loc[labour["jp_level"] == level, "jp_code"].nunique(),
            "agreements": int((rows["jp_level"] == level).sum()),
            "labour agreements": int((labour["jp_level"] == level).sum()),
        }
    return pd.DataFrame(out).T


def programme_counts(register: pd.DataFrame) -> pd.DataFrame:
    """Signed local agreements naming each programme (one agreement may name several), by level."""
    rows = local(register).assign(programme=lambda d: d["programme"].str.split(";")).explode("programme")
    return pd.crosstab(rows["programme"], rows["jp_level"], margins=True, margins_name="total")


def partner_typology(local_rows: pd.DataFrame) -> pd.DataFrame:
    """Signed local agreements by the partner's level and type (rows) and by the Japanese
    level and whether the agreement is about workers (columns), with a total column."""
    subject = local_rows["labour_related"].map(lambda v: "other" if v == "no" else "about workers")
    table = local_rows.assign(subject=subject).pivot_table(
        index=["partner_level", "partner_type"], columns=["jp_level", "subject"], values="agreement_id",
        aggfunc="count", fill_value=0,
    )  # fmt: skip
    table[("total", "")] = table.sum(axis=1)
    return table


def rests_on_inferred_dates(rows: pd.DataFrame, by: str = "jp_code") -> int:
    """How many groups of ``rows`` (by default prefectures) have only dates partly inferred
    from their sources (``source_status`` unconfirmed)."""
    return int(rows.groupby(by)["source_status"].agg(lambda s: (s == "unconfirmed").all()).sum())


def permutation_test(values: np.ndarray, group: np.ndarray, n_perm: int, rng: np.random.Generator) -> float:
    """Two-sided permutation p-value of the difference in means between the ``group`` rows and
    the others: the share of random relabellings (same group size) whose absolute difference
    is at least the observed one, counting the observed labelling, (1 + b) / (1 + n_perm)."""
    values = np.asarray(values, dtype=float)
    group = np.asarray(group, dtype=bool)
    k, n = int(group.sum()), len(values)
    total = values.sum()

    def difference(in_group_sum: np.ndarray | float) -> np.ndarray | float:
        return in_group_sum / k - (total - in_group_sum) / (n - k)

    observed = abs(difference(values[group].sum()))
    exceed = 0
    for start in range(0, n_perm, 1000):  # in blocks, to bound memory; the same draws as in one block
        draws = np.argsort(rng.random((min(1000, n_perm - start), n)), axis=1)[:, :k]
        exceed += int(np.sum(np.abs(difference(values[draws].sum(axis=1))) >= observed - 1e-12))
    return float((1 + exceed) / (1 + n_perm))


def profile(frame: pd.DataFrame, codes: set[str], columns: dict[str, str], n_perm: int, seed: int) -> pd.DataFrame:
    """The capacity profile of the municipalities in ``codes`` beside all municipalities of the
    frame: mean and median of each column (``columns``: column -> label), the difference in
    means to the other municipalities, and its two-sided permutation p-value. Rows with a
    missing value of a column (e.g. censored trainee counts) are left out of that column, and
    counted."""
    rng = np.random.default_rng(seed)
    rows = []
    group_all = frame["code"].isin(codes).to_numpy()
    for column, label in columns.items():
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
        known = ~np.isnan(values)
        values, group = values[known], group_all[known]
        rows.append(
            {
                "variable": label,
                "mean, signed": values[group].mean(),
                "median, signed": np.median(values[group]),
                "mean, all municipalities": values.mean(),
                "median, all municipalities": np.median(values),
                "difference (signed - others)": values[group].mean() - values[~group].mean(),
                "permutation p": permutation_test(values, group, n_perm, rng),
                "n signed": int(group.sum()),
                "n": int(known.sum()),
            }
        )
    return pd.DataFrame(rows)


def kind_shares(frame: pd.DataFrame, codes: set[str], kinds: tuple[str, ...]) -> pd.DataFrame:
    """Share of each kind of municipality among those in ``codes`` and in the frame."""
    signed = frame.loc[frame["code"].isin(codes), "kind"].value_counts(normalize=True)
    everyone = frame["kind"].value_counts(normalize=True)
    return pd.DataFrame({"signed (%)": 100 * signed, "all municipalities (%)": 100 * everyone}).reindex(
        list(kinds), fill_value=0.0
    )


def profile_table(profiles: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The capacity profiles as the paper prints them, one block per group (``profiles``: group
    label -> ``profile(...)``): mean (median) of the group and of the other municipalities,
    the difference in means and its permutation p-value."""
    blocks = []
    for group, table in profiles.items():
        n_signed, n_all = table["n signed"], table["n"]
        others_mean = (table["mean, all municipalities"] * n_all - table["mean, signed"] * n_signed) / (
            n_all - n_signed
        )
        blocks.append(
            pd.DataFrame(
                {
                    "Group": [group] + [""] * (len(table) - 1),
                    "Variable": table["variable"],
                    "Group: mean (median)": [
                        f"{m:.2f} ({md:.2f})" for m, md in zip(table["mean, signed"], table["median, signed"])
                    ],
                    "Others: mean": others_mean.map(lambda x: f"{x:.2f}"),
                    "Difference": table["difference (signed - others)"].map(lambda x: f"{x:.2f}"),
                    "Permutation p": table["permutation p"].map(p_text),
                    "n (group / all)": [f"{a} / {b:,}" for a, b in zip(n_signed, n_all)],
                }
            )
        )
    return pd.concat(blocks, ignore_index=True)


def p_text(p: float) -> str:
    """A p-value as the text prints it: three decimals, or "< 0.001"."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def p_phrase(p: float) -> str:
    """A p-value as a phrase of the text: "p < 0.001" or "p = 0.084"."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def final_run(rows_added: pd.Series) -> int:
    """How many queries at the end of the search log added no new row: the register's
    stopping rule is met when this reaches 20."""
    run = 0
    for added in reversed(rows_added.astype(int).tolist()):
        if added:
            break
        run += 1
    return run
