from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.telecom_campaigns.tests.common import CampaignsCommon
from odoo.addons.telecom_inventory.tests.common import InventoryCommon


@tagged("post_install", "-at_install")
class TestDeviceFigures(CampaignsCommon, InventoryCommon):
    """Devices recorded in the inventory reach the device figures of the
    metrics, billing's own figures first, as marketers of the zone see them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_own_subscribers()
        Model = cls.env["telecom.device.model"]
        cls.model_router = Model.create(
            {
                "name": "T Router 5G",
                "device_type": "router",
                "operating_system": "RouterOS",
                "is_5g_capable": True,
            }
        )
        cls.model_phone = Model.create(
            {"name": "T Phone", "device_type": "smartphone", "operating_system": "iOS"}
        )
        Device = cls.env["telecom.device"]
        cls.anna, anna_account = cls._create_subscriber("Anna")
        cls.boris, boris_account = cls._create_subscriber("Boris")
        cls.vera, vera_account = cls._create_subscriber("Vera")
        anna_line = cls._activate_line(anna_account)
        boris_line = cls._activate_line(boris_account)
        vera_line = cls._activate_line(vera_account)
        # Anna: a rented 5G router and her own phone (the phone wins)
        router = Device.create(
            {
                "model_id": cls.model_router.id,
                "serial_number": "T-R5G-1",
                "location_id": cls.shop_north.id,
            }
        )
        router._assign(anna_line)
        phone = Device.create(
            {
                "model_id": cls.model_phone.id,
                "serial_number": "T-PH-1",
                "ownership": "customer",
                "partner_id": cls.anna.id,
            }
        )
        phone._assign(anna_line)
        # Boris: a router only
        boris_router = Device.create(
            {
                "model_id": cls.model_router.id,
                "serial_number": "T-R5G-2",
                "location_id": cls.shop_north.id,
            }
        )
        boris_router._assign(boris_line)
        # Vera: a router, but billing saw her handset on the network
        vera_router = Device.create(
            {
                "model_id": cls.model_router.id,
                "serial_number": "T-R5G-3",
                "location_id": cls.shop_north.id,
            }
        )
        vera_router._assign(vera_line)
        cls.env["telecom.usage.monthly"]._upsert_monthly(
            [
                {
                    "service_id": vera_line.id,
                    "month": fields.Date.today() - relativedelta(months=1),
                    "data_mb": 100.0,
                    "device_type": "feature_phone",
                    "device_os": "KaiOS",
                    "device_5g": False,
                }
            ],
            "billing",
        )
        cls.Metric = cls.env["telecom.subscriber.metric"]
        cls.Metric._refresh([cls.anna.id, cls.boris.id, cls.vera.id])

    def test_device_figures(self):
        metrics = self.Metric.with_user(self.marketer_north).search(
            [("partner_id", "in", (self.anna | self.boris | self.vera).ids)],
            order="partner_id",
        )
        self.assertRecordValues(
            metrics.sorted(lambda metric: metric.partner_id.id),
            [
                {
                    "partner_id": self.anna.id,
                    "device_type": "smartphone",
                    "device_os": "iOS",
                    "device_5g": False,
                },
                {
                    "partner_id": self.boris.id,
                    "device_type": "router",
                    "device_os": "RouterOS",
                    "device_5g": True,
                },
                {
                    "partner_id": self.vera.id,
                    "device_type": "feature_phone",
                    "device_os": "KaiOS",
                    "device_5g": False,
                },
            ],
        )

    def test_returned_device_leaves_the_figures(self):
        self.env["telecom.device"].search(
            [("partner_id", "=", self.boris.id)]
        ).action_return()
        self.Metric._refresh([self.boris.id])
        metric = self.Metric.search([("partner_id", "=", self.boris.id)])
        self.assertFalse(metric.device_type)
        self.assertFalse(metric.device_5g)
