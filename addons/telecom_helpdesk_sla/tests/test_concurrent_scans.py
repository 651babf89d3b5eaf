"""A test that commits: it runs on its own, apart from the other tests.

Tagged ``telecom_commit``: tools/test excludes that tag from the main run and runs
it in a separate Odoo invocation afterwards (``--test-tags telecom_commit``), so
that the rows it commits (and deletes again) can never meet another test's
transaction.
"""

import threading
import time

from odoo import SUPERUSER_ID, Command, api
from odoo.sql_db import db_connect
from odoo.tests import tagged

from .common import TelecomHelpdeskCommon


@tagged("post_install", "-at_install", "telecom_commit")
class TestConcurrentScans(TelecomHelpdeskCommon):
    """Escalation levels fire once even when two cron workers scan at once."""

    # pylint: disable=invalid-commit
    def test_two_overlapping_scans_fire_a_level_once(self):
        """Two cron workers in two real transactions: the second one waits on
        the unique key of the first one's uncommitted firing, then inserts
        nothing; the actions run once.

        The workers need committed data and their own connections: the test
        commits its own records on separate cursors and deletes them at the end.
        """
        db = db_connect(self.env.cr.dbname)
        now = self.env.cr.now()
        ids = {}
        with db.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            team = env["helpdesk.ticket.team"].create({"name": "T concurrent team"})
            rule = env["telecom.escalation.rule"].create(
                {
                    "name": "T concurrent P1",
                    "team_ids": [Command.set(team.ids)],
                    "level": "4",
                    "trigger": "priority",
                    "priority_ids": [
                        Command.set(
                            env["telecom.ticket.priority"]
                            .search([("code", "=", "3")])
                            .ids
                        )
                    ],
                    "notify_activity": False,
                    "notify_assignee": False,
                    "notify_team_leader": False,
                }
            )
            ticket = env["helpdesk.ticket"].create(
                {
                    "name": "T concurrent",
                    "description": "x",
                    "priority": "3",
                    "team_id": team.id,
                }
            )
            ids = {"rule": rule.id, "ticket": ticket.id, "team": team.id}
            cr.commit()
        registry = self.env.registry
        results, errors = {}, []
        first_inserted = threading.Event()

        def worker(name, wait_for_other):
            try:
                with db.cursor() as cr:
                    # the registry is shared; Registry(dbname) would wait on the
                    # lock the test runner holds
                    cr.transaction = api.Transaction(registry)
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    rule = env["telecom.escalation.rule"].browse(ids["rule"])
                    if name == "second":
                        first_inserted.wait(180)
                    results[name] = rule._fire(now)
                    if wait_for_other:
                        first_inserted.set()
                        # hold the transaction until the other worker waits on
                        # our uncommitted row
                        results["other_waited"] = self._wait_for_lock_waiter(cr)
                    cr.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        first = threading.Thread(target=worker, args=("first", True))
        second = threading.Thread(target=worker, args=("second", False))
        try:
            first.start()
            second.start()
            first.join(240)
            second.join(240)
            self.assertFalse(errors)
            self.assertTrue(results["other_waited"])
            self.assertEqual(results["first"], [ids["ticket"]])
            self.assertEqual(results["second"], [])
            with db.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM telecom_escalation_firing WHERE rule_id = %s",
                    (ids["rule"],),
                )
                self.assertEqual(cr.fetchone()[0], 1)
                cr.execute(
                    "SELECT telecom_escalation_level FROM helpdesk_ticket "
                    "WHERE id = %s",
                    (ids["ticket"],),
                )
                self.assertEqual(cr.fetchone()[0], 4)
        finally:
            self._drop_committed(db, ids)

    @staticmethod
    def _wait_for_lock_waiter(cr, timeout=120):
        """True when another backend waits on a lock we hold (generous timeout:
        on a busy CI machine the other worker may take long to get there)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            cr.execute(
                """SELECT count(*) FROM pg_stat_activity
                    WHERE wait_event_type = 'Lock'
                      AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"""
            )
            if cr.fetchone()[0]:
                return True
            time.sleep(0.05)
        return False

    @staticmethod
    def _drop_committed(db, ids):
        if not ids:
            return
        with db.cursor() as cr:
            cr.execute(
                "DELETE FROM mail_message WHERE model = 'helpdesk.ticket' "
                "AND res_id = %s",
                (ids["ticket"],),
            )
            cr.execute(
                "DELETE FROM mail_followers WHERE res_model = 'helpdesk.ticket' "
                "AND res_id = %s",
                (ids["ticket"],),
            )
            cr.execute("DELETE FROM helpdesk_ticket WHERE id = %s", (ids["ticket"],))
            cr.execute(
                "DELETE FROM telecom_escalation_rule WHERE id = %s", (ids["rule"],)
            )
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["helpdesk.ticket.team"].browse(ids["team"]).unlink()
            cr.commit()
