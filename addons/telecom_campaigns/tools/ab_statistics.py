"""Significance tests for A/B results, in plain Python (math and statistics only).

- :func:`two_proportion_ztest` compares rates (acceptance, churn);
- :func:`welch_ttest` compares means with unequal variances (ARPU change);
- :func:`verdict` turns a result into a decision that refuses to name a winner
  without enough data.
"""

import math
from collections import namedtuple
from statistics import NormalDist, fmean, variance

ProportionResult = namedtuple(
    "ProportionResult",
    "rate_a rate_b difference z p_value ci_low ci_high n_a n_b successes_a successes_b",
)
MeanResult = namedtuple(
    "MeanResult", "mean_a mean_b difference t df p_value ci_low ci_high n_a n_b"
)

# below these, the normal approximation of a rate / the t-test is not trusted
MIN_SAMPLE_PER_GROUP = 100
MIN_EVENTS_PER_GROUP = 10
MIN_SAMPLE_PER_GROUP_MEAN = 30

_NORMAL = NormalDist()


def two_proportion_ztest(successes_a, n_a, successes_b, n_b, confidence=0.95):
    """Two-sided z-test of ``rate_a == rate_b``.

    The statistic uses the pooled rate (the null hypothesis), the confidence
    interval of ``rate_a - rate_b`` the unpooled (Wald) standard error.
    """
    if n_a <= 0 or n_b <= 0:
        raise ValueError("both groups need at least one subscriber")
    if not (0 <= successes_a <= n_a and 0 <= successes_b <= n_b):
        raise ValueError("successes must be between 0 and the group size")
    rate_a, rate_b = successes_a / n_a, successes_b / n_b
    difference = rate_a - rate_b
    pooled = (successes_a + successes_b) / (n_a + n_b)
    pooled_se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if pooled_se == 0:
        z, p_value = 0.0, 1.0
    else:
        z = difference / pooled_se
        p_value = 2 * (1 - _NORMAL.cdf(abs(z)))
    wald_se = math.sqrt(rate_a * (1 - rate_a) / n_a + rate_b * (1 - rate_b) / n_b)
    margin = _NORMAL.inv_cdf(0.5 + confidence / 2) * wald_se
    return ProportionResult(
        rate_a,
        rate_b,
        difference,
        z,
        p_value,
        difference - margin,
        difference + margin,
        n_a,
        n_b,
        successes_a,
        successes_b,
    )


def welch_ttest(sample_a, sample_b, confidence=0.95):
    """Two-sided Welch t-test of ``mean_a == mean_b`` on two samples."""
    sample_a, sample_b = list(sample_a), list(sample_b)
    if len(sample_a) < 2 or len(sample_b) < 2:
        raise ValueError("each sample needs at least two values")
    return welch_ttest_from_stats(
        fmean(sample_a),
        variance(sample_a),
        len(sample_a),
        fmean(sample_b),
        variance(sample_b),
        len(sample_b),
        confidence,
    )


def welch_ttest_from_stats(mean_a, var_a, n_a, mean_b, var_b, n_b, confidence=0.95):
    """Welch t-test from summary statistics (sample variances, ``ddof=1``)."""
    if n_a < 2 or n_b < 2:
        raise ValueError("each sample needs at least two values")
    share_a, share_b = var_a / n_a, var_b / n_b
    se = math.sqrt(share_a + share_b)
    difference = mean_a - mean_b
    if se == 0:
        return MeanResult(
            mean_a, mean_b, difference, 0.0, float(n_a + n_b - 2),
            1.0 if difference == 0 else 0.0, difference, difference, n_a, n_b,
        )  # fmt: skip
    t = difference / se
    df = (share_a + share_b) ** 2 / (share_a**2 / (n_a - 1) + share_b**2 / (n_b - 1))
    p_value = 2 * student_t_sf(abs(t), df)
    margin = student_t_ppf(0.5 + confidence / 2, df) * se
    return MeanResult(
        mean_a,
        mean_b,
        difference,
        t,
        df,
        p_value,
        difference - margin,
        difference + margin,
        n_a,
        n_b,
    )


def student_t_sf(t, df):
    """P(T > t) for Student's t with ``df`` (real, > 0) degrees of freedom."""
    tail = 0.5 * regularized_incomplete_beta(df / 2, 0.5, df / (df + t * t))
    return tail if t >= 0 else 1 - tail


def student_t_ppf(probability, df):
    """Quantile of Student's t (bisection on the distribution function)."""
    if not 0 < probability < 1:
        raise ValueError("probability must be in (0, 1)")
    low, high = -1.0, 1.0
    while 1 - student_t_sf(low, df) > probability:
        low *= 2
    while 1 - student_t_sf(high, df) < probability:
        high *= 2
    for _index in range(200):
        middle = (low + high) / 2
        if 1 - student_t_sf(middle, df) < probability:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2


def regularized_incomplete_beta(a, b, x):
    """I_x(a, b) by Lentz's continued fraction (Numerical Recipes, betacf)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
        + a * math.log(x) + b * math.log1p(-x)
    )  # fmt: skip
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1 - math.exp(log_front) * _beta_continued_fraction(b, a, 1 - x) / b


def _beta_continued_fraction(a, b, x, max_iterations=500, epsilon=3e-16):
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    fraction = d
    for m in range(1, max_iterations + 1):
        numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1 + numerator * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + numerator / c
        c = c if abs(c) > tiny else tiny
        fraction *= d * c
        numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1 + numerator * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + numerator / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        fraction *= delta
        if abs(delta - 1) < epsilon:
            break
    return fraction


def verdict(result, alpha=0.05, higher_is_better=True):
    """Decision on a result of the tests above.

    Returns one of ``insufficient_data``, ``no_difference``, ``a_better``,
    ``b_better``. Rates need :data:`MIN_SAMPLE_PER_GROUP` subscribers and
    :data:`MIN_EVENTS_PER_GROUP` successes and failures in each group; means need
    :data:`MIN_SAMPLE_PER_GROUP_MEAN` values per group. Without them no winner
    is named, however small the p-value.
    """
    if isinstance(result, ProportionResult):
        enough = all(
            n >= MIN_SAMPLE_PER_GROUP
            and successes >= MIN_EVENTS_PER_GROUP
            and n - successes >= MIN_EVENTS_PER_GROUP
            for n, successes in (
                (result.n_a, result.successes_a),
                (result.n_b, result.successes_b),
            )
        )
    else:
        enough = min(result.n_a, result.n_b) >= MIN_SAMPLE_PER_GROUP_MEAN
    if not enough:
        return "insufficient_data"
    if result.p_value >= alpha or result.difference == 0:
        return "no_difference"
    a_higher = result.difference > 0
    return "a_better" if a_higher == higher_is_better else "b_better"
