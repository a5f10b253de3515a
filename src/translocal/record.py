"""The public record: summaries of the register, the places of its partners, and the profile
of the municipalities that signed, against the whole municipal frame.

All of it is **real**: it reads the public register (``translocal.register``), the municipal
frame and public boundary and statistics files, never a private table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .register import SEARCHED_COUNTRIES, labour_signed

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


def register_values(
    register: pd.DataFrame, search_log: pd.DataFrame, signatory_table: pd.DataFrame, unplaced: dict[str, int]
) -> dict[str, tuple]:
    """The register's numbers the manuscript cites, as ``key -> (value, description[, digits
    or text])`` for ``Values.record_all``: its rows by level and status, the labour agreements,
    the partner countries, the search (``search_log``, the register's query log), the
    governments that signed (``signatory_table``, from ``signatories``) and the agreements
    whose partner has no known place (``unplaced``: reason -> count, from
    ``admin1.place_partners``)."""
    rows = local(register)
    n_local = len(rows)
    labour = labour_signed(rows)
    first_year = int(rows["signed_year"].min())
    searched_on = register["searched_on"].max()
    top_country = rows["partner_country"].value_counts()
    since = rows.loc[labour, "signed_year"]
    out = {
        "n_register": (len(register), "Rows in the public register"),
        "n_register_local": (n_local, "Signed agreements of prefectures and municipalities in the register"),
        "n_register_prefectural": (int((rows["jp_level"] == "prefecture").sum()), "Of those, prefectural"),
        "n_register_municipal": (int((rows["jp_level"] == "municipality").sum()), "Of those, municipal"),
        "n_register_national": (int((register["jp_level"] == "national").sum()), "National memoranda (context rows)"),
        "n_register_planned": (
            int((register["status"] == "planned").sum()),
            "Announced agreements not confirmed as signed",
        ),
        "n_register_labour": (int(labour.sum()), "Signed local agreements about workers (wholly or partly)"),
        "n_register_countries": (rows["partner_country"].nunique(), "Partner countries of local agreements"),
        "register_first_year": (first_year, "Year of the earliest local agreement", str(first_year)),
        "register_searched_on": (searched_on, "Date the register's sources were last searched", searched_on),
        "n_register_queries": (len(search_log), "Search queries in the register's log"),
        "n_register_final_run": (
            final_run(search_log["rows_added"]),
            "Consecutive queries at the end of the log that added no new row (the stopping rule asks for 20)",
        ),
        "register_top_country": (COUNTRY_NAMES[top_country.index[0]], "Most frequent partner country"),
        "register_top_country_share": (
            100 * top_country.iloc[0] / n_local,
            "Its share of local agreements (%)",
            0,
        ),
        "share_labour_since_2019": (
            100 * (since >= 2019).mean(),
            "Share of local labour agreements signed from 2019 on (%)",
            0,
        ),
    }
    plural = {"prefecture": "Prefectures", "municipality": "Municipalities"}
    for level in LOCAL_LEVELS:
        out[f"n_{level}_signed"] = (
            int(signatory_table.at[level, "signed any agreement"]),
            f"{plural[level]} with a signed agreement",
        )
        out[f"n_{level}_labour"] = (
            int(signatory_table.at[level, "signed a labour agreement"]),
            f"{plural[level]} with a signed labour agreement",
        )
    out["n_register_unplaced"] = (
        sum(unplaced.values()),
        "Local agreements whose partner has no known place (not drawn)",
    )
    out["n_countries_searched"] = (len(SEARCHED_COUNTRIES), "Sending countries the search covered")
    return out


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


def partner_table(typology: pd.DataFrame) -> pd.DataFrame:
    """``partner_typology`` as the paper's table: one header row ("prefecture: about workers"
    …, "total") and the partner as a first column ("national: ministry" …)."""
    table = typology.copy()
    table.columns = [f"{level}: {subject}" for level, subject in table.columns[:-1]] + ["total"]
    table.index = [f"{level}: {kind}" for level, kind in table.index]
    return table.rename_axis("Partner").reset_index()


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


def profile_values(
    columns: dict[str, str],
    signed: pd.DataFrame,
    n_signed: int,
    labour: pd.DataFrame,
    n_labour: int,
    n_perm: int,
) -> dict[str, tuple]:
    """The profile tests' numbers the manuscript cites, as ``key -> (value, description[,
    digits or text])`` for ``Values.record_all``: for each column (the keys of ``columns``, in
    the order ``profile`` was given them) the difference in means and its permutation p-value,
    for the ``n_signed`` municipalities with any signed agreement (``signed``) and the
    ``n_labour`` with a labour agreement (``labour``)."""
    out = {}
    groups = (
        ("profile_labour", labour, "Municipalities with a labour agreement minus the others", " (labour agreements)"),
        ("profile", signed, "Signed municipalities minus the others", ""),
    )
    for prefix, table, difference, which in groups:
        for key, (_, row) in zip(columns, table.iterrows()):
            out[f"{prefix}_diff_{key}"] = (row["difference (signed - others)"], f"{difference}: {row['variable']}", 2)
            out[f"{prefix}_p_{key}"] = (
                row["permutation p"],
                f"Permutation p-value{which}: {row['variable']}",
                p_phrase(row["permutation p"]),
            )
    out["profile_n_labour"] = (n_labour, "Municipalities with a signed labour agreement in the register")
    out["profile_n_signed"] = (n_signed, "Municipalities with a signed agreement in the register")
    out["profile_n_perm"] = (n_perm, "Permutations of the profile tests")
    return out


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
