import base64
import io
from datetime import date

import openpyxl

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_kpi import TelecomKpiCommon


@tagged("post_install", "-at_install")
class TestKpiContacts(TelecomKpiCommon):
    """Each KPI of contacts and requests against a hand-computed example
    (the formulas are in the readme, USAGE)."""

    def _contact(self, partner, when, channel="call", **values):
        return self.env["telecom.interaction"].create(
            {
                "partner_id": partner.id,
                "date": when,
                "channel": channel,
                "direction": values.pop("direction", "inbound"),
                "summary": "KPI example",
                **values,
            }
        )

    def _line(self, account, activated, terminated=None):
        service = self._activate_line(account)
        service.write({"activation_date": activated, "termination_date": terminated})
        return service

    # ------------------------------------------------------------------
    def test_handling_time_per_channel(self):
        partner, _account = self._create_subscriber("AHT", zone=self.zone_east)
        self._contact(partner, self.at(2, 10), duration=4)
        self._contact(partner, self.at(2, 20), duration=8)
        self._contact(partner, self.at(2, 15), channel="chat", duration=3)
        self._contact(partner, self.at(4, 5), duration=5)
        # not timed, or a process step: left out
        self._contact(partner, self.at(4, 6), duration=0)
        self._contact(partner, self.at(4, 7), channel="system", duration=10)
        kpi = self._measure("handling_time")
        self.assertEqual(
            self._figures(kpi, self.zone_east, channel="call"),
            {(2024, 2): (12.0, 2.0, 6.0), (2024, 4): (5.0, 1.0, 5.0)},
        )
        self.assertEqual(
            self._figures(kpi, self.zone_east, channel="chat"),
            {(2024, 2): (3.0, 1.0, 3.0)},
        )
        april = self._measurement(kpi, self.zone_east, 4, channel="call")
        # baseline: January-March, (4 + 8) / 2; lower is better; target 6
        self.assertEqual(
            (april.baseline_value, april.change_vs_baseline, april.trend),
            (6.0, -1.0, "improving"),
        )
        self.assertEqual((april.target, april.target_met), (6.0, True))
        self.assertEqual((april.phase, april.is_baseline), ("after", False))
        february = self._measurement(kpi, self.zone_east, 2, channel="call")
        self.assertEqual((february.phase, february.is_baseline), ("before", True))

    def test_first_contact_resolution_and_repeat_contacts(self):
        north, _account = self._create_subscriber("North", zone=self.zone_north_city)
        south, _account = self._create_subscriber("South", zone=self.zone_south)
        # North, April: 3 inbound contacts handled by a person
        self._contact(north, self.at(4, 1, 10), outcome="resolved")  # back on 5th
        self._contact(north, self.at(4, 5), channel="chat", outcome="resolved")
        self._contact(north, self.at(4, 20), channel="portal")  # self-service
        self._contact(north, self.at(4, 21), outcome="follow_up")
        self._contact(north, self.at(4, 22), direction="outbound")  # not counted
        # South, April: back exactly 7 days later still counts as a repeat
        self._contact(south, self.at(4, 10), outcome="information")
        self._contact(south, self.at(4, 17), channel="email", outcome="resolved")
        fcr = self._measure("first_contact_resolution")
        repeat = self._measure("repeat_contact")
        # FCR: only the chat of the 5th (resolved, nothing within 7 days) / 3
        self.assertEqual(
            self._figures(fcr, self.zone_north_city), {(2024, 4): (1.0, 3.0, 33.33)}
        )
        self.assertEqual(
            self._figures(fcr, self.zone_south), {(2024, 4): (1.0, 2.0, 50.0)}
        )
        # repeats: the call of the 1st (chat on the 5th) / 3
        self.assertEqual(
            self._figures(repeat, self.zone_north_city),
            {(2024, 4): (1.0, 3.0, 33.33)},
        )
        self.assertEqual(
            self._figures(repeat, self.zone_south), {(2024, 4): (1.0, 2.0, 50.0)}
        )

    def test_self_service_share_and_churn(self):
        _partner, account = self._create_subscriber("West", zone=self.zone_west)
        lines = [
            self._line(account, date(2024, 1, 10), date(2024, 4, 15)),
            self._line(account, date(2024, 1, 10)),
            self._line(account, date(2024, 1, 10)),
            # activated in April: not in April's base
            self._line(account, date(2024, 4, 2), date(2024, 4, 20)),
            self._line(account, date(2024, 2, 1), date(2024, 3, 31)),
        ]
        activations = self.env["telecom.request"].search(
            [("service_id", "in", [line.id for line in lines])], order="id"
        )
        for request, (when, channel) in zip(
            activations,
            [
                (self.at(4, 2), "portal"),
                (self.at(4, 3), "shop"),
                (self.at(4, 4), "call"),
                (self.at(4, 5), "shop"),
                (self.at(2, 1), "shop"),
            ],
            strict=True,
        ):
            request.write({"date_submitted": when, "channel": channel})
        self_service = self._measure("self_service")
        self.assertEqual(
            self._figures(self_service, self.zone_west),
            {(2024, 2): (0.0, 1.0, 0.0), (2024, 4): (1.0, 4.0, 25.0)},
        )
        april = self._measurement(self_service, self.zone_west, 4)
        self.assertEqual(
            (april.baseline_value, april.change_vs_baseline, april.trend),
            (0.0, 25.0, "improving"),
        )
        self.assertFalse(april.target_met)  # target 30 %
        churn = self._measure("churn")
        # Feb: 0 of 3; March: the line of 1 Feb left on the 31st, 1 of 4;
        # April: 1 of 3 (the line activated on 2 April is not in the base);
        # May: the 2 lines left, none gone
        self.assertEqual(
            self._figures(churn, self.zone_west),
            {
                (2024, 2): (0.0, 3.0, 0.0),
                (2024, 3): (1.0, 4.0, 25.0),
                (2024, 4): (1.0, 3.0, 33.33),
                (2024, 5): (0.0, 2.0, 0.0),
            },
        )
        april = self._measurement(churn, self.zone_west, 4)
        # baseline (0 + 1) / (3 + 4) = 14.29 %; lower is better
        self.assertEqual(round(april.baseline_value, 2), 14.29)
        self.assertEqual(round(april.change_vs_baseline, 2), 19.05)
        self.assertEqual(april.trend, "worsening")

    def test_retention_saves(self):
        _partner, account = self._create_subscriber("Leaving", zone=self.zone_west)
        closed = []
        for reason, retained in (("price", True), ("coverage", False), ("price", True)):
            service = self._activate_line(account)
            request = self._new_request(
                "termination", service, termination_reason=reason
            )
            request.action_submit()
            if retained:
                request.action_retain()
            else:
                request.action_complete()
            closed.append(request)
        # still open: not counted
        self._new_request(
            "termination", self._activate_line(account), termination_reason="price"
        ).action_submit()
        closed[0].date_closed = self.at(2, 10)
        closed[1].date_closed = self.at(4, 10)
        closed[2].date_closed = self.at(4, 11)
        kpi = self._measure("retention_save")
        self.assertEqual(
            self._figures(kpi, self.zone_west),
            {(2024, 2): (1.0, 1.0, 100.0), (2024, 4): (1.0, 2.0, 50.0)},
        )
        april = self._measurement(kpi, self.zone_west, 4)
        self.assertEqual((april.change_vs_baseline, april.trend), (-50.0, "worsening"))

    # ------------------------------------------------------------------
    def test_supervisor_reads_the_figures_of_their_zones_only(self):
        north, _account = self._create_subscriber("N", zone=self.zone_north_city)
        south, _account = self._create_subscriber("S", zone=self.zone_south)
        self._contact(north, self.at(4, 1), duration=2)
        self._contact(south, self.at(4, 1), duration=4)
        kpi = self._measure("handling_time")
        domain = [("kpi_id", "=", kpi.id), ("period_start", "=", date(2024, 4, 1))]
        seen = self.Measurement.with_user(self.supervisor).search(domain)
        self.assertIn(self.zone_north_city, seen.region_id)
        self.assertNotIn(self.zone_south, seen.region_id)
        everything = self.Measurement.with_user(self.head_office).search(domain)
        self.assertIn(self.zone_south, everything.region_id)
        with self.assertRaises(AccessError):
            self.Measurement.with_user(self.front_office).search(domain)
        # only an administrator measures
        with self.assertRaises(AccessError):
            kpi.with_user(self.supervisor).action_recompute()
        # the export holds what the supervisor may read, nothing else
        export = (
            self.env["telecom.kpi.export"]
            .with_user(self.supervisor)
            .create(
                {
                    "date_from": date(2024, 4, 1),
                    "date_to": date(2024, 4, 30),
                    "kpi_ids": [(6, 0, kpi.ids)],
                }
            )
        )
        export.action_export()
        workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(export.file)))
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
        header, data = rows[0], rows[1:]
        zones = {row[header.index("Zone")] for row in data}
        self.assertIn(self.zone_north_city.display_name, zones)
        self.assertNotIn(self.zone_south.display_name, zones)
        north_name = self.zone_north_city.display_name
        north_row = next(row for row in data if row[header.index("Zone")] == north_name)
        self.assertEqual(north_row[header.index("Value")], 2.0)
        self.assertEqual(north_row[header.index("Channel")], "Call")
        formulas = workbook.worksheets[1].iter_rows(values_only=True)
        self.assertIn(kpi.name, [row[0] for row in formulas])

    def test_recompute_replaces_the_figures(self):
        partner, _account = self._create_subscriber("Again", zone=self.zone_east)
        contact = self._contact(partner, self.at(4, 1), duration=2)
        kpi = self._measure("handling_time")
        contact.duration = 6
        kpi.action_recompute()  # as the administrator, today's period
        kpi._recompute(today=date(2024, 5, 15))
        self.assertEqual(
            self._figures(kpi, self.zone_east, channel="call"),
            {(2024, 4): (6.0, 1.0, 6.0)},
        )

    def test_every_installed_kpi_has_its_computation(self):
        """An addon brings its KPI records and their computations together: what
        is installed can be measured, nothing else is listed."""
        kpis = self.Kpi.with_context(active_test=False).search([])
        self.assertTrue(
            {"handling_time", "churn", "self_service"} <= set(kpis.mapped("code"))
        )
        for kpi in kpis:
            with self.subTest(kpi=kpi.code):
                self.assertTrue(hasattr(self.Kpi, f"_kpi_rows_{kpi.code}"))

    def test_recompute_costs_the_same_queries_whatever_the_data(self):
        """Set-based: the number of queries of a recompute does not grow with
        the contacts, zones, channels and months measured."""
        partner, _account = self._create_subscriber("Few", zone=self.zone_east)
        self._contact(partner, self.at(4, 1), duration=2)
        kpi = self.Kpi.search([("code", "=", "handling_time")])

        def queries_of_recompute():
            self.env.flush_all()
            self.env.invalidate_all()  # both runs start from a cold cache
            before = self.env.cr.sql_log_count
            kpi._recompute(today=date(2024, 5, 15))
            return self.env.cr.sql_log_count - before

        kpi._recompute(today=date(2024, 5, 15))  # warm the caches
        few = queries_of_recompute()
        for zone in (self.zone_west, self.zone_south, self.zone_north_city):
            many, _account = self._create_subscriber("Many", zone=zone)
            for month in (1, 2, 3, 4):
                for channel in ("call", "chat", "email"):
                    self._contact(many, self.at(month, 3), channel=channel, duration=3)
        kpi._recompute(today=date(2024, 5, 15))
        self.assertEqual(queries_of_recompute(), few)
        self.assertEqual(
            self.Measurement.search_count(
                [("kpi_id", "=", kpi.id), ("region_id", "=", self.zone_west.id)]
            ),
            12,
        )
