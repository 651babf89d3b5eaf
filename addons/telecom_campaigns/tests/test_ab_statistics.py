import math

from odoo.tests import TransactionCase, tagged

from ..tools.ab_statistics import (
    regularized_incomplete_beta,
    student_t_ppf,
    student_t_sf,
    two_proportion_ztest,
    verdict,
    welch_ttest,
    welch_ttest_from_stats,
)


@tagged("post_install", "-at_install")
class TestAbStatistics(TransactionCase):
    """Values checked against hand computation and SciPy 1.17 (computed offline)."""

    def test_two_proportion_ztest_by_hand(self):
        # 45/100 against 30/100: pooled rate 0.375,
        # se = sqrt(0.375 * 0.625 * (1/100 + 1/100)) = 0.0684653, z = 0.15 / se
        result = two_proportion_ztest(45, 100, 30, 100)
        self.assertAlmostEqual(result.difference, 0.15, places=12)
        self.assertAlmostEqual(result.z, 0.15 / math.sqrt(0.375 * 0.625 * 0.02), 12)
        self.assertAlmostEqual(result.z, 2.1908902300, places=9)
        self.assertAlmostEqual(result.p_value, 0.0284597369, places=9)
        # Wald interval: 0.15 ± 1.959964 * sqrt(.45*.55/100 + .3*.7/100)
        margin = 1.959963984540054 * math.sqrt(0.45 * 0.55 / 100 + 0.3 * 0.7 / 100)
        self.assertAlmostEqual(result.ci_low, 0.15 - margin, places=9)
        self.assertAlmostEqual(result.ci_high, 0.15 + margin, places=9)

    def test_two_proportion_ztest_identical_rates(self):
        result = two_proportion_ztest(0, 50, 0, 80)
        self.assertEqual((result.z, result.p_value), (0.0, 1.0))

    def test_welch_ttest_against_scipy(self):
        sample_a = [20.1, 22.3, 19.8, 25.0, 21.7, 23.4, 18.9, 24.2]
        sample_b = [18.2, 17.9, 21.0, 16.5, 19.3, 20.2]
        result = welch_ttest(sample_a, sample_b)
        # scipy.stats.ttest_ind(a, b, equal_var=False) and its confidence_interval()
        self.assertAlmostEqual(result.t, 2.991099509980149, places=10)
        self.assertAlmostEqual(result.df, 11.996042639858167, places=10)
        self.assertAlmostEqual(result.p_value, 0.011254908803501058, places=10)
        self.assertAlmostEqual(result.ci_low, 0.8349894054732117, places=8)
        self.assertAlmostEqual(result.ci_high, 5.315010594526787, places=8)

    def test_welch_from_stats_textbook(self):
        # means 10 and 12, variances 4 and 9, n 20 and 25:
        # se² = 0.2 + 0.36 = 0.56, t = -2 / sqrt(0.56),
        # df = 0.56² / (0.2²/19 + 0.36²/24) = 41.78401122; p from scipy.stats.t.sf
        result = welch_ttest_from_stats(10, 4, 20, 12, 9, 25)
        self.assertAlmostEqual(result.t, -2 / math.sqrt(0.56), places=12)
        self.assertAlmostEqual(result.df, 0.3136 / (0.04 / 19 + 0.1296 / 24), 10)
        self.assertAlmostEqual(result.p_value, 0.010686816561632893, places=10)

    def test_student_t_distribution(self):
        # scipy.stats.t.sf / t.ppf
        self.assertAlmostEqual(student_t_sf(2.5, 7), 0.020496109292876444, places=10)
        self.assertAlmostEqual(student_t_sf(1.0, 1), 0.25, places=12)  # Cauchy
        self.assertAlmostEqual(student_t_ppf(0.975, 30), 2.0422724563012378, 9)
        self.assertAlmostEqual(student_t_ppf(0.975, 2.5), 3.5746548420036817, 9)
        # I_x(1, 1) = x, I_x(2, 1) = x²
        self.assertAlmostEqual(regularized_incomplete_beta(1, 1, 0.3), 0.3, 12)
        self.assertAlmostEqual(regularized_incomplete_beta(2, 1, 0.3), 0.09, 12)

    def test_verdict_refuses_without_enough_data(self):
        # a huge difference on 20 subscribers per group: no winner
        small = two_proportion_ztest(18, 20, 2, 20)
        self.assertLess(small.p_value, 0.001)
        self.assertEqual(verdict(small), "insufficient_data")
        # too few events even with many subscribers
        rare = two_proportion_ztest(9, 5000, 0, 5000)
        self.assertEqual(verdict(rare), "insufficient_data")
        few_values = welch_ttest([1, 2, 3] * 5, [7, 8, 9] * 5)
        self.assertEqual(verdict(few_values), "insufficient_data")

    def test_verdict_with_enough_data(self):
        better = two_proportion_ztest(300, 1000, 200, 1000)
        self.assertEqual(verdict(better), "a_better")
        worse = two_proportion_ztest(200, 1000, 300, 1000)
        self.assertEqual(verdict(worse), "b_better")
        # churn: lower is better
        churn = two_proportion_ztest(200, 1000, 300, 1000)
        self.assertEqual(verdict(churn, higher_is_better=False), "a_better")
        self.assertEqual(
            verdict(two_proportion_ztest(250, 1000, 252, 1000)), "no_difference"
        )
