"""Figures of a campaign group and their comparison (no database access).

:func:`group_statistics` turns the sums of one group (a variant or the control
group) and of the groups it is compared with into rates, confidence intervals,
p-values and verdict codes of :mod:`.ab_statistics`.
"""

import math
from statistics import NormalDist

from .ab_statistics import two_proportion_ztest, verdict, welch_ttest_from_stats

_Z95 = NormalDist().inv_cdf(0.975)


def wilson_interval(successes, n, z=_Z95):
    """95 % Wilson score interval of a rate; ``(None, None)`` without data."""
    if n <= 0:
        return None, None
    rate = successes / n
    denominator = 1 + z * z / n
    centre = (rate + z * z / (2 * n)) / denominator
    margin = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - margin), min(1.0, centre + margin)


def group_statistics(group, control=None, reference=None):
    """Statistics of ``group`` (a dict of sums) against control and reference.

    ``group`` keys: targeted, sent, delivered, accepted, completed, churned,
    arpu_n, arpu_mean, arpu_var and optionally arpu_window_complete (False while
    the months after the launch are not all over and billed: the ARPU verdict is
    then ``window_incomplete`` whatever the figures). ``reference`` is the first
    variant: acceptance is compared with it (the control group is offered
    nothing).
    Returns a new dict with the rates, intervals, p-values and verdict codes
    (``None`` where a figure cannot be computed).
    """
    stats = dict(group)
    sent, accepted = group["sent"], group["accepted"]
    stats["acceptance_rate"] = accepted / sent if sent else None
    stats["acceptance_ci"] = wilson_interval(accepted, sent)
    stats["churn_rate"] = (
        group["churned"] / group["targeted"] if group["targeted"] else None
    )
    stats["churn_ci"] = wilson_interval(group["churned"], group["targeted"])
    stats.update(
        acceptance_p=None,
        acceptance_verdict=None,
        churn_p=None,
        churn_verdict=None,
        arpu_p=None,
        arpu_verdict=None,
    )
    if reference is not None and sent and reference["sent"]:
        result = two_proportion_ztest(
            accepted, sent, reference["accepted"], reference["sent"]
        )
        stats["acceptance_p"] = result.p_value
        stats["acceptance_verdict"] = verdict(result)
    if control is None:
        return stats
    if group["targeted"] and control["targeted"]:
        result = two_proportion_ztest(
            group["churned"], group["targeted"], control["churned"], control["targeted"]
        )
        stats["churn_p"] = result.p_value
        stats["churn_verdict"] = verdict(result, higher_is_better=False)
    else:
        stats["churn_verdict"] = "insufficient_data"
    window_complete = group.get("arpu_window_complete", True)
    if group["arpu_n"] >= 2 and control["arpu_n"] >= 2:
        result = welch_ttest_from_stats(
            group["arpu_mean"],
            group["arpu_var"],
            group["arpu_n"],
            control["arpu_mean"],
            control["arpu_var"],
            control["arpu_n"],
        )
        stats["arpu_p"] = result.p_value
        stats["arpu_verdict"] = verdict(result) if window_complete else None
    stats["arpu_verdict"] = (
        (stats["arpu_verdict"] or "insufficient_data")
        if window_complete
        else "window_incomplete"
    )
    return stats


def campaign_winner(variant_stats):
    """``(code, winners)``: code is ``insufficient_data`` when no variant has
    enough data on churn or ARPU, or while the ARPU window is not over and
    billed (a variant better on churn may still turn out worse on ARPU),
    ``winner`` for exactly one variant better than control on one of them and
    worse on none, ``several`` or ``none``."""
    if any(stats["arpu_verdict"] == "window_incomplete" for stats in variant_stats):
        return "insufficient_data", []
    undecided = {"insufficient_data", None}
    decided = [
        stats
        for stats in variant_stats
        if {stats["churn_verdict"], stats["arpu_verdict"]} - undecided
    ]
    if not decided:
        return "insufficient_data", []
    winners = [
        stats
        for stats in decided
        if "a_better" in (stats["churn_verdict"], stats["arpu_verdict"])
        and "b_better" not in (stats["churn_verdict"], stats["arpu_verdict"])
    ]
    if len(winners) == 1:
        return "winner", winners
    return ("several", winners) if winners else ("none", [])
