import io
import zipfile
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..tools.ab_assignment import HOLDOUT, assign
from .common import CampaignsCommon


class CampaignCommon(CampaignsCommon):
    """Three subscribers in the North, two in the South, each with a Basic line."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_own_subscribers()
        cls.subscribers = cls.env["res.partner"]
        cls.lines = {}
        for name, zone in (
            ("North A", cls.zone_north_city),
            ("North B", cls.zone_north_city),
            ("North C", cls.zone_north),
            ("South A", cls.zone_south),
            ("South B", cls.zone_south),
        ):
            partner, account = cls._create_subscriber(name, zone=zone)
            cls.lines[partner] = cls._activate_line(account)
            cls.subscribers |= partner
        cls.north = cls.subscribers[:3]
        cls.south = cls.subscribers[3:]
        cls.env["telecom.subscriber.metric"]._refresh(cls.subscribers.ids)
        Segment = cls.env["telecom.segment"]
        cls.segment_all = Segment.create({"name": "Everybody"})
        cls.segment_south = Segment.create(
            {
                "name": "South",
                "condition_ids": [
                    (0, 0, {"field_name": "region", "operator": "in",
                            "region_ids": [(6, 0, cls.zone_south.ids)]}),
                ],
            }
        )  # fmt: skip
        cls.segment_basic = Segment.create(
            {
                "name": "On Basic",
                "condition_ids": [
                    (0, 0, {"field_name": "tariff", "operator": "in",
                            "tariff_ids": [(6, 0, cls.tariff_basic.ids)]}),
                ],
            }
        )  # fmt: skip
        Offer = cls.env["telecom.offer"]
        cls.offer_unlimited = Offer.create(
            {
                "name": "Unlimited at Basic price",
                "offer_type": "tariff",
                "tariff_id": cls.tariff_unlimited.id,
                "eligibility_segment_id": cls.segment_basic.id,
                "retention_ok": True,
                "sequence": 5,
            }
        )
        cls.offer_data = Offer.create(
            {
                "name": "Extra data",
                "offer_type": "option",
                "option_id": cls.option_data.id,
                "retention_ok": True,
                "sequence": 10,
            }
        )

    def _campaign(self, user, **values):
        return (
            self.env["telecom.campaign"]
            .with_user(user)
            .create(
                {
                    "name": "Autumn",
                    "segment_id": self.segment_all.id,
                    "offer_id": self.offer_unlimited.id,
                    **values,
                }
            )
        )


@tagged("post_install", "-at_install")
class TestCampaignLaunch(CampaignCommon):
    def test_launch_freezes_the_target_and_makes_the_offers_once(self):
        campaign = self._campaign(self.marketer_north)
        campaign.action_launch()
        self.assertEqual(campaign.state, "running")
        self.assertEqual(campaign.snapshot_id.member_count, 5)
        self.assertEqual(
            set(campaign.snapshot_id.sudo().member_ids.partner_id.ids),
            set(self.subscribers.ids),
        )
        responses = campaign.sudo().response_ids
        self.assertEqual(set(responses.partner_id.ids), set(self.subscribers.ids))
        self.assertEqual(set(responses.mapped("state")), {"queued"})
        self.assertEqual(set(responses.mapped("channel")), {"sms"})
        self.assertEqual(
            responses[0].date_deadline, fields.Date.today() + timedelta(days=14)
        )
        # the marketer of the North sees the offers of the North only
        self.assertEqual(
            self.env["telecom.offer.response"]
            .with_user(self.marketer_north)
            .search([("campaign_id", "=", campaign.id)])
            .partner_id,
            self.north,
        )
        with self.assertRaises(UserError):
            campaign.action_launch()
        self.assertEqual(len(campaign.sudo().response_ids), 5)
        # a subscriber joining the segment later is not targeted by the relaunch
        # but may be added by a scenario
        newcomer, account = self._create_subscriber("Newcomer")
        self._activate_line(account)
        self.env["telecom.subscriber.metric"]._refresh(newcomer.ids)
        added = campaign._add_partners([newcomer.id, self.north[0].id])
        self.assertEqual(added.partner_id, newcomer)

    def test_exclusions_and_eligibility_narrow_the_target(self):
        self.lines[self.north[0]].tariff_id = self.tariff_unlimited
        self.env["telecom.subscriber.metric"]._refresh(self.subscribers.ids)
        campaign = self._campaign(
            self.marketer_north, exclude_segment_ids=[(6, 0, self.segment_south.ids)]
        )
        campaign.action_launch()
        # South excluded, North A already on Unlimited: not eligible
        self.assertEqual(campaign.sudo().response_ids.partner_id, self.north[1:])

    def test_ab_variants_and_holdout_follow_the_assignment(self):
        test = (
            self.env["telecom.ab.test"]
            .with_user(self.marketer_north)
            .create(
                {
                    "name": "Tariff or data",
                    "holdout_percent": 40,
                    "variant_ids": [
                        (0, 0, {"name": "Tariff", "offer_id": self.offer_unlimited.id}),
                        (0, 0, {"name": "Data", "offer_id": self.offer_data.id}),
                    ],
                }
            )
        )
        campaign = self._campaign(
            self.marketer_north, ab_test_id=test.id, offer_id=False
        )
        campaign.action_launch()
        variants = test.variant_ids.sorted("sequence")
        for response in campaign.sudo().response_ids:
            group = assign(
                test.id,
                response.partner_id.id,
                [(v.id, v.weight) for v in variants],
                0.4,
            )
            if group == HOLDOUT:
                self.assertEqual(response.state, "control")
                self.assertFalse(response.variant_id)
            else:
                self.assertEqual(response.variant_id.id, group)
                self.assertEqual(response.offer_id, response.variant_id.offer_id)
                self.assertEqual(response.state, "queued")

    def test_invalid_offer_refuses_the_launch(self):
        self.offer_unlimited.write(
            {"date_from": fields.Date.today() - timedelta(days=20),
             "date_to": fields.Date.today() - timedelta(days=1)}
        )  # fmt: skip
        campaign = self._campaign(self.marketer_north)
        with self.assertRaises(UserError):
            campaign.action_launch()
        self.assertFalse(campaign.snapshot_id)

    def test_scheduled_campaigns_launch_when_due(self):
        due = self._campaign(
            self.marketer_north, date_start=fields.Datetime.now() - timedelta(hours=1)
        )
        later = self._campaign(
            self.marketer_north, date_start=fields.Datetime.now() + timedelta(days=1)
        )
        (due | later).action_schedule()
        self.offer_data.date_to = fields.Date.today() - timedelta(days=1)
        failing = self._campaign(
            self.marketer_north,
            offer_id=self.offer_data.id,
            date_start=fields.Datetime.now() - timedelta(hours=1),
        )
        failing.action_schedule()
        self.env["telecom.campaign"]._cron_launch_scheduled()
        self.assertEqual(
            (due.state, later.state, failing.state), ("running", "scheduled", "draft")
        )
        self.assertEqual(len(due.sudo().response_ids), 5)

    def test_agents_cannot_create_campaigns(self):
        with self.assertRaises(AccessError):
            self._campaign(self.front_office)


@tagged("post_install", "-at_install")
class TestOfferResponse(CampaignCommon):
    def _send(self, offer, partners, user=None):
        user = user or self.marketer_north
        responses = offer.with_user(user)._send_to_partners(
            partners.ids, channel="call"
        )
        return responses._mark_sent()

    def test_accepted_tariff_offer_becomes_a_tariff_change(self):
        partner = self.north[0]
        response = self._send(self.offer_unlimited, partner)
        self.assertEqual(response.state, "sent")
        response.action_accept()
        request = response.request_id
        self.assertRecordValues(
            request,
            [{"request_type": "tariff_change", "tariff_id": self.tariff_unlimited.id,
              "service_id": self.lines[partner].id, "partner_id": partner.id,
              "state": "done"}],
        )  # fmt: skip
        self.assertEqual(self.lines[partner].tariff_id, self.tariff_unlimited)
        self.assertEqual(response.state, "accepted")
        timeline = self.env["telecom.interaction"].search(
            [("res_model", "=", "telecom.offer.response"), ("res_id", "=", response.id)]
        )
        self.assertEqual(
            timeline.mapped("summary"),
            ["Offer accepted: Unlimited at Basic price",
             "Offer sent: Unlimited at Basic price"],
        )  # fmt: skip
        with self.assertRaises(UserError):
            response.action_accept()

    def test_accepted_option_offer_adds_the_option(self):
        partner = self.north[1]
        response = self._send(self.offer_data, partner)
        response.action_accept()
        self.assertRecordValues(
            response.request_id,
            [{"request_type": "option_change", "option_action": "add",
              "option_id": self.option_data.id, "state": "done"}],
        )  # fmt: skip
        self.assertIn(self.option_data, self.lines[partner].option_ids)

    def test_accepted_discount_adds_its_option_until_the_end(self):
        discount_option = self.env["product.product"].create(
            {"name": "T Discount 20 %", "type": "service", "telecom_kind": "option",
             "telecom_service_type": "mobile", "telecom_billing_code": "T-DISC-20"}
        )  # fmt: skip
        self.tariff_basic.product_tmpl_id.telecom_compatible_option_ids |= (
            discount_option.product_tmpl_id
        )
        offer = self.env["telecom.offer"].create(
            {"name": "20 % off for 3 months", "offer_type": "discount",
             "discount_percent": 20, "discount_months": 3,
             "option_id": discount_option.id}
        )  # fmt: skip
        partner = self.north[2]
        line = self.lines[partner]
        response = self._send(offer, partner)
        response.with_user(self.marketer_north).action_accept()
        end = fields.Date.today() + relativedelta(months=3)
        self.assertRecordValues(
            response.request_id,
            [{"request_type": "option_change", "option_action": "add",
              "option_id": discount_option.id, "option_date_end": end,
              "service_id": line.id, "state": "done"}],
        )  # fmt: skip
        self.assertIn(discount_option, line.option_ids)
        self.assertEqual(
            response.request_id.event_ids.filtered(
                lambda event: event.event_type == "request.done"
            ).payload["option_date_end"],
            fields.Date.to_string(end),
        )
        # the end of the discount is a request of its own, due that day
        removal = self.env["telecom.request"].search(
            [("service_id", "=", line.id), ("option_action", "=", "remove")]
        )
        self.assertRecordValues(
            removal,
            [{"request_type": "option_change", "option_id": discount_option.id,
              "state": "scheduled", "effective_date": end}],
        )  # fmt: skip
        with freeze_time(end):
            self.env["telecom.request"]._cron_complete_due_requests()
        self.assertEqual(removal.state, "done")
        self.assertNotIn(discount_option, line.option_ids)
        # a discount is the catalog's option that grants it
        with self.assertRaises(ValidationError):
            offer.option_id = False

    def test_eligibility_and_validity(self):
        self.lines[self.north[0]].tariff_id = self.tariff_unlimited
        self.env["telecom.subscriber.metric"]._refresh(self.subscribers.ids)
        responses = self._send(self.offer_unlimited, self.north)
        self.assertEqual(responses.partner_id, self.north[1:])
        # no longer valid: cannot be accepted, and the cron closes it
        self.offer_unlimited.date_to = fields.Date.today() - timedelta(days=1)
        with self.assertRaises(UserError):
            responses[0].action_accept()
        with self.assertRaises(UserError):
            self._send(self.offer_unlimited, self.north)

    def test_decline_and_expiry(self):
        declined, silent = self._send(self.offer_data, self.north[:2])
        queued = self.offer_data._send_to_partners(self.north[2:].ids)
        declined.with_user(self.marketer_north).action_decline()
        self.assertEqual(declined.state, "declined")
        (silent | queued).date_deadline = fields.Date.today() - timedelta(days=1)
        self.env["telecom.offer.response"]._cron_expire()
        self.assertEqual(silent.state, "no_answer")
        self.assertEqual(queued.state, "expired")
        self.assertTrue(
            self.env["telecom.interaction"].search_count(
                [("res_id", "=", silent.id), ("outcome", "=", "no_answer"),
                 ("res_model", "=", "telecom.offer.response")]
            )
        )  # fmt: skip

    def test_zone_rules(self):
        responses = self.offer_data._send_to_partners(self.subscribers.ids)
        Response = self.env["telecom.offer.response"]
        self.assertEqual(
            Response.with_user(self.marketer_south)
            .search([("id", "in", responses.ids)])
            .partner_id,
            self.south,
        )
        self.assertEqual(
            self.env["telecom.campaign.report"]
            .with_user(self.marketer_south)
            .search([("partner_id", "in", self.subscribers.ids)])
            .partner_id,
            self.south,
        )
        south_response = responses.filtered(lambda r: r.partner_id in self.south)[:1]
        with self.assertRaises(AccessError):
            south_response.with_user(self.marketer_north).action_decline()


@tagged("post_install", "-at_install")
class TestRetentionOffer(CampaignCommon):
    def _case(self, partner):
        request = self._new_request(
            "termination", self.lines[partner], termination_reason="price"
        )
        request.action_submit()
        return self.env["telecom.retention.case"].create(
            {
                "partner_id": partner.id,
                "request_id": request.id,
                "trigger": "termination",
                "region_id": partner.telecom_region_id.id,
                "company_id": self.company.id,
            }
        )

    def test_recommended_offer_presented_and_accepted(self):
        case = self._case(self.north[0]).with_user(self.retention_agent)
        self.assertEqual(case.recommended_offer_id, self.offer_unlimited)
        self.assertIn("On Basic", case.recommendation_text)
        self.assertIn("among the 2 retention offers", case.recommendation_text)
        case.action_accept_offer()
        response = case.offer_response_ids
        self.assertEqual(response.state, "accepted")
        self.assertEqual(response.request_id.request_type, "tariff_change")
        self.assertEqual(response.request_id.tariff_id, self.tariff_unlimited)
        # the subscriber stays: case saved, termination cancelled with the reason
        self.assertEqual(case.state, "retained")
        termination = case.request_id
        self.assertEqual(termination.state, "cancelled")
        row = termination.sudo().event_ids.filtered(
            lambda event: event.event_type == "request.cancelled"
        )
        self.assertIn("Unlimited at Basic price accepted", row.payload["note"])
        timeline = self.env["telecom.interaction"].search(
            [("request_id", "=", termination.id), ("description", "!=", False)]
        )
        self.assertIn("The subscriber stays", timeline.description)
        with self.assertRaises(UserError):
            case.action_present_offer()

    def test_any_presented_offer_accepted_on_the_response_saves_the_case(self):
        case = self._case(self.north[1]).with_user(self.retention_agent)
        case.action_present_offer()
        case.action_decline_offer()
        # declining leaves the case and the termination open
        self.assertEqual(case.state, "open")
        self.assertEqual(case.request_id.state, "submitted")
        case.invalidate_recordset(["recommended_offer_id"])
        case.action_present_offer()
        self.assertEqual(case.open_response_id.offer_id, self.offer_data)
        case.open_response_id.action_accept()
        self.assertEqual(case.state, "retained")
        self.assertEqual(case.request_id.state, "cancelled")
        self.assertIn(self.option_data, self.lines[self.north[1]].option_ids)

    def test_retention_agents_act_on_their_zones_only(self):
        case = self._case(self.south[0])
        with self.assertRaises(AccessError):
            case.with_user(self.retention_agent).action_accept_offer()
        self.assertEqual(case.state, "open")
        self.assertEqual(case.request_id.state, "submitted")

    def test_declined_offer_gives_the_next_one(self):
        # the tariff offer comes first; declined, the option offer comes next
        case = self._case(self.north[1]).with_user(self.retention_agent)
        case.action_present_offer()
        case.action_decline_offer()
        self.assertEqual(case.offer_response_ids.state, "declined")
        case.invalidate_recordset(["recommended_offer_id"])
        self.assertEqual(case.recommended_offer_id, self.offer_data)
        self.offer_data.active = False
        case.invalidate_recordset(["recommended_offer_id", "recommendation_text"])
        self.assertFalse(case.recommended_offer_id)
        self.assertIn("No retention offer fits", case.recommendation_text)


@tagged("post_install", "-at_install")
class TestCampaignResults(CampaignCommon):
    def test_results_refuse_a_winner_on_small_samples(self):
        # the split of 5 subscribers depends on the ids: take a test whose split
        # has both a variant group and a control group
        for attempt in range(50):
            test = self.env["telecom.ab.test"].create(
                {
                    "name": f"Small {attempt}",
                    "holdout_percent": 30,
                    "variant_ids": [
                        (0, 0, {"name": "Tariff", "offer_id": self.offer_data.id})
                    ],
                }
            )
            if len(set(test._assign(self.subscribers.ids).values())) == 2:
                break
        campaign = self._campaign(
            self.marketer_north, ab_test_id=test.id, offer_id=False
        )
        campaign.action_launch()
        sent = campaign.sudo().response_ids.filtered(lambda r: r.state == "queued")
        sent._mark_sent()
        sent[:1]._mark_delivered()
        sent[:1].action_accept()
        results = campaign._get_results()
        self.assertEqual(results["verdict"], "insufficient_data")
        self.assertIn("not enough data", results["verdict_text"])
        variant = results["groups"][0]
        self.assertEqual(
            (variant["targeted"], variant["sent"], variant["delivered"],
             variant["accepted"], variant["completed"]),
            (len(sent), len(sent), 1, 1, 1),
        )  # fmt: skip
        self.assertIn("Not enough data yet", variant["verdict_text"])
        funnel = dict(
            self.env["telecom.campaign.funnel.report"]._read_group(
                [("campaign_id", "=", campaign.id), ("is_control", "=", False)],
                ["stage"],
                ["__count"],
            )
        )
        self.assertEqual(
            funnel,
            {"targeted": len(sent), "sent": len(sent), "delivered": 1,
             "accepted": 1, "completed": 1},
        )  # fmt: skip
        self.assertIn("Not enough data yet", campaign.results_html)

    def test_churn_after_launch_counts(self):
        campaign = self._campaign(self.marketer_north)
        campaign.action_launch()
        line = self.lines[self.south[0]]
        termination = self._new_request("termination", line, termination_reason="price")
        termination.action_submit()
        termination.action_complete()
        self.assertEqual(line.state, "terminated")
        (group,) = campaign._get_group_sums()
        self.assertEqual((group["targeted"], group["churned"]), (5, 1))

    def test_xlsx_export_opens(self):
        campaign = self._campaign(self.marketer_north)
        campaign.action_launch()
        content = campaign.with_user(self.marketer_north)._export_results_xlsx()
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            self.assertIn("xl/workbook.xml", archive.namelist())
        try:
            import openpyxl
        except ImportError:
            return
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        self.assertEqual(workbook.sheetnames, ["Summary", "Results", "Funnel"])
        results = workbook["Results"]
        self.assertEqual(results.cell(1, 1).value, "Group")
        self.assertEqual(results.cell(2, 2).value, 5)  # targeted
        self.assertEqual(workbook["Summary"].cell(2, 2).value, "Autumn")


@tagged("post_install", "-at_install")
class TestCampaignSending(CampaignCommon):
    """E-mail and SMS offers go through the marketing message queue and come
    back sent and delivered."""

    def test_launch_queues_messages_and_syncs_sent_and_delivered(self):
        self.company.write(
            {"telecom_contact_cap_sms_day": 0, "telecom_contact_cap_sms_week": 0,
             "telecom_contact_cap_sms_month": 0, "telecom_quiet_hour_start": 0.0,
             "telecom_quiet_hour_end": 0.0}
        )  # fmt: skip
        for serial, partner in enumerate(self.subscribers, start=1):
            partner.write(
                {"mobile": f"+7916333{serial:04d}", "telecom_consent_sms": True}
            )
        self.subscribers[-1].telecom_consent_sms = False
        self.offer_data.sms_body = "More data for you"
        campaign = self._campaign(self.marketer_north, offer_id=self.offer_data.id)
        campaign.action_launch()
        Message = self.env["telecom.campaign.message"]
        messages = Message.search(
            [("res_model", "=", "telecom.campaign"), ("res_id", "=", campaign.id)]
        )
        self.assertEqual(len(messages), 5)
        self.assertEqual(
            messages.filtered(lambda m: m.state == "blocked").partner_id,
            self.subscribers[-1],
        )
        self.assertEqual(messages.mailing_id.body_plaintext, "More data for you")
        # the mass mailing sent two of them; one of those reached the phone
        sent = messages.filtered(lambda m: m.state != "blocked")[:2]
        sent.write({"state": "sent", "sent_date": fields.Datetime.now()})
        self.env["mailing.trace"].create(
            {"model": Message._name, "res_id": sent[0].id, "trace_type": "sms",
             "mass_mailing_id": sent[0].mailing_id.id, "trace_status": "sent"}
        )  # fmt: skip
        self.assertEqual(self.env["telecom.offer.response"]._cron_sync_messages(), 2)
        responses = campaign.sudo().response_ids
        by_partner = {response.partner_id: response for response in responses}
        self.assertEqual(
            {by_partner[partner].state for partner in sent.partner_id}, {"sent"}
        )
        self.assertTrue(by_partner[sent[0].partner_id].date_delivered)
        self.assertFalse(by_partner[sent[1].partner_id].date_delivered)
        self.assertEqual(len(responses.filtered(lambda r: r.state == "queued")), 3)
        self.assertEqual(
            self.env["telecom.interaction"].search_count(
                [("res_model", "=", "telecom.offer.response"),
                 ("res_id", "in", responses.ids), ("channel", "=", "sms")]
            ),
            2,
        )  # fmt: skip
        # a second run changes nothing
        self.assertEqual(self.env["telecom.offer.response"]._cron_sync_messages(), 0)
