from collections import Counter

from odoo.tests import tagged

from ..tools.ab_assignment import HOLDOUT, assign, assign_many, unit_interval
from .common import CampaignsCommon


@tagged("post_install", "-at_install")
class TestAbAssignment(CampaignsCommon):
    def test_assignment_is_stable(self):
        variants = [("a", 1), ("b", 1)]
        first = assign_many(7, range(1, 2001), variants, 0.1)
        # the same answer again, and whatever the order the subscribers come in
        self.assertEqual(first, assign_many(7, range(2000, 0, -1), variants, 0.1))
        # a known value: the hash is not tied to the process (no hash seed)
        self.assertAlmostEqual(
            unit_interval(1, 1),
            int.from_bytes(
                __import__("hashlib").sha256(b"telecom-ab:1:1").digest()[:8], "big"
            )
            / 2**64,
        )
        # another test shuffles the subscribers differently
        other = assign_many(8, range(1, 2001), variants, 0.1)
        self.assertNotEqual(first, other)

    def test_assignment_is_balanced(self):
        ids = range(1, 40_001)
        groups = Counter(
            assign_many(11, ids, [("a", 1), ("b", 1), ("c", 2)], 0.1).values()
        )
        expected = {HOLDOUT: 0.1, "a": 0.225, "b": 0.225, "c": 0.45}
        chi_square = sum(
            (groups[key] - share * len(ids)) ** 2 / (share * len(ids))
            for key, share in expected.items()
        )
        # 3 degrees of freedom: 16.27 is the 0.1 % critical value
        self.assertLess(chi_square, 16.27, groups)

    def test_holdout_zero_and_bad_weights(self):
        self.assertNotIn(
            HOLDOUT, set(assign_many(3, range(1, 500), [("a", 1), ("b", 1)]).values())
        )
        with self.assertRaises(ValueError):
            assign(1, 1, [("a", 0)])
        with self.assertRaises(ValueError):
            assign(1, 1, [("a", 1)], holdout_share=1.0)

    def test_test_record_assigns_its_variants(self):
        test = (
            self.env["telecom.ab.test"]
            .with_user(self.marketer_north)
            .create(
                {
                    "name": "Retention offer",
                    "holdout_percent": 20,
                    "variant_ids": [
                        (0, 0, {"name": "Discount", "weight": 1}),
                        (0, 0, {"name": "Extra data", "weight": 1}),
                    ],
                }
            )
        )
        groups = test._assign(range(1, 5001))
        self.assertEqual(groups, test._assign(range(1, 5001)))
        counts = Counter(group.name if group else HOLDOUT for group in groups.values())
        self.assertAlmostEqual(counts[HOLDOUT] / 5000, 0.2, delta=0.03)
        self.assertAlmostEqual(counts["Discount"] / 5000, 0.4, delta=0.03)
