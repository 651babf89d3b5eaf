from odoo.tests import tagged

from ..adapters.base import TransportError
from .common import BssCommon


def offer(code, kind="tariff", **values):
    return {
        "code": code,
        "name": values.pop("name", code),
        "kind": kind,
        "service_type": values.pop("service_type", "mobile"),
        "monthly_fee": values.pop("monthly_fee", 100.0),
        "currency": "RUB",
        "included_minutes": 100,
        "included_sms": 50,
        "included_data_gb": 5.0,
        "compatible_options": values.pop("compatible_options", []),
        "active": values.pop("active", True),
        **values,
    }


@tagged("post_install", "-at_install")
class TestCatalogSync(BssCommon):
    """Tariffs and options come from the billing catalog, set-based."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.catalog = cls.env["telecom.backend"].create(
            cls._backend_vals(
                name="T Catalog", kind="catalog", url="http://127.0.0.1:9"
            )
        )

    def _sync(self, offers):
        with self.patch_adapter("list_offers", return_value=offers):
            return self.catalog._bss_sync_catalog()

    def test_sync_creates_updates_links_and_archives(self):
        counts = self._sync(
            [
                offer("C-TAR-1", compatible_options=["C-OPT-1"], monthly_fee=450),
                offer("C-OPT-1", kind="option", monthly_fee=90),
                offer("T-TAR-BASIC", monthly_fee=333),  # known: updated
                offer("C-BAD", kind="bundle"),  # unknown kind: skipped
                offer("C-BAD-TYPE", service_type="satellite"),
            ]
        )
        self.assertEqual(
            counts,
            {"created": 2, "updated": 1, "archived": 0, "unchanged": 0, "invalid": 2},
        )
        Template = self.env["product.template"].with_context(active_test=False)
        tariff = Template.search([("telecom_billing_code", "=", "C-TAR-1")])
        option = Template.search([("telecom_billing_code", "=", "C-OPT-1")])
        self.assertEqual(tariff.telecom_kind, "tariff")
        self.assertEqual(tariff.telecom_monthly_fee, 450)
        self.assertEqual(tariff.telecom_included_data_gb, 5.0)
        self.assertEqual(tariff.telecom_compatible_option_ids, option)
        self.assertEqual(self.tariff_basic.telecom_monthly_fee, 333)
        # the same catalog again: nothing written
        counts = self._sync(
            [
                offer("C-TAR-1", compatible_options=["C-OPT-1"], monthly_fee=450),
                offer("C-OPT-1", kind="option", monthly_fee=90),
                offer("T-TAR-BASIC", monthly_fee=333),
            ]
        )
        self.assertEqual(counts["unchanged"], 3)
        # an offer billing no longer lists (or marks inactive) is archived
        counts = self._sync(
            [
                offer("C-TAR-1", compatible_options=[], monthly_fee=450, active=False),
                offer("T-TAR-BASIC", monthly_fee=333),
            ]
        )
        self.assertEqual(counts["archived"], 1)
        self.assertFalse(option.active)
        self.assertFalse(tariff.active)
        self.assertTrue(self.tariff_basic.active)
        # offers never synced from this catalog are left alone
        self.assertTrue(self.tariff_unlimited.active)

    def test_catalog_down_changes_nothing(self):
        before = self.env["product.template"].search_count([])
        with self.patch_adapter("list_offers", side_effect=TransportError("down")):
            action = self.catalog.action_sync_catalog()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("down", action["params"]["message"])
        self.assertEqual(self.env["product.template"].search_count([]), before)
