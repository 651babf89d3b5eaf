"""What the campaign benchmarks share: the marketing user, the goals of the issue.

A goal line reads ``goal_<measure>: met (12.3 s <= 30 s)`` or ``... MISSED ...``;
a script exits with status 1 when one of its goals is missed, 0 otherwise.
"""

import sys

from common import BENCH_PREFIX, measure

BENCH_MARKETER_LOGIN = "bench_marketing"  # Marketing User of the bench zones


def bench_subscriber_count(cr):
    cr.execute(
        """SELECT count(*) FROM res_partner
            WHERE ref LIKE %s AND telecom_is_subscriber AND active""",
        [BENCH_PREFIX + "%"],
    )
    return cr.fetchone()[0]


def bench_marketer(env):
    """A Marketing User whose zones are the bench zones (created once)."""
    user = env["res.users"].search([("login", "=", BENCH_MARKETER_LOGIN)], limit=1)
    if user:
        if not user.email:  # a mailing's sender: created before it had one
            user.email = "bench_marketing@bench.example"
        return user
    regions = env["telecom.region"].search([("code", "like", "BENCH-R%")])
    group = env.ref("telecom_campaigns.telecom_campaigns_group_user")
    return (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": "Bench Marketing",
                "login": BENCH_MARKETER_LOGIN,
                "email": "bench_marketing@bench.example",
                "groups_id": [(6, 0, [group.id])],
                "telecom_region_ids": [(6, 0, regions.ids)],
            }
        )
    )


class Goals:
    """Collects the issue's goals and prints whether each was met."""

    def __init__(self):
        self.missed = []

    def check(self, name, seconds, limit):
        met = seconds <= limit
        if not met:
            self.missed.append(name)
        verdict = "met" if met else "MISSED"
        print(f"goal_{name}: {verdict} ({seconds:.2f} s <= {limit} s)", flush=True)

    def exit(self):
        measure("goals_missed", len(self.missed), "")
        sys.exit(1 if self.missed else 0)
