"""Words that depend on results, chosen from the numbers so that prose stays true when the
real data replace the synthetic stand-ins. Used by the notebooks' closing paragraphs (and by
the manuscript's values)."""

from __future__ import annotations

import math

ALPHA = 0.05


def significance(p: float, alpha: float = ALPHA) -> str:
    """'statistically significant' when p < alpha, else 'not statistically significant'."""
    return "statistically significant" if p < alpha else "not statistically significant"


def sign(x: float, positive: str = "positive", negative: str = "negative", zero: str = "zero") -> str:
    """The sign of ``x`` in words."""
    return positive if x > 0 else negative if x < 0 else zero


def association(estimate: float, p: float, more: str, less: str, alpha: float = ALPHA) -> str:
    """'more'/'less' for a significant estimate, 'no clear association' otherwise."""
    if not p < alpha:
        return "no clear association"
    return more if estimate > 0 else less


def interval_word(low: float, high: float) -> str:
    """Whether an interval excludes zero: 'excludes zero' or 'includes zero'."""
    return "excludes zero" if low > 0 or high < 0 else "includes zero"


def stable(values: list[float], tolerance: float = 0.25) -> bool:
    """True when all ``values`` share a sign and lie within ``tolerance`` (relative) of their
    mean: the test of "the coefficient is stable across the robustness checks"."""
    values = [v for v in values if not math.isnan(v)]
    if not values or len({v > 0 for v in values}) > 1:
        return False
    centre = sum(values) / len(values)
    return all(abs(v - centre) <= tolerance * abs(centre) for v in values)


def count_phrase(n: int, singular: str, plural: str | None = None) -> str:
    """'1 municipality', '3 municipalities', 'no municipality'."""
    if n == 0:
        return f"no {singular}"
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


#: How the text names the municipalities with more of each capacity covariate.
SUBJECTS = {
    "fiscal_strength": "Fiscally stronger municipalities",
    "log_population_2019": "Larger municipalities",
    "pop_change_2018_19": "Municipalities losing population faster",
    "foreign_per_100_2019": "Municipalities with more foreign residents per resident",
    "prefecture_titp_per_1000_2018": "Municipalities in prefectures with more technical interns per resident",
    "prefecture_exposure": "Municipalities in prefectures with a formal agreement",
}


def finding(estimate: float, p: float, alpha: float = ALPHA, reverse: bool = False) -> str:
    """The predicate of a results sentence whose subject is ``SUBJECTS[term]``: "are more
    likely to build stronger assemblages", "are less likely …", or "show no clear difference
    in assemblage strength". ``reverse`` flips the sign (population *loss* is a negative
    change)."""
    if not p < alpha:
        return "show no clear difference in assemblage strength"
    positive = (estimate > 0) != reverse
    return f"are {'more' if positive else 'less'} likely to build stronger assemblages"


def test_verdict(p: float, alpha: float = ALPHA) -> str:
    """What a test of an assumption says, as the verb of "the check … the assumption"."""
    return "rejects" if p < alpha else "gives no evidence against"


def tests_agree(p_first: float, p_second: float, alpha: float = ALPHA) -> str:
    """Whether two tests of the same hypothesis reach the same verdict: "agree"/"disagree"."""
    return "agree" if (p_first < alpha) == (p_second < alpha) else "disagree"


def significant_everywhere(pvalues: list[float], alpha: float = ALPHA) -> str:
    """Whether a coefficient is significant in every column of a robustness table."""
    every = all(p < alpha for p in pvalues)
    return f"{'' if every else 'not '}statistically significant in every column"


def clustering(p: float, alpha: float = ALPHA) -> str:
    """The predicate of "formal agreements themselves …" from Moran's I's p-value."""
    return "cluster in space" if p < alpha else "show no clear spatial clustering"


def autocorrelation(p: float, alpha: float = ALPHA) -> str:
    """The adjective of "… autocorrelation" from Moran's I's p-value."""
    return "statistically significant" if p < alpha else "no statistically significant"


def capacity_summary(n_significant: int) -> str:
    """The conclusion's clause on how many capacity covariates are significant."""
    if n_significant >= 2:
        return "several measures of capacity and need are associated with the strength of assemblages"
    if n_significant == 1:
        return "one measure of capacity or need is associated with the strength of assemblages"
    return "no measure of capacity or need is clearly associated with the strength of assemblages"


def hazard_finding(estimate: float, p: float, alpha: float = ALPHA) -> str:
    """The object of "prefectures with more X had …" in the diffusion model: "a higher (lower)
    yearly chance of a first labour agreement", or "no clearly different yearly chance …"."""
    if not p < alpha:
        return "no clearly different yearly chance of a first labour agreement"
    return f"a {'higher' if estimate > 0 else 'lower'} yearly chance of a first labour agreement"


def and_list(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    if not items:
        raise ValueError("and_list needs at least one item")
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def dispersion_word(dispersion: float, p_over: float, p_under: float, alpha: float = ALPHA) -> str:
    """How a count model's Pearson dispersion reads, by its tests: "overdispersed" or
    "underdispersed" only where the one-sided test says so at ``alpha``, else "consistent with
    the binomial variance"."""
    if p_over < alpha and dispersion > 1:
        return "overdispersed"
    if p_under < alpha and dispersion < 1:
        return "underdispersed"
    return "consistent with the binomial variance"


def formal_evidence(first: tuple[float, float], second: tuple[float, float]) -> str:
    """Where two models' intervals for an effect on P(formal agreement) stand — the partial
    proportional-odds model's (``first``) and the full-frame formal-agreement logit's
    (``second``), each (low, high) — as the clause the text rests its claim on."""
    excludes = [low > 0 or high < 0 for low, high in (first, second)]
    same_side = (first[0] > 0) == (second[0] > 0)
    if all(excludes) and same_side:
        return "both models' intervals exclude zero"
    if all(excludes):
        return "both models' intervals exclude zero, on opposite sides"
    if excludes[0]:
        return "the partial proportional-odds model's interval excludes zero, the formal-agreement logit's does not"
    if excludes[1]:
        return "the formal-agreement logit's interval excludes zero, the partial proportional-odds model's does not"
    return "neither model's interval excludes zero"


def terms_phrase(labels: list[str], none: str = "none") -> str:
    """An ``and_list`` of term labels, or ``none`` for an empty list."""
    return and_list(labels) if labels else none


#: Noun phrases of the capacity terms for the findings sentence; ``reverse`` terms read with
#: the opposite sign (population *decline* is a negative change).
NOUNS = {
    "fiscal_strength": ("fiscal strength", False),
    "log_population_2019": "population",
    "pop_change_2018_19": ("population decline", True),
    "foreign_per_100_2019": "foreign residents per resident",
    "prefecture_titp_per_1000_2018": "the prefecture's technical interns per resident",
}


def capacity_sentence(
    estimates: dict[str, float], pvalues: dict[str, float], sizes: dict[str, str] | None = None, alpha: float = ALPHA
) -> str:
    """One sentence on which capacity terms go with stronger or weaker assemblages in the
    main model (``estimates`` and ``pvalues`` by term, in the order given), e.g. "Fiscal
    strength, population and population decline go with stronger assemblages, and foreign
    residents per resident shows no clear association". ``sizes`` adds each term's effect size
    in parentheses after its noun (e.g. "odds ratio 1.9 per SD, 95% interval 1.4 to 2.6")."""
    stronger, weaker, unclear = [], [], []
    for term, estimate in estimates.items():
        noun = NOUNS[term]
        noun, reverse = noun if isinstance(noun, tuple) else (noun, False)
        if sizes and term in sizes:
            noun = f"{noun} ({sizes[term]})"
        if not pvalues[term] < alpha:
            unclear.append(noun)
        elif (estimate > 0) != reverse:
            stronger.append(noun)
        else:
            weaker.append(noun)
    parts = []
    for nouns, what in ((stronger, "stronger"), (weaker, "weaker")):
        if nouns:
            verb = "goes" if len(nouns) == 1 else "go"
            parts.append(f"{and_list(nouns)} {verb} with {what} assemblages")
    if unclear:
        verb = "shows" if len(unclear) == 1 else "show"
        parts.append(f"{and_list(unclear)} {verb} no clear association")
    sentence = and_list(parts) if len(parts) < 3 else f"{parts[0]}, {parts[1]}, and {parts[2]}"
    return sentence[0].upper() + sentence[1:]


def formal_sentence(step: str, partial: tuple[str, str, str], logit: tuple[str, str, str], evidence: str) -> str:
    """The findings sentence on formal agreements, from the texts of the recorded values: a
    fiscal strength index higher by ``step`` and the change in the probability of a formal
    agreement, (estimate, low, high) in the partial proportional-odds model and in the
    full-frame logit, then which intervals exclude zero (``formal_evidence``)."""
    return (
        f"A fiscal strength index higher by {step} goes with a change of {partial[0]} percentage points in the "
        f"probability of a formal agreement in the partial proportional-odds model (95% interval {partial[1]} to "
        f"{partial[2]}) and of {logit[0]} points in the logit of all municipalities ({logit[1]} to {logit[2]}): "
        f"{evidence}"
    )


def p_value(p: float) -> str:
    """A p-value as the text prints it: "p < 0.001" below 0.001, else "p = 0.034"."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def significant_under(pvalues: dict[str, float], alpha: float = ALPHA) -> str:
    """Under which of several alternative definitions (``{definition: p}``, each a phrase like
    "agreements wholly about workers by 2019") an estimate is significant, in one clause."""
    hits = [name for name, p in pvalues.items() if p < alpha]
    n = {2: "two", 3: "three", 4: "four", 5: "five"}.get(len(pvalues), str(len(pvalues)))
    if not hits:
        return f"not statistically significant under any of the {n} definitions"
    if len(hits) == len(pvalues):
        return (
            "statistically significant under both definitions"
            if len(hits) == 2
            else (f"statistically significant under all {n} definitions")
        )
    return f"statistically significant only when it counts {and_list(hits)}"


def formal_finding(estimate: float, p: float, alpha: float = ALPHA) -> str:
    """The predicate of a sentence on the formal-agreement logit: "are more (less) likely to
    have a formal agreement", or "show no clear difference in the chance of a formal agreement"."""
    if not p < alpha:
        return "show no clear difference in the chance of a formal agreement"
    return f"are {'more' if estimate > 0 else 'less'} likely to have a formal agreement"


# What we found: notebook(s) 01_frame, 02_public_record and 03_private_layers


def public_record_findings(entries: dict[str, dict], n_municipalities: int) -> str:
    """The "What we found" list of notebook 02 (markdown bullets), from the texts of its
    recorded values (``entries``: key -> {"text": …}, as ``Values.entries`` holds them) and the
    number of municipalities of the frame."""
    v = {key: entry["text"] for key, entry in entries.items()}
    start, end = v["dif_start"], v["dif_end"]
    return "\n".join(
        [
            (
                f"- The register holds {v['n_register_local']} signed agreements of prefectures "
                f"({v['n_register_prefectural']}) and municipalities ({v['n_register_municipal']}) with partners in "
                f"{v['n_register_countries']} countries, most often {v['register_top_country']} "
                f"({v['register_top_country_share']}%); {v['n_register_labour']} are about workers, "
                f"{v['share_labour_since_2019']}% of those signed from 2019 on."
            ),
            (
                f"- {v['n_prefecture_labour']} of 47 prefectures and {v['n_municipality_labour']} of "
                f"{n_municipalities:,} municipalities have signed a labour agreement."
            ),
            (
                f"- {v['dif_n_early']} prefectures had one before {start}; of the {v['dif_n_at_risk']} at risk from "
                f"{start}, {v['dif_n_events']} signed by {end}. Among them (conditional on not having signed before "
                f"{start}), prefectures with more technical interns per resident had {v['dif_finding_titp_per_1000']} "
                f"(odds ratio {v['dif_or_titp_per_1000']} per SD, {v['dif_p_titp_per_1000']}; with period dummies "
                f"{v['dif_per_p_titp_per_1000']}, counting only agreements wholly about workers "
                f"{v['dif_strict_p_titp_per_1000']}); fiscally stronger ones had {v['dif_finding_fiscal_strength']} "
                f"({v['dif_p_fiscal_strength']}); those whose neighbours had signed had "
                f"{v['dif_finding_neighbour_share']} (odds ratio {v['dif_or_neighbour_share']}, 95% interval "
                f"{v['dif_or_neighbour_share_low']} to {v['dif_or_neighbour_share_high']}). With {v['dif_n_at_risk']} "
                "prefectures at risk, a non-significant estimate is weak evidence of no effect."
            ),
            (
                f"- The {v['profile_n_signed']} municipalities that signed differ from the others in fiscal strength by "
                f"{v['profile_diff_fiscal_strength']} (permutation {v['profile_p_fiscal_strength']}) and in log "
                f"population by {v['profile_diff_log_population']} ({v['profile_p_log_population']})."
            ),
        ]
    )


# What we found: notebook(s) 06_regressions and 07_spatial_robustness


def regression_findings(entries: dict[str, dict]) -> str:
    """The "What we found" bullet list of notebook 06, in markdown, from its recorded values
    (``entries``: key -> {"text": …, …}); the synthetic check is added when its values are
    there (synthetic mode only)."""
    v = {key: entry["text"] for key, entry in entries.items()}
    lines = [
        (
            f"- In the main model ({v['n_model_respondents']} respondents, weighted, covariates measured before the "
            f"survey), {v['capacity_summary']}; fiscally stronger municipalities {v['finding_fiscal_strength']} "
            f"(odds ratio {v['or_fiscal_strength']}, {v['ptext_fiscal_strength']})."
        ),
        (
            f"- Proportional odds: omnibus p = {v['po_p']} ({v['po_verdict']}); cumulative-split slopes differ for "
            f"{v['po_flagged_terms']}; the rule frees {v['ppo_free_terms']}."
        ),
        (
            f"- A 0.1 higher fiscal strength index: {v['ame2_fiscal_tenth']} points on P(formal agreement) in the "
            f"partial proportional-odds model ({v['ame2_fiscal_tenth_low']} to {v['ame2_fiscal_tenth_high']}), "
            f"{v['amef_fiscal_tenth']} in the full-frame logit ({v['amef_fiscal_tenth_low']} to "
            f"{v['amef_fiscal_tenth_high']}): {v['formal_evidence_fiscal_strength']}."
        ),
        (
            f"- Prefecture exposure ({v['n_exposed_prefectures_model']} exposed prefectures): clustered p = "
            f"{v['p_prefecture_exposure']}, wild cluster score bootstrap p = {v['exposure_wild_p']}; the two tests "
            f"{v['exposure_t_vs_wild']}."
        ),
        (
            f"- The number of policies is {v['policies_dispersion_word']} (dispersion {v['policies_dispersion']}, "
            f"one-sided p of overdispersion {v['policies_dispersion_p_over']})."
        ),
    ]
    if "mc_ordered_reps" in v:
        lines.append(
            f"- Synthetic check: over {v['mc_ordered_reps']} simulated data sets the main model's 95% intervals of "
            f"the capacity coefficients covered the truth {v['mc_ordered_capacity']}% of the time "
            f"({v['mc_ordered_capacity_min']}–{v['mc_ordered_capacity_max']}% by term); the formal-agreement "
            f"logit's {v['mc_formal_capacity']}% over {v['mc_formal_reps']}."
        )
    return "\n".join(lines)


def spatial_findings(entries: dict[str, dict]) -> str:
    """The "What we found" bullet list of notebook 07, in markdown, from its recorded values
    (``entries``: key -> {"text": …, …})."""
    v = {key: entry["text"] for key, entry in entries.items()}
    lines = [
        (
            f"- Surrogate residuals of the ordered model: Moran's I from {v['moran_surrogate_i_min']} to "
            f"{v['moran_surrogate_i_max']} over {v['surrogate_draws']} draws; {v['n_surrogate_significant']} of "
            f"them with two-sided p < 0.05 on contiguity ({v['n_surrogate_expected']} expected by chance without "
            f"autocorrelation) and {v['n_surrogate_significant_knn']} on the 6 nearest respondents."
        ),
        (
            f"- Formal agreements themselves {v['moran_outcome_verdict']} (I = {v['moran_outcome_i']}, p = "
            f"{v['moran_outcome_p']}); the residuals of the formal-agreement model show "
            f"{v['moran_pearson_verdict']} autocorrelation (I = {v['moran_pearson_i']}, p = {v['moran_pearson_p']})."
        ),
        (
            f"- LISA: {v['n_lisa_flagged']} municipalities flagged at p < 0.05, {v['n_lisa_flagged_fdr']} after the "
            "false-discovery-rate correction."
        ),
        (
            f"- Spatial lag: ρ = {v['lag_rho']} (p = {v['lag_rho_p']}); fiscal strength's coefficient in this "
            f"linear probability model is {v['lag_fiscal']} ({v['lag_fiscal_sig']}, p = {v['lag_fiscal_p']})."
        ),
        (
            f"- Across the robustness columns that change one thing, fiscal strength's coefficient runs from "
            f"{v['robust_fiscal_min']} to {v['robust_fiscal_max']}: {v['robust_fiscal_word']}, and "
            f"{v['robust_fiscal_sig_all']}. Coding all {v['n_strength_unknown']} unknown strengths 0 gives "
            f"{v['bound_0_fiscal']}, coding them 1 gives {v['bound_1_fiscal']}."
        ),
        f"- Under the three other definitions, prefecture exposure is {v['exposure_definitions']}.",
    ]
    return "\n".join(lines)


# What we found: notebook(s) 04_spatial_join and 05_descriptives


def spatial_join_findings(values: dict[str, dict], min_neighbours: int, n_components: int) -> str:
    """The "What we found" bullets of the spatial join (notebook 04), from its recorded values
    (``Values.entries``) and two numbers of the weights' report it does not record: the fewest
    neighbours of any municipality and the number of separate parts of the graph."""
    v = {key: entry["text"] for key, entry in values.items()}  # the printed texts
    rows_in = sum(values[key]["value"] for key in ("n_list_placed_own", "n_list_placed_capital", "n_list_unplaced"))
    return "\n".join(
        [
            (
                f"- All {v['n_analysis']} municipalities carry the outcome, its two robustness variants, their agreement "
                "counts and (for respondents) the eight policy items; both joins matched every row on both sides."
            ),
            (
                f"- Of {rows_in} agreement-list rows, {v['n_list_placed_own']} are placed by their own partner code, "
                f"{v['n_list_placed_capital']} at a capital region (national bodies), and {v['n_list_unplaced']} "
                "cannot be drawn (partners in countries without a staged layer, or without a usable code), counted above."
            ),
            (
                f"- {v['n_islands_linked']} municipalities have no contiguous neighbour and are linked to their nearest; "
                f"every municipality has at least {min_neighbours} neighbour(s), {v['mean_neighbours']} on average. "
                f"The graph still has {n_components} separate parts (the main islands and remote island groups are not "
                "joined), which spatial statistics treat as separate neighbourhoods."
            ),
        ]
    )


def descriptives_findings(values: dict[str, dict], n_municipalities: int) -> str:
    """The "What we found" bullets of the descriptive statistics (notebook 05), from its
    recorded values (``Values.entries``) and the number of municipalities in the frame."""
    v = {key: entry["text"] for key, entry in values.items()}  # the printed texts
    return "\n".join(
        [
            (
                f"- Respondents differ from non-respondents most in {v['table1_max_std_diff_variable']} "
                f"(standardised difference {v['table1_max_std_diff']}; in fiscal strength {v['table1_std_diff_fiscal']}); "
                "weighted by the non-response weights, respondents differ from the frame by at most "
                f"{v['table1_max_std_diff_weighted']}."
            ),
            (
                f"- Strength is known for {v['n_strength_known']} of {n_municipalities:,} municipalities; the rest are "
                "non-respondents without a documented tie, shown as unknown rather than as 'none'."
            ),
            (
                f"- Of {v['n_links_in_window']} agreements and ties in 2020–2023, {v['n_links_capital']} are with "
                f"national bodies (drawn at the capital region) and {v['n_links_not_drawn']} with partners in countries "
                f"without a staged layer; the partner province named most often is {v['top_destination']} "
                f"({v['top_destination_n']})."
            ),
            (
                f"- The most common policy among respondents is {v['most_common_policy']} "
                f"({v['most_common_policy_share']}%), the least common {v['least_common_policy']} "
                f"({v['least_common_policy_share']}%)."
            ),
        ]
    )
