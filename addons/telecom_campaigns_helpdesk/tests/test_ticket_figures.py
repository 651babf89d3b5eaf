from datetime import timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.telecom_campaigns.tests.common import CampaignsCommon
from odoo.addons.telecom_helpdesk_sla.tests.common import TelecomHelpdeskCommon


@tagged("post_install", "-at_install")
class TestTicketFigures(CampaignsCommon, TelecomHelpdeskCommon):
    """Open tickets, SLA breaches and incidents suffered reach the metrics, the
    churn-risk reasons and the segments, as marketers of each zone see them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_own_subscribers()
        now = fields.Datetime.now()
        cls.now = now
        loyal_since = fields.Date.today() - timedelta(days=900)

        def subscriber(name, zone=None):
            partner, account = cls._create_subscriber(
                name, zone=zone, telecom_customer_since=loyal_since
            )
            cls._activate_line(account)
            return partner

        cls.anna = subscriber("Anna")
        cls.boris = subscriber("Boris")
        cls.sergey = subscriber("Sergey", zone=cls.zone_south)
        Line = cls.env["telecom.sla.line"]
        critical = {"telecom_impact": "1", "telecom_urgency": "1"}
        # an old ticket, breached and closed long ago: out of the 90 days
        with freeze_time(now - timedelta(days=200)):
            old = cls._ticket(cls.anna, name="T old outage", **critical)
        Line._scan_breaches(now - timedelta(days=150), 1000)
        old.stage_id = cls.stage_done
        # a critical ticket breaching its first response and its resolution
        with freeze_time(now - timedelta(days=10)):
            cls.ticket = cls._ticket(cls.anna, name="T no signal", **critical)
        Line._scan_breaches(now, 1000)
        # incidents: one of 20 days ago in the North (mobile), one cancelled,
        # one too old; Sergey's ticket in the South is linked to the first
        values = {
            "region_ids": [Command.set(cls.zone_north.ids)],
            "service_type": "mobile",
            "resolution": "Repaired.",
        }
        Incident = cls.env["telecom.incident"]
        with freeze_time(now - timedelta(days=200)):
            old_incident = Incident.create({"name": "T old", **values})
            old_incident.action_resolve()
        with freeze_time(now - timedelta(days=20)):
            cls.incident = Incident.create({"name": "T recent", **values})
            cls._ticket(cls.sergey, name="T south", incident_id=cls.incident.id)
            cls.incident.action_resolve()
        Incident.create({"name": "T false alarm", **values}).action_cancel()
        cls.Metric = cls.env["telecom.subscriber.metric"]
        cls.Metric._refresh([cls.anna.id, cls.boris.id, cls.sergey.id])

    def _metric(self, partner, user):
        return self.Metric.with_user(user).search([("partner_id", "=", partner.id)])

    def test_figures_and_reasons(self):
        anna = self._metric(self.anna, self.marketer_north)
        boris = self._metric(self.boris, self.marketer_north)
        sergey = self._metric(self.sergey, self.marketer_south)
        self.assertTrue(anna and boris and sergey)
        self.assertRecordValues(
            (anna | boris | sergey).with_env(self.env),
            [
                {
                    "open_ticket_count": 1,
                    "sla_breach_count_90d": 2,
                    "incident_count_90d": 1,
                    "churn_risk": 25,
                    "churn_reasons": [
                        {"code": "sla_breach", "points": 20},
                        {"code": "incident", "points": 5},
                    ],
                },
                {
                    "open_ticket_count": 0,
                    "sla_breach_count_90d": 0,
                    "incident_count_90d": 1,
                    "churn_risk": 5,
                    "churn_reasons": [{"code": "incident", "points": 5}],
                },
                {
                    "open_ticket_count": 0,  # resolved with the incident
                    "sla_breach_count_90d": 0,
                    "incident_count_90d": 1,
                    "churn_risk": 5,
                    "churn_reasons": [{"code": "incident", "points": 5}],
                },
            ],
        )
        self.assertIn("SLA breached on their tickets", anna.churn_reason_text)
        self.assertIn("Hit by network incidents", anna.churn_reason_text)
        # zones: the southern marketer does not see Anna's figures
        self.assertFalse(self._metric(self.anna, self.marketer_south))
        # closing the ticket empties the open counter at the next refresh
        self.ticket.stage_id = self.stage_done
        self.Metric._refresh([self.anna.id])
        self.assertEqual(anna.open_ticket_count, 0)
        self.assertEqual(anna.sla_breach_count_90d, 2)

    def test_segments_on_ticket_figures(self):
        Segment = self.env["telecom.segment"].with_user(self.marketer_north)

        def segment(field_name, value):
            return Segment.create(
                {
                    "name": field_name,
                    "condition_ids": [
                        Command.create(
                            {
                                "field_name": field_name,
                                "operator": ">=",
                                "value_number": value,
                            }
                        )
                    ],
                }
            )

        breached = segment("sla_breach_count_90d", 1)
        self.assertEqual(breached.preview_count, 1)
        breached.action_refresh_members()
        self.assertEqual(breached.member_ids.partner_id, self.anna)
        hit = segment("incident_count_90d", 1)
        hit.action_refresh_members()
        self.assertEqual(hit.member_count, 3)
        # the northern marketer sees the members of the North only
        self.assertEqual(hit.member_ids.partner_id, self.anna | self.boris)
        self.assertEqual(segment("open_ticket_count", 1).preview_count, 1)

    def test_ticket_rating_is_a_csat_answer(self):
        self.ticket.team_id = self.team_front
        ticket = self.ticket.with_user(self.front_office)
        ticket.write({"telecom_satisfaction": "2"})
        Answer = self.env["telecom.satisfaction.answer"]
        answer = Answer.search([("source_reference", "=", self.ticket.number)])
        self.assertRecordValues(
            answer, [{"partner_id": self.anna.id, "kind": "csat", "score": 2}]
        )
        # rated again: the same answer, updated
        ticket.write({"telecom_satisfaction": "4"})
        self.assertEqual(
            Answer.search([("source_reference", "=", self.ticket.number)]), answer
        )
        self.assertEqual(answer.score, 4)
        self.Metric._refresh([self.anna.id])
        metric = self._metric(self.anna, self.marketer_north)
        self.assertEqual(metric.csat_avg_90d, 4.0)
        self.assertEqual(metric.csat_count_90d, 1)
        # the marketer of the zone sees it among the answers
        self.assertEqual(
            Answer.with_user(self.marketer_north).search([]).partner_id, self.anna
        )

    def test_portal_rating_counts_in_csat_and_nps(self):
        """The subscriber's rating and recommendation, given on the portal after
        closure, are CSAT and NPS answers that the project KPIs count."""
        portal_user = new_test_user(
            self.env,
            login="t_rate_anna",
            groups="base.group_portal",
            partner_id=self.anna.id,
        )
        self.ticket.stage_id = self.stage_done
        Kpi = self.env["telecom.kpi"]
        date_from = fields.Date.today().replace(day=1)
        date_to = date_from + relativedelta(months=1)

        def totals(code):
            rows = getattr(Kpi, f"_kpi_rows_{code}")(date_from, date_to)
            return (
                sum(row["numerator"] for row in rows),
                sum(row["denominator"] for row in rows),
            )

        before = {code: totals(code) for code in ("nps", "csat", "ticket_csat")}
        self.ticket.with_user(portal_user)._portal_rate("5", "10")
        answers = self.env["telecom.satisfaction.answer"].search(
            [("source_reference", "=", self.ticket.number)], order="kind"
        )
        self.assertRecordValues(
            answers,
            [
                {"partner_id": self.anna.id, "kind": "csat", "score": 5},
                {"partner_id": self.anna.id, "kind": "nps", "score": 10},
            ],
        )
        for code in ("nps", "csat", "ticket_csat"):
            numerator, denominator = totals(code)
            self.assertEqual(
                (numerator - before[code][0], denominator - before[code][1]),
                (1, 1),
                code,
            )
