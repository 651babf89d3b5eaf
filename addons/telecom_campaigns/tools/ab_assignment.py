"""Deterministic A/B assignment: a stable hash of (test, subscriber) into buckets.

The same test and subscriber always land in the same group, on every node and
in every run, without storing anything: the group is a pure function of the two
ids, the holdout share and the variants' weights.
"""

import hashlib

HOLDOUT = "holdout"
_SCALE = float(2**64)


def unit_interval(test_id, partner_id):
    """A stable number in [0, 1) for the pair (test, subscriber)."""
    digest = hashlib.sha256(f"telecom-ab:{test_id}:{partner_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def assign(test_id, partner_id, variants, holdout_share=0.0):
    """The group of one subscriber: :data:`HOLDOUT` or the key of a variant.

    :param variants: ``[(key, weight), ...]`` in a stable order, weights > 0
    :param holdout_share: share of subscribers kept apart as control, in [0, 1)
    """
    if not 0.0 <= holdout_share < 1.0:
        raise ValueError("holdout_share must be in [0, 1)")
    total = float(sum(weight for __, weight in variants))
    if not variants or total <= 0 or any(weight <= 0 for __, weight in variants):
        raise ValueError("variants need positive weights")
    point = unit_interval(test_id, partner_id)
    if point < holdout_share:
        return HOLDOUT
    # the rest of the interval is shared by the variants, in proportion to weights
    point = (point - holdout_share) / (1.0 - holdout_share) * total
    cumulated = 0.0
    for key, weight in variants:
        cumulated += weight
        if point < cumulated:
            return key
    return variants[-1][0]


def assign_many(test_id, partner_ids, variants, holdout_share=0.0):
    """``{partner_id: group}`` for many subscribers (no database access)."""
    return {
        partner_id: assign(test_id, partner_id, variants, holdout_share)
        for partner_id in partner_ids
    }
