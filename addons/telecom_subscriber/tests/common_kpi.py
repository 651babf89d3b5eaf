from datetime import date, datetime

from .common import TelecomCommon

# the months of the examples are far from today and from the demo data's dates
GO_LIVE = date(2024, 4, 1)
TODAY = date(2024, 5, 15)


class TelecomKpiCommon(TelecomCommon):
    """Hand-computed examples for the project KPIs: the company goes live on
    1 April 2024 with a baseline of January to March; KPIs are measured as on
    15 May 2024. Other addons subclass it for their KPIs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.telecom_kpi_go_live_date = GO_LIVE
        cls.Kpi = cls.env["telecom.kpi"]
        cls.Measurement = cls.env["telecom.kpi.measurement"]
        Region = cls.env["telecom.region"]
        cls.zone_east = Region.create({"name": "East", "code": "T-E"})
        cls.zone_west = Region.create({"name": "West", "code": "T-W"})

    def _measure(self, code):
        kpi = self.Kpi.search([("code", "=", code)])
        self.assertTrue(kpi, f"KPI {code} is installed")
        kpi._recompute(today=TODAY)
        return kpi

    def _figures(self, kpi, zone, **dimensions):
        """{month: (numerator, denominator, value)} of a KPI in one zone."""
        domain = [("kpi_id", "=", kpi.id), ("region_id", "=", zone.id)]
        domain += [(name, "=", value) for name, value in dimensions.items()]
        return {
            (m.period_start.year, m.period_start.month): (
                m.numerator,
                m.denominator,
                round(m.value, 2),
            )
            for m in self.Measurement.search(domain)
        }

    def _measurement(self, kpi, zone, month, **dimensions):
        domain = [
            ("kpi_id", "=", kpi.id),
            ("region_id", "=", zone.id),
            ("period_start", "=", date(2024, month, 1)),
        ]
        domain += [(name, "=", value) for name, value in dimensions.items()]
        measurement = self.Measurement.search(domain)
        self.assertEqual(len(measurement), 1, f"one measurement for {domain}")
        return measurement

    @staticmethod
    def at(month, day, hour=12, minute=0):
        return datetime(2024, month, day, hour, minute)
