import io

import openpyxl

from odoo.tests import HttpCase, new_test_user, tagged

from .common import CAMPAIGNS_GROUP

LEAVING_NORTH = 30  # at risk 80 with a port-out requested, in the marketer's zone
WITH_SMS_CONSENT = 20  # the first ones agreed to marketing SMS


@tagged("post_install", "-at_install")
class TestSegmentTour(HttpCase):
    """Headless Chromium, through the Telecom app's menus: a zone-limited
    marketer builds a segment, sees its size while editing, starts an A/B test
    on it, creates and launches the campaign of that test and opens its
    results and funnel; then the database must hold what the marketer did.
    Also the XLSX export over HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Region = cls.env["telecom.region"]
        cls.north = Region.create({"name": "Tour North", "code": "TOUR-N"})
        cls.south = Region.create({"name": "Tour South", "code": "TOUR-S"})
        cls.marketer = new_test_user(
            cls.env,
            login="tour_marketer",
            groups=CAMPAIGNS_GROUP + "user",
            telecom_region_ids=[(6, 0, cls.north.ids)],
        )
        if "tour_enabled" in cls.marketer._fields:
            cls.marketer.tour_enabled = False
        # no quiet hours: what the policy queues does not depend on the hour
        cls.env.company.write(
            {"telecom_quiet_hour_start": 0.0, "telecom_quiet_hour_end": 0.0}
        )
        cls.env.flush_all()
        # only the subscribers of this test count
        cls.env.cr.execute(
            "UPDATE res_partner SET telecom_is_subscriber = FALSE"
            " WHERE telecom_is_subscriber"
        )
        cls.env["res.partner"].invalidate_model(["telecom_is_subscriber"])
        rows = [
            ("Tour Calm", cls.north, 10, False),
            ("Tour Unhappy", cls.north, 70, False),
            *(
                (f"Tour Leaving {index:02d}", cls.north, 80, True)
                for index in range(LEAVING_NORTH)
            ),
            ("Tour South Leaving", cls.south, 90, True),
        ]
        partners = cls.env["res.partner"].create(
            [
                {
                    "name": name,
                    "telecom_is_subscriber": True,
                    "telecom_region_id": zone.id,
                    "mobile": f"+7916555{index:04d}",
                    "telecom_consent_sms": index - 2 < WITH_SMS_CONSENT,
                }
                for index, (name, zone, __, __) in enumerate(rows)
            ]
        )
        cls.env["telecom.subscriber.metric"].create(
            [
                {
                    "partner_id": partner.id,
                    "region_id": zone.id,
                    "churn_risk": risk,
                    "port_out_requested": port_out,
                }
                for partner, (__, zone, risk, port_out) in zip(
                    partners, rows, strict=True
                )
            ]
        )
        cls.leaving_north = partners[2 : 2 + LEAVING_NORTH]
        cls.leaving = cls.leaving_north[0]
        cls.south_leaving = partners[-1]
        cls.consenting = partners.filtered("telecom_consent_sms")
        Offer = cls.env["telecom.offer"]
        discount, roaming = cls.env["product.product"].create(
            [
                {
                    "name": name,
                    "telecom_kind": "option",
                    "telecom_service_type": "mobile",
                    "telecom_billing_code": code,
                    "telecom_monthly_fee": fee,
                }
                for name, code, fee in (
                    ("Tour Discount 20 %", "TOUR-OPT-DISC", 0),
                    ("Tour Roaming", "TOUR-OPT-ROAM", 100),
                )
            ]
        )
        cls.offer_discount = Offer.create(
            {
                "name": "Tour 20% Off",
                "offer_type": "discount",
                "discount_percent": 20,
                "option_id": discount.id,
                "sms_body": "20% off for 3 months: answer YES",
            }
        )
        cls.offer_roaming = Offer.create(
            {
                "name": "Tour Roaming Option",
                "offer_type": "option",
                "option_id": roaming.id,
                "sms_body": "Free roaming for 3 months: answer YES",
            }
        )

    def test_marketer_builds_a_segment_and_launches_an_ab_campaign(self):
        self.start_tour(
            "/odoo",
            "telecom_campaigns_segment_ab_test",
            login="tour_marketer",
            # some 60 steps through five screens on a loaded machine
            timeout=300,
        )
        segment = self.env["telecom.segment"].search([("name", "=", "Tour High Risk")])
        self.assertEqual(segment.create_uid, self.marketer)
        self.assertEqual(
            [
                (c.field_name, c.operator, c.value_number)
                for c in segment.leaf_condition_ids
            ],
            [("churn_risk", ">=", 60.0)],
        )
        self.assertEqual(segment.group_ids.match, "any")
        self.assertEqual(segment.group_ids.child_ids.field_name, "port_out_requested")
        # everywhere, the south subscriber matches too; the marketer saw 30
        self.assertEqual(segment.preview_count, LEAVING_NORTH + 1)
        self.assertEqual(segment.with_user(self.marketer).preview_count, LEAVING_NORTH)
        test = self.env["telecom.ab.test"].search([("segment_id", "=", segment.id)])
        self.assertEqual(test.name, "Tour Offer Test")
        self.assertEqual(test.create_uid, self.marketer)
        self.assertEqual(test.holdout_percent, 30)
        self.assertEqual(
            [(v.name, v.offer_id) for v in test.variant_ids],
            [("Discount", self.offer_discount), ("Free Roaming", self.offer_roaming)],
        )
        campaign = self.env["telecom.campaign"].search([("ab_test_id", "=", test.id)])
        self._assert_launched_by_marketer(campaign, segment)
        responses = self._assert_assignment(campaign, test)
        self._assert_messages_per_contact_policy(campaign, responses)

    def _assert_launched_by_marketer(self, campaign, segment):
        self.assertEqual(campaign.name, "Tour Autumn Retention")
        self.assertEqual(campaign.create_uid, self.marketer)
        self.assertEqual(campaign.segment_id, segment)
        self.assertEqual(campaign.channel, "sms")
        self.assertEqual(campaign.state, "running")
        self.assertTrue(campaign.launch_date)
        launch_note = campaign.message_ids.filtered(
            lambda message: "Launched" in str(message.body)
        )
        self.assertEqual(launch_note.author_id, self.marketer.partner_id)
        # the target is frozen with the members of every zone, whoever launched
        snapshot = campaign.snapshot_id
        target = self.leaving_north | self.south_leaving
        self.assertEqual(snapshot.member_count, len(target))
        self.assertEqual(set(snapshot.member_ids.partner_id.ids), set(target.ids))
        # a subscriber leaving the segment later stays in the frozen target
        self.env["telecom.subscriber.metric"].search(
            [("partner_id", "=", self.leaving.id)]
        ).port_out_requested = False
        segment._refresh_members()
        self.assertEqual(segment.member_count, len(target) - 1)
        self.assertEqual(set(snapshot.member_ids.partner_id.ids), set(target.ids))

    def _assert_assignment(self, campaign, test):
        """One response per target member: its variant's offer, or control,
        as the stable hash of (test, subscriber) decides."""
        responses = campaign.response_ids
        target = campaign.snapshot_id.member_ids.partner_id
        self.assertEqual(sorted(responses.partner_id.ids), sorted(target.ids))
        expected = test._assign(target.ids)
        self.assertEqual(
            {r.partner_id.id: r.variant_id for r in responses},
            {
                pid: variant or test.variant_ids.browse()
                for pid, variant in expected.items()
            },
        )
        control = responses.filtered(lambda r: not r.variant_id)
        self.assertEqual(set(control.mapped("state")), {"control"})
        for variant in test.variant_ids:
            group = responses.filtered(lambda r, v=variant: r.variant_id == v)
            self.assertTrue(group, f"nobody in variant {variant.name}")
            self.assertEqual(group.offer_id, variant.offer_id)
            self.assertEqual(set(group.mapped("state")), {"queued"})
            self.assertEqual(set(group.mapped("channel")), {"sms"})
        self.assertTrue(control, "nobody in the control group")
        return responses

    def _assert_messages_per_contact_policy(self, campaign, responses):
        """An SMS per subscriber offered something: queued with consent,
        blocked without; nothing to the control group."""
        messages = self.env["telecom.campaign.message"].search(
            [("res_model", "=", campaign._name), ("res_id", "=", campaign.id)]
        )
        offered = responses.filtered("variant_id").partner_id
        self.assertEqual(sorted(messages.partner_id.ids), sorted(offered.ids))
        self.assertEqual(set(messages.mapped("channel")), {"sms"})
        state_of = {m.partner_id: (m.state, m.block_reason) for m in messages}
        for partner in offered:
            expected = (
                ("queued", False)
                if partner in self.consenting
                else ("blocked", "no_consent")
            )
            self.assertEqual(state_of[partner], expected, partner.name)
        self.assertTrue(offered & self.consenting and offered - self.consenting)
        self.assertEqual(set(messages.mailing_id.mapped("state")), {"in_queue"})

    def test_xlsx_export_over_http(self):
        segment = self.env["telecom.segment"].create(
            {
                "name": "Port-outs",
                "condition_ids": [
                    (0, 0, {"field_name": "port_out_requested", "operator": "set"})
                ],
            }
        )
        segment._refresh_members()
        self.authenticate("tour_marketer", "tour_marketer")
        response = self.url_open(
            f"/telecom_campaigns/segment/{segment.id}/members.xlsx"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        # the south member is not the marketer's
        self.assertEqual(
            sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True)),
            sorted(self.leaving_north.mapped("name")),
        )
        response = self.url_open("/telecom_campaigns/segment/999999999/members.xlsx")
        self.assertEqual(response.status_code, 404)
