from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import TelecomCommon, make_iccid, make_msisdn


@tagged("post_install", "-at_install")
class TestLifecycle(TelecomCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner, cls.account = cls._create_subscriber()

    def _line(self, **kwargs):
        return self._activate_line(self.account, **kwargs)

    # activation -----------------------------------------------------------
    def test_activation_creates_pending_service_then_activates(self):
        self.company.telecom_auto_complete = False
        request = self.env["telecom.request"].create(
            {
                "request_type": "activation",
                "partner_id": self.partner.id,
                "account_id": self.account.id,
                "tariff_id": self.tariff_basic.id,
                "option_ids": [(6, 0, self.option_roaming.ids)],
                "msisdn": "8 916 555-00-01",
                "iccid": make_iccid(900001),
            }
        )
        self.assertEqual(request.msisdn, "+79165550001")
        request.action_submit()
        service = request.service_id
        self.assertEqual((request.state, service.state), ("submitted", "pending"))
        self.assertEqual(service.option_ids, self.option_roaming)
        request.action_complete()
        self.assertEqual((request.state, service.state), ("done", "active"))
        self.assertEqual(service.activation_date, self._today())
        service.invalidate_recordset(["state_log_ids"])
        self.assertEqual(service.state_log_ids.mapped("state"), ["active", "pending"])
        self.assertEqual(service.state_log_ids[0].request_id, request)

    def test_activation_auto_completes_without_back_office(self):
        service = self._line()
        self.assertEqual(service.state, "active")
        request = service.request_ids
        self.assertEqual(request.state, "done")
        self.assertEqual(
            request.event_ids.sorted("id").mapped("event_type"),
            ["request.submitted", "request.done"],
        )

    def test_activation_rejects_bad_input(self):
        values = {
            "request_type": "activation",
            "partner_id": self.partner.id,
            "account_id": self.account.id,
            "tariff_id": self.tariff_basic.id,
            "msisdn": make_msisdn(900002),
        }
        request = self.env["telecom.request"].create(values)
        with self.assertRaisesRegex(UserError, "ICCID"):
            request.action_submit()
        self.assertEqual(request.state, "draft")
        good_iccid = make_iccid(900002)
        with self.assertRaisesRegex(ValidationError, "check digit"):
            request.iccid = good_iccid[:-1] + str((int(good_iccid[-1]) + 1) % 10)
        request.write({"iccid": good_iccid, "tariff_id": self.tariff_home.id})
        with self.assertRaisesRegex(UserError, "tariff plan made for this type"):
            request.action_submit()
        request.write(
            {
                "tariff_id": self.tariff_unlimited.id,
                "option_ids": [(6, 0, self.option_data.ids)],
            }
        )
        with self.assertRaisesRegex(UserError, "cannot be added"):
            request.action_submit()
        self.assertFalse(request.service_id)

    def test_activation_refuses_number_already_live(self):
        service = self._line()
        request = self.env["telecom.request"].create(
            {
                "request_type": "activation",
                "partner_id": self.partner.id,
                "account_id": self.account.id,
                "tariff_id": self.tariff_basic.id,
                "msisdn": service.msisdn,
                "iccid": make_iccid(900003),
            }
        )
        with self.assertRaisesRegex(UserError, "already used"):
            request.action_submit()
        self.assertFalse(request.service_id)

    def test_cancelled_activation_frees_the_number(self):
        self.company.telecom_auto_complete = False
        request = self.env["telecom.request"].create(
            {
                "request_type": "activation",
                "partner_id": self.partner.id,
                "account_id": self.account.id,
                "tariff_id": self.tariff_basic.id,
                "msisdn": make_msisdn(900004),
                "iccid": make_iccid(900004),
            }
        )
        request.action_submit()
        request.action_cancel(reason="Changed his mind")
        self.assertEqual(request.service_id.state, "terminated")
        again = request.copy(
            {"msisdn": request.service_id.msisdn, "iccid": request.service_id.iccid}
        )
        again.action_submit()
        self.assertEqual(again.service_id.state, "pending")
        self.assertNotEqual(again.service_id, request.service_id)

    # illegal moves --------------------------------------------------------
    def test_illegal_transitions_raise_and_change_nothing(self):
        service = self._line()
        done = service.request_ids
        for action in (done.action_submit, done.action_complete, done.action_cancel):
            with (
                self.subTest(action=action.__name__),
                self.assertRaisesRegex(UserError, "cannot go"),
            ):
                action()
        draft = self._new_request(
            "tariff_change", service, tariff_id=self.tariff_unlimited.id
        )
        with self.assertRaisesRegex(UserError, "cannot go"):
            draft.action_complete()
        with self.assertRaisesRegex(UserError, "cannot go"):
            draft.action_validate()
        self.assertEqual(draft.state, "draft")
        self.assertFalse(draft.event_ids)

    def test_service_state_cannot_be_edited_directly(self):
        service = self._line()
        with self.assertRaisesRegex(UserError, "through a request"):
            service.write({"state": "blocked"})

    def test_only_draft_requests_can_be_deleted(self):
        service = self._line()
        with self.assertRaisesRegex(UserError, "Only draft"):
            service.request_ids.unlink()

    # tariff change --------------------------------------------------------
    def test_tariff_change_now(self):
        service = self._line(options=self.option_roaming)
        request = self._new_request(
            "tariff_change", service, tariff_id=self.tariff_unlimited.id
        )
        request.action_submit()
        self.assertEqual(request.state, "done")
        self.assertEqual(service.tariff_id, self.tariff_unlimited)
        self.assertEqual(request.previous_tariff_id, self.tariff_basic)
        done_event = request.event_ids.filtered(
            lambda e: e.event_type == "request.done"
        )
        self.assertEqual(done_event.payload["tariff_code"], "T-TAR-UNLIM")
        self.assertEqual(done_event.payload["previous_tariff_code"], "T-TAR-BASIC")

    def test_tariff_change_next_cycle_is_scheduled_then_applied_by_cron(self):
        self.account.billing_day = 1
        service = self._line()
        with freeze_time("2026-03-14"):
            request = self._new_request(
                "tariff_change",
                service,
                tariff_id=self.tariff_unlimited.id,
                change_timing="next_cycle",
            )
            request.action_submit()
            self.assertEqual(request.state, "scheduled")
            self.assertEqual(request.effective_date, date(2026, 4, 1))
            self.env["telecom.request"]._cron_complete_due_requests()
            self.assertEqual(service.tariff_id, self.tariff_basic)
        with freeze_time("2026-04-01"):
            self.env["telecom.request"]._cron_complete_due_requests()
        self.assertEqual(request.state, "done")
        self.assertEqual(service.tariff_id, self.tariff_unlimited)

    def test_tariff_change_checks(self):
        service = self._line(options=self.option_data)
        same = self._new_request(
            "tariff_change", service, tariff_id=self.tariff_basic.id
        )
        with self.assertRaisesRegex(UserError, "already has tariff"):
            same.action_submit()
        other_type = self._new_request(
            "tariff_change", service, tariff_id=self.tariff_home.id
        )
        with self.assertRaisesRegex(UserError, "not made for this type"):
            other_type.action_submit()
        incompatible = self._new_request(
            "tariff_change", service, tariff_id=self.tariff_unlimited.id
        )
        with self.assertRaisesRegex(UserError, "does not allow options"):
            incompatible.action_submit()
        incompatible.remove_incompatible_options = True
        incompatible.action_submit()
        self.assertEqual(service.tariff_id, self.tariff_unlimited)
        self.assertFalse(service.option_ids)

    def test_scheduled_completion_failure_is_flagged_not_retried_forever(self):
        service = self._line()
        with freeze_time("2026-03-14"):
            request = self._new_request(
                "tariff_change",
                service,
                tariff_id=self.tariff_unlimited.id,
                change_timing="next_cycle",
            )
            request.action_submit()
        block = self._new_request("block", service, block_reason="debt")
        block.action_submit()
        with freeze_time("2026-04-01"):
            self.env["telecom.request"]._cron_complete_due_requests()
        self.assertEqual(request.state, "scheduled")
        self.assertIn("not possible", request.completion_error)
        self.assertTrue(request.activity_ids)

    # options ----------------------------------------------------------------
    def test_option_add_and_remove(self):
        service = self._line()
        add = self._new_request(
            "option_change", service, option_id=self.option_roaming.id
        )
        add.action_submit()
        self.assertEqual(service.option_ids, self.option_roaming)
        again = self._new_request(
            "option_change", service, option_id=self.option_roaming.id
        )
        with self.assertRaisesRegex(UserError, "already has option"):
            again.action_submit()
        remove = self._new_request(
            "option_change",
            service,
            option_id=self.option_roaming.id,
            option_action="remove",
        )
        remove.action_submit()
        self.assertFalse(service.option_ids)
        nothing = self._new_request(
            "option_change",
            service,
            option_id=self.option_data.id,
            option_action="remove",
        )
        with self.assertRaisesRegex(UserError, "no option"):
            nothing.action_submit()

    def test_option_added_until_a_date_schedules_its_removal(self):
        service = self._line()
        until = self._today() + timedelta(days=60)
        past = self._new_request(
            "option_change",
            service,
            option_id=self.option_roaming.id,
            option_date_end=self._today(),
        )
        with self.assertRaisesRegex(UserError, "must be in the future"):
            past.action_submit()
        add = self._new_request(
            "option_change",
            service,
            option_id=self.option_roaming.id,
            option_date_end=until,
        )
        add.action_submit()
        self.assertEqual(service.option_ids, self.option_roaming)
        removal = service.request_ids.filtered(lambda r: r.option_action == "remove")
        self.assertRecordValues(
            removal,
            [{"state": "scheduled", "effective_date": until,
              "option_id": self.option_roaming.id}],
        )  # fmt: skip
        with freeze_time(until):
            self.env["telecom.request"]._cron_complete_due_requests()
        self.assertEqual(removal.state, "done")
        self.assertFalse(service.option_ids)
        with_end = self._new_request(
            "option_change",
            service,
            option_id=self.option_roaming.id,
            option_action="remove",
            option_date_end=until,
        )
        with self.assertRaisesRegex(UserError, "Only an added option"):
            with_end.action_submit()

    def test_option_incompatible_with_tariff(self):
        service = self._line(tariff=self.tariff_unlimited)
        request = self._new_request(
            "option_change", service, option_id=self.option_data.id
        )
        with self.assertRaisesRegex(UserError, "cannot be added"):
            request.action_submit()

    # block / unblock ------------------------------------------------------
    def test_voluntary_block_schedules_its_unblock(self):
        service = self._line()
        until = self._today() + timedelta(days=30)
        block = self._new_request(
            "block", service, block_reason="voluntary", block_until=until
        )
        block.action_submit()
        self.assertEqual(
            (service.state, service.block_reason), ("blocked", "voluntary")
        )
        unblock = service.request_ids.filtered(lambda r: r.request_type == "unblock")
        self.assertEqual((unblock.state, unblock.effective_date), ("scheduled", until))
        self.assertLess(
            block.event_ids.filtered(lambda e: e.event_type == "request.done").id,
            unblock.event_ids[-1:].id,
            "the block is journaled before the unblock it causes",
        )
        with freeze_time(until):
            self.env["telecom.request"]._cron_complete_due_requests()
        self.assertEqual((service.state, service.block_reason), ("active", False))

    def test_voluntary_block_needs_a_period_within_limit(self):
        service = self._line()
        too_long = self._today() + timedelta(
            days=self.company.telecom_voluntary_block_max_days + 1
        )
        for until in (False, self._today(), too_long):
            block = self._new_request(
                "block", service, block_reason="voluntary", block_until=until
            )
            with (
                self.subTest(until=until),
                self.assertRaisesRegex(UserError, "end date"),
            ):
                block.action_submit()
        self.assertEqual(service.state, "active")

    def test_block_and_unblock_rules(self):
        service = self._line()
        self._new_request("block", service, block_reason="lost_sim").action_submit()
        self.assertEqual(service.state, "blocked")
        second = self._new_request("block", service, block_reason="lost_sim")
        with self.assertRaisesRegex(UserError, "not possible"):
            second.action_submit()
        self._new_request("unblock", service).action_submit()
        self.assertEqual(service.state, "active")
        unblock_active = self._new_request("unblock", service)
        with self.assertRaisesRegex(UserError, "not possible"):
            unblock_active.action_submit()

    def test_debt_block_is_lifted_by_a_supervisor_only(self):
        service = self._line()
        self._new_request("block", service, block_reason="debt").action_submit()
        agent_unblock = self._new_request(
            "unblock", service, env=self.env(user=self.front_office)
        )
        with self.assertRaisesRegex(UserError, "supervisor"):
            agent_unblock.action_submit()
        self.assertEqual(service.state, "blocked")
        self._new_request(
            "unblock", service, env=self.env(user=self.supervisor)
        ).action_submit()
        self.assertEqual(service.state, "active")

    # SIM swap ---------------------------------------------------------------
    def test_sim_swap_after_lost_sim_reactivates_the_line(self):
        service = self._line()
        old_iccid = service.iccid
        self._new_request("block", service, block_reason="lost_sim").action_submit()
        swap = self._new_request(
            "sim_swap", service, iccid=make_iccid(900010), sim_swap_reason="lost"
        )
        with self.assertRaisesRegex(UserError, "identity"):
            swap.action_submit()
        swap.identity_verified = True
        swap.action_submit()
        self.assertEqual(service.iccid, make_iccid(900010))
        self.assertEqual(swap.previous_iccid, old_iccid)
        self.assertEqual(service.state, "active")

    def test_sim_card_ordered_without_card_waits_for_it(self):
        service = self._line()
        order = self._new_request("sim_swap", service, sim_swap_reason="damaged")
        order.action_submit()
        self.assertEqual(order.state, "submitted")
        with self.assertRaisesRegex(UserError, "ICCID"):
            order.action_complete()
        order.write({"iccid": make_iccid(900020), "identity_verified": True})
        order.action_complete()
        self.assertEqual(service.iccid, make_iccid(900020))

    def test_sim_swap_refuses_a_card_in_use(self):
        service = self._line()
        other = self._line()
        swap = self._new_request(
            "sim_swap", service, iccid=other.iccid, identity_verified=True
        )
        with self.assertRaisesRegex(UserError, "already in use"):
            swap.action_submit()

    # termination ------------------------------------------------------------
    def test_termination_waits_for_retention_then_terminates(self):
        service = self._line()
        request = self._new_request(
            "termination",
            service,
            termination_reason="price",
            target_operator_id=self.operator_other.id,
        )
        request.action_submit()
        self.assertEqual((request.state, service.state), ("submitted", "active"))
        submitted = request.event_ids.filtered(
            lambda e: e.event_type == "request.submitted"
        )
        self.assertEqual(submitted.payload["termination_reason"], "price")
        self.assertEqual(submitted.payload["target_operator"], "T-OTHER")
        request.action_complete()
        self.assertEqual(
            (service.state, request.retention_outcome), ("terminated", "lost")
        )
        self.assertEqual(service.termination_date, self._today())
        reuse = self._new_request("block", service, block_reason="lost_sim")
        with self.assertRaisesRegex(UserError, "not possible"):
            reuse.action_submit()

    def test_termination_retained(self):
        service = self._line()
        request = self._new_request(
            "termination", service, termination_reason="coverage"
        )
        request.action_submit()
        request.with_user(self.retention_agent).action_retain()
        self.assertEqual(
            (request.state, request.retention_outcome), ("cancelled", "retained")
        )
        self.assertEqual(service.state, "active")

    def test_termination_needs_a_reason(self):
        service = self._line()
        request = self._new_request("termination", service)
        with self.assertRaisesRegex(UserError, "reason"):
            request.action_submit()

    def test_reject_needs_a_reason_and_is_journaled(self):
        service = self._line()
        request = self._new_request("termination", service, termination_reason="price")
        request.action_submit()
        with self.assertRaisesRegex(UserError, "reason"):
            request.action_reject("  ")
        wizard = self.env["telecom.request.refuse"].create(
            {
                "request_id": request.id,
                "outcome": "rejected",
                "reason": "Contract minimum term",
            }
        )
        wizard.action_confirm()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.rejection_reason, "Contract minimum term")
        rejected = request.event_ids.filtered(
            lambda e: e.event_type == "request.rejected"
        )
        self.assertEqual(rejected.payload["note"], "Contract minimum term")
        self.assertEqual(rejected.user_id, self.env.user)

    # journal / timeline -----------------------------------------------------
    def test_every_step_is_on_the_timeline(self):
        service = self._line()
        self._new_request(
            "tariff_change", service, tariff_id=self.tariff_unlimited.id
        ).action_submit()
        steps = self.partner.telecom_interaction_ids.filtered(
            lambda i: i.channel == "system"
        )
        self.assertEqual(
            len(steps), 4
        )  # activation and tariff change: submitted + done
        self.assertTrue(all(step.service_id == service for step in steps))
        self.assertIn("Tariff Change", steps[0].summary)
