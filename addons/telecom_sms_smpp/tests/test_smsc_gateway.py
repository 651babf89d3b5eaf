import contextlib
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests.common import tagged

from .common import SmscCase


class WorkerKilled(Exception):
    """The worker process dies (its transaction never commits)."""


CYRILLIC = (
    "Уважаемый абонент! В вашем районе ведутся плановые работы на базовой станции. "
    "Связь может пропадать до 18:00. Приносим извинения за неудобства. Ваш оператор."
)


@tagged("post_install", "-at_install")
class TestSmscGateway(SmscCase):
    def test_long_cyrillic_sms_arrives_as_concatenated_ucs2_parts(self):
        sms = self.new_sms(body=CYRILLIC)
        sms.send(unlink_sent=False)
        message = self.journal(sms)
        self.assertEqual(message.data_coding, "8")
        self.assertEqual(message.part_count, 3)
        self.assertEqual(len(set(message.part_ids.mapped("smsc_reference"))), 3)
        self.assertIn(message.state, ("submitted", "delivered"))
        self.assertIn(sms.state, ("pending", "sent"))
        [received] = self.simulator.smsc()["assembled"]
        self.assertEqual(received["text"], CYRILLIC)
        self.assertEqual(received["data_coding"], 8)
        self.assertEqual((received["parts"], received["parts_received"]), (3, 3))
        self.assertEqual(received["destination_addr"], "79160000000")
        self.assertEqual(
            received["message_ids"],
            message.part_ids.sorted("sequence").mapped("smsc_reference"),
        )

    def _post_sms(self, partner, body):
        """An SMS posted by a user on a partner: notification + tracker + sms."""
        partner.with_user(self.user)._message_sms(body, partner_ids=partner.ids)
        notification = self.env["mail.notification"].search(
            [("res_partner_id", "=", partner.id), ("notification_type", "=", "sms")],
            order="id desc",
            limit=1,
        )
        return notification, self.env["sms.sms"].browse(notification.sms_id_int)

    def test_receipts_update_sms_trackers_and_notifications(self):
        # receipts come after the sending session: the cron collects them
        self.account.receipt_wait = 0
        self.simulator.configure(smsc_receipt_delay_ms=300)
        good = self.env["res.partner"].create(
            {"name": "T Good", "phone": "+79161110001"}
        )
        bad = self.env["res.partner"].create({"name": "T Bad", "phone": "+79161110002"})
        notification_good, sms_good = self._post_sms(good, "Your bill is ready")
        self.env["sms.sms"].browse(sms_good.ids)._process_queue(sms_good.ids)
        self.assertEqual(sms_good.state, "pending")
        self.assertEqual(notification_good.notification_status, "pending")
        self.collect_receipts()
        self.assertEqual(sms_good.state, "sent")
        self.assertEqual(notification_good.notification_status, "sent")
        self.assertEqual(self.journal(sms_good).state, "delivered")
        self.assertEqual(self.journal(sms_good).part_ids.receipt_stat, "DELIVRD")

        self.simulator.configure(smsc_receipt_status="UNDELIV")
        notification_bad, sms_bad = self._post_sms(bad, "Ваш счёт готов")
        sms_bad._process_queue(sms_bad.ids)
        self.collect_receipts()
        self.assertEqual(sms_bad.state, "error")
        self.assertEqual(sms_bad.failure_type, "sms_not_delivered")
        self.assertEqual(notification_bad.notification_status, "exception")
        self.assertEqual(notification_bad.failure_type, "sms_not_delivered")
        self.assertEqual(self.journal(sms_bad).state, "undelivered")
        # the first one keeps its receipt
        self.assertEqual(notification_good.notification_status, "sent")

    def test_receipts_are_acknowledged_only_once_stored_for_good(self):
        self.account.receipt_wait = 0
        self.simulator.configure(smsc_receipt_delay_ms=500)
        sms = self.new_sms(2)
        sms.send(unlink_sent=False)
        self.end_transaction(committed=True)
        journal = self.journal(sms)
        self.assertEqual(set(journal.mapped("state")), {"submitted"})
        # the worker collecting the receipts dies before its transaction commits
        with contextlib.suppress(WorkerKilled), self.env.cr.savepoint():
            self.collect_receipts()
            self.assertEqual(set(journal.mapped("state")), {"delivered"})
            raise WorkerKilled
        self.end_transaction(committed=False)
        self.env.invalidate_all()
        self.assertEqual(set(journal.mapped("state")), {"submitted"})
        state = self.wait_smsc(lambda state: state["receipts_pending"] == 2)
        self.assertEqual(state["receipts_pending"], 2, "the SMSC kept the receipts")
        self.assertNotIn("receipt_acknowledged", state["counters"])
        # the next collection gets them again; acknowledged once committed
        self.collect_receipts()
        self.assertEqual(set(journal.mapped("state")), {"delivered"})
        self.assertNotIn("receipt_acknowledged", self.simulator.smsc()["counters"])
        self.end_transaction(committed=True)
        state = self.wait_smsc(
            lambda state: state["counters"].get("receipt_acknowledged") == 2
        )
        self.assertEqual(state["counters"]["receipt_acknowledged"], 2)
        self.assertEqual(state["receipts_pending"], 0)
        self.assertEqual(state["counters"]["receipt_sent"], 4)

    def test_throttled_smsc_loses_and_duplicates_nothing(self):
        self.account.window_size = 4
        self.simulator.configure(smsc_throttle_per_second=10)
        sms = self.new_sms(30)
        sms.send(unlink_sent=False)
        self.collect_receipts()
        state = self.simulator.smsc()
        self.assertGreater(state["counters"]["submit_throttled"], 0)
        self.assertEqual(state["counters"]["submit_accepted"], 30)
        received = sorted(message["destination_addr"] for message in state["messages"])
        self.assertEqual(received, sorted(n.lstrip("+") for n in sms.mapped("number")))
        self.assertEqual(set(sms.mapped("state")), {"sent"})
        self.assertEqual(set(self.journal(sms).mapped("state")), {"delivered"})

    def test_smsc_down_keeps_the_sms_queued_then_sends_them_once(self):
        self.simulator.configure(smsc_outage=True)
        sms = self.new_sms(3)
        sms.send(unlink_sent=False)
        self.assertEqual(set(sms.mapped("state")), {"outgoing"})
        journal = self.journal(sms)
        self.assertEqual(set(journal.mapped("state")), {"queued"})
        self.assertEqual(set(journal.mapped("attempt_count")), {1})
        self.assertTrue(
            all(
                date > fields.Datetime.now()
                for date in journal.mapped("next_attempt_date")
            )
        )
        self.assertTrue(self.account.last_error)
        # the queue runs again before the retry date: nothing is attempted
        sms.send(unlink_sent=False)
        self.assertEqual(set(journal.mapped("attempt_count")), {1})
        # the SMSC is back and the retry is due
        self.simulator.configure(smsc_outage=False)
        journal.next_attempt_date = fields.Datetime.now() - timedelta(seconds=1)
        sms.send(unlink_sent=False)
        self.assertEqual(set(journal.mapped("state")) - {"delivered"}, set())
        self.assertEqual(self.simulator.smsc()["counters"]["submit_accepted"], 3)
        # sent again (a batch replayed): the journal knows them, nothing is resubmitted
        sms.write({"state": "outgoing", "to_delete": False})
        sms.send(unlink_sent=False)
        self.assertEqual(self.simulator.smsc()["counters"]["submit_accepted"], 3)
        self.assertEqual(set(sms.mapped("state")), {"sent"})

    def test_retries_exhausted_fail_the_sms(self):
        self.simulator.configure(smsc_outage=True)
        sms = self.new_sms()
        for _attempt in range(self.account.max_attempts):
            self.journal(sms).next_attempt_date = False
            sms.send(unlink_sent=False)
        self.assertEqual(sms.state, "error")
        self.assertEqual(sms.failure_type, "sms_server")
        self.assertEqual(self.journal(sms).state, "failed")

    def test_refused_number_fails_without_retry(self):
        sms = self.new_sms(number="+7 (916) 000-%04d") | self.env["sms.sms"].create(
            {"number": "not a number", "body": "x"}
        )
        sms.send(unlink_sent=False)
        self.assertIn(sms[0].state, ("pending", "sent"))
        self.assertEqual(self.journal(sms[0]).number, "+79160000000")
        self.assertEqual(
            (sms[1].state, sms[1].failure_type), ("error", "sms_number_format")
        )

    def test_temporary_errors_are_retried(self):
        self.simulator.configure(smsc_error_rate=1.0, smsc_error_status=0x14)
        sms = self.new_sms()
        sms.send(unlink_sent=False)
        self.assertEqual(sms.state, "outgoing")
        self.assertEqual(self.journal(sms).attempt_count, 1)
        self.simulator.configure(smsc_error_rate=0.0)
        self.journal(sms).next_attempt_date = False
        sms.send(unlink_sent=False)
        self.assertIn(sms.state, ("pending", "sent"))

    def test_connection_test_button(self):
        account = self.account.with_user(self.admin_user)
        action = account.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.account.password = "wrong"
        with self.assertRaisesRegex(UserError, "ESME_RINVPASWD"):
            account.action_test_connection()
        self.account.port = 1
        with self.assertRaises(UserError):
            account.action_test_connection()

    def test_only_system_administrators_see_the_gateway(self):
        with self.assertRaises(AccessError):
            self.env["telecom.smsc.account"].with_user(self.user).search([])
        with self.assertRaises(AccessError):
            self.env["telecom.smsc.message"].with_user(self.user).search([])
        account = (
            self.env["telecom.smsc.account"]
            .with_user(self.admin_user)
            .browse(self.account.id)
        )
        self.assertEqual(account.password, "secret")

    def test_without_an_smsc_account_odoo_uses_iap(self):
        self.account.active = False
        self.assertFalse(self.env["telecom.smsc.account"]._get_active_account())
