from odoo.tests import BaseCase

from ..tools.campaign_results import campaign_winner, group_statistics, wilson_interval


def _group(targeted, sent, accepted, churned, arpu=(0, 0.0, 0.0)):
    arpu_n, arpu_mean, arpu_var = arpu
    return {
        "targeted": targeted, "sent": sent, "delivered": sent, "accepted": accepted,
        "completed": accepted, "churned": churned, "arpu_n": arpu_n,
        "arpu_mean": arpu_mean, "arpu_var": arpu_var, "is_control": False,
    }  # fmt: skip


class TestCampaignStatistics(BaseCase):
    """Against figures worked out by hand (see the comments)."""

    def test_wilson_interval(self):
        # 50/200: p = .25, z² = 3.841459, denominator 1.0192073,
        # centre .2547068, margin .0596297
        low, high = wilson_interval(50, 200)
        self.assertAlmostEqual(low, 0.195077, places=5)
        self.assertAlmostEqual(high, 0.314337, places=5)
        self.assertEqual(wilson_interval(0, 0), (None, None))

    def test_churn_against_control(self):
        # churn 10/200 = .05 vs 30/200 = .15; pooled .10,
        # se = sqrt(.1 × .9 × (1/200 + 1/200)) = .03, z = -3.3333,
        # p = 2 × (1 - Φ(3.3333)) = .000858
        variant = _group(200, 200, 50, 10)
        control = _group(200, 0, 0, 30)
        stats = group_statistics(variant, control=control)
        self.assertAlmostEqual(stats["churn_rate"], 0.05)
        self.assertAlmostEqual(stats["churn_p"], 0.000858, places=5)
        self.assertEqual(stats["churn_verdict"], "a_better")  # lower churn
        self.assertAlmostEqual(stats["acceptance_rate"], 0.25)
        self.assertEqual(stats["arpu_verdict"], "insufficient_data")
        self.assertEqual(campaign_winner([dict(stats, name="A")])[0], "winner")

    def test_arpu_against_control(self):
        # Welch: se = sqrt(4/50 + 9/60) = .479583, t = 2/.479583 = 4.1703,
        # df = .23² / (.08²/49 + .15²/59) = 103.33, two-sided p ≈ 6.3e-5
        variant = _group(200, 200, 50, 20, arpu=(50, 10.0, 4.0))
        control = _group(200, 0, 0, 20, arpu=(60, 8.0, 9.0))
        stats = group_statistics(variant, control=control)
        self.assertLess(stats["arpu_p"], 1e-4)
        self.assertGreater(stats["arpu_p"], 3e-5)
        self.assertEqual(stats["arpu_verdict"], "a_better")
        self.assertEqual(stats["churn_verdict"], "no_difference")

    def test_small_samples_name_no_winner(self):
        # a huge difference on 20 subscribers is not a result
        variant = _group(20, 20, 10, 0, arpu=(20, 50.0, 1.0))
        control = _group(20, 0, 0, 10, arpu=(20, 0.0, 1.0))
        stats = group_statistics(variant, control=control)
        self.assertEqual(stats["churn_verdict"], "insufficient_data")
        self.assertEqual(stats["arpu_verdict"], "insufficient_data")
        self.assertEqual(campaign_winner([stats]), ("insufficient_data", []))

    def test_acceptance_against_the_first_variant(self):
        # 60/200 = .30 vs 40/200 = .20: pooled .25, se = sqrt(.25 × .75 × .01)
        # = .0433013, z = 2.3094, p = .020921
        first = _group(300, 200, 40, 0)
        second = _group(300, 200, 60, 0)
        stats = group_statistics(second, reference=first)
        self.assertAlmostEqual(stats["acceptance_p"], 0.020921, places=5)
        self.assertEqual(stats["acceptance_verdict"], "a_better")

    def test_no_winner_while_the_arpu_window_is_not_over(self):
        # clear figures on both churn and ARPU: a winner once the months after
        # the launch are billed, none before
        variant = _group(200, 200, 50, 10, arpu=(150, 10.0, 4.0))
        control = _group(200, 0, 0, 30, arpu=(150, 8.0, 9.0))
        stats = group_statistics(variant, control=control)
        self.assertEqual(stats["arpu_verdict"], "a_better")
        self.assertEqual(campaign_winner([dict(stats, name="A")])[0], "winner")
        pending = dict(variant, arpu_window_complete=False)
        stats = group_statistics(pending, control=control)
        self.assertEqual(stats["churn_verdict"], "a_better")
        self.assertEqual(stats["arpu_verdict"], "window_incomplete")
        self.assertLess(stats["arpu_p"], 0.001)  # shown, not concluded on
        self.assertEqual(campaign_winner([stats]), ("insufficient_data", []))
        # too few figures once billed: still no ARPU verdict
        small = dict(variant, arpu_n=20)
        stats = group_statistics(small, control=control)
        self.assertEqual(stats["arpu_verdict"], "insufficient_data")
