from odoo.tests import tagged

from odoo.addons.telecom_subscriber.tests.common_kpi import TelecomKpiCommon

from .common import CampaignsCommon


@tagged("post_install", "-at_install")
class TestKpiSatisfaction(CampaignsCommon, TelecomKpiCommon):
    """NPS and CSAT against hand-computed examples (formulas in the readme)."""

    def _answers(self, partner, kind, month, scores):
        self.env["telecom.satisfaction.answer"].create(
            [
                {
                    "partner_id": partner.id,
                    "kind": kind,
                    "score": score,
                    "date": self.at(month, day),
                }
                for day, score in enumerate(scores, start=1)
            ]
        )

    def test_nps_and_csat(self):
        north, _account = self._create_subscriber("Surveyed")
        south, _account = self._create_subscriber("South", zone=self.zone_south)
        self._answers(north, "nps", 2, [5, 10])  # 1 - 1 = 0 of 2
        self._answers(north, "nps", 4, [10, 9, 9, 7, 2])  # 3 - 1 = 2 of 5
        self._answers(north, "csat", 4, [5, 4, 3, 1])  # 2 of 4
        self._answers(south, "nps", 4, [0])  # -1 of 1
        nps = self._measure("nps")
        csat = self._measure("csat")
        zone = self.zone_north_city
        self.assertEqual(
            self._figures(nps, zone),
            {(2024, 2): (0.0, 2.0, 0.0), (2024, 4): (2.0, 5.0, 40.0)},
        )
        self.assertEqual(
            self._figures(nps, self.zone_south), {(2024, 4): (-1.0, 1.0, -100.0)}
        )
        april = self._measurement(nps, zone, 4)
        self.assertEqual(
            (april.baseline_value, april.change_vs_baseline, april.trend),
            (0.0, 40.0, "improving"),
        )
        self.assertTrue(april.target_met)  # target 30 points
        self.assertEqual(self._figures(csat, zone), {(2024, 4): (2.0, 4.0, 50.0)})
        self.assertFalse(self._measurement(csat, zone, 4).has_baseline)

    def test_retention_case_save_rate(self):
        """Port-outs and terminations in front of the retention team."""
        _partner, account = self._create_subscriber("Leaving")
        line = self._activate_line(account)
        cases = []
        for trigger, state, month in (
            ("port_out", "retained", 4),
            ("termination", "lost", 4),
            ("termination", "retained", 4),
            ("port_out", "lost", 2),
            ("termination", "open", 4),  # still open: not counted
        ):
            request = self._new_request(
                trigger, line, termination_reason="price", date_closed=self.at(month, 9)
            )
            cases.append(
                {
                    "partner_id": line.partner_id.id,
                    "request_id": request.id,
                    "trigger": trigger,
                    "state": state,
                    "region_id": line.region_id.id,
                    "company_id": line.company_id.id,
                }
            )
        self.env["telecom.retention.case"].create(cases)
        kpi = self._measure("retention_case_save")
        self.assertEqual(
            self._figures(kpi, self.zone_north_city),
            {(2024, 2): (0.0, 1.0, 0.0), (2024, 4): (2.0, 3.0, 66.67)},
        )
