from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.telecom_subscriber.tools.numbering import luhn_check_digit

from .common import InventoryCommon


def make_imei(serial):
    """A valid IMEI: 14 digits (TAC + serial) and their Luhn check digit."""
    body = f"35{serial:012d}"
    return body + luhn_check_digit(body)


@tagged("post_install", "-at_install")
class TestDevice(InventoryCommon):
    """Devices and CPE: IMEI check, one service at a time, rented devices back to
    their stock location when the line ends, each role within its rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Model = cls.env["telecom.device.model"]
        cls.model_router = Model.create(
            {"name": "T Router AX", "device_type": "router", "is_5g_capable": True}
        )
        cls.model_stb = Model.create({"name": "T Box 4K", "device_type": "set_top_box"})
        cls.model_phone = Model.create(
            {
                "name": "T Phone",
                "device_type": "smartphone",
                "operating_system": "Android",
            }
        )
        Device = cls.env["telecom.device"]
        cls.router = Device.create(
            {
                "model_id": cls.model_router.id,
                "serial_number": "T-RT-0001",
                "location_id": cls.shop_north.id,
            }
        )
        cls.south_router = Device.create(
            {
                "model_id": cls.model_router.id,
                "serial_number": "T-RT-0002",
                "location_id": cls.shop_south.id,
            }
        )
        cls.stb = Device.create(
            {
                "model_id": cls.model_stb.id,
                "serial_number": "T-STB-0001",
                "location_id": cls.shop_north.id,
            }
        )
        cls.partner, cls.account = cls._create_subscriber("Device Owner")
        cls.broadband = cls._activate_broadband(cls.account)
        cls.line = cls._activate_line(cls.account)

    @classmethod
    def _activate_broadband(cls, account):
        request = cls.env["telecom.request"].create(
            {
                "request_type": "activation",
                "partner_id": account.partner_id.id,
                "account_id": account.id,
                "new_service_type": "broadband",
                "tariff_id": cls.tariff_home.id,
                "installation_address": "1 Test Street",
            }
        )
        request.action_submit()
        return request.service_id

    def _assign(self, service, user, **values):
        wizard = (
            self.env["telecom.device.assign"]
            .with_user(user)
            .with_context(active_model="telecom.service", active_id=service.id)
            .create(values)
        )
        return wizard.action_assign()

    # ------------------------------------------------------------------
    # IMEI
    # ------------------------------------------------------------------
    def test_imei_luhn(self):
        Device = self.env["telecom.device"]
        imei = make_imei(123)
        spaced = f"{imei[:2]} {imei[2:8]} {imei[8:14]}-{imei[14]}"
        device = Device.create(
            {
                "model_id": self.model_phone.id,
                "imei": spaced,
                "ownership": "customer",
                "partner_id": self.partner.id,
            }
        )
        self.assertEqual(device.imei, imei)
        wrong_check = imei[:14] + str((int(imei[14]) + 1) % 10)
        for bad in (wrong_check, imei[:14], "35ABCDEF1234567"):
            with (
                self.subTest(imei=bad),
                self.assertRaises(ValidationError),
                self.cr.savepoint(),
            ):
                Device.create(
                    {
                        "model_id": self.model_phone.id,
                        "imei": bad,
                        "ownership": "customer",
                        "partner_id": self.partner.id,
                    }
                )

    def test_identified_and_located(self):
        Device = self.env["telecom.device"]
        with self.assertRaises(ValidationError), self.cr.savepoint():
            # a rented device belongs to a stock location
            Device.create({"model_id": self.model_router.id, "serial_number": "X-1"})
        with self.assertRaises(ValidationError), self.cr.savepoint():
            # a device of the subscriber's own names its owner
            Device.create(
                {
                    "model_id": self.model_phone.id,
                    "imei": make_imei(7),
                    "ownership": "customer",
                }
            )

    # ------------------------------------------------------------------
    # assignment
    # ------------------------------------------------------------------
    def test_assign_from_the_service_no_double_assignment(self):
        self._assign(self.broadband, self.front_office, device_id=self.router.id)
        self.assertRecordValues(
            self.router,
            [
                {
                    "state": "assigned",
                    "service_id": self.broadband.id,
                    "partner_id": self.partner.id,
                }
            ],
        )
        self.assertEqual(self.broadband.device_ids, self.router)
        self.assertIn(self.router, self.partner.telecom_device_ids)
        other_partner, other_account = self._create_subscriber("Other")
        other_broadband = self._activate_broadband(other_account)
        with self.assertRaisesRegex(UserError, "not available"):
            self._assign(other_broadband, self.front_office, device_id=self.router.id)
        self.assertEqual(self.router.service_id, self.broadband)

    def test_device_type_matches_the_service(self):
        with self.assertRaises(UserError):
            self._assign(self.line, self.front_office, device_id=self.stb.id)
        self.assertEqual(self.stb.state, "in_stock")

    def test_own_handset_recorded_on_the_line(self):
        self._assign(
            self.line,
            self.front_office,
            ownership="customer",
            model_id=self.model_phone.id,
            imei=make_imei(42),
        )
        device = self.line.device_ids
        self.assertRecordValues(
            device,
            [
                {
                    "ownership": "customer",
                    "state": "assigned",
                    "partner_id": self.partner.id,
                    "device_type": "smartphone",
                }
            ],
        )

    # ------------------------------------------------------------------
    # return and termination
    # ------------------------------------------------------------------
    def test_rented_device_returns_to_stock_on_termination(self):
        self._assign(self.broadband, self.front_office, device_id=self.router.id)
        self._terminate(self.broadband)
        self.assertEqual(self.broadband.state, "terminated")
        self.assertRecordValues(
            self.router,
            [
                {
                    "state": "returned",
                    "service_id": False,
                    "partner_id": False,
                    "location_id": self.shop_north.id,
                }
            ],
        )
        self.assertTrue(self.router.date_returned)
        # checked in the shop, it is offered again
        self.router.with_user(self.front_office).action_restock()
        self.assertEqual(self.router.state, "in_stock")
        _partner, account = self._create_subscriber("Next Customer")
        self._assign(
            self._activate_broadband(account),
            self.front_office,
            device_id=self.router.id,
        )
        self.assertEqual(self.router.state, "assigned")

    def test_return_from_the_service(self):
        self._assign(self.broadband, self.front_office, device_id=self.router.id)
        self.router.with_user(self.front_office).action_return()
        self.assertEqual(self.router.state, "returned")
        self.assertFalse(self.broadband.device_ids)
        with self.assertRaises(UserError):
            self.router.action_return()

    # ------------------------------------------------------------------
    # access
    # ------------------------------------------------------------------
    def test_access_by_role(self):
        Device = self.env["telecom.device"]
        # the front office of North sees North's stock, not South's
        north = Device.with_user(self.front_office).search([])
        self.assertIn(self.router, north)
        self.assertNotIn(self.south_router, north)
        south = Device.with_user(self.front_office_south).search([])
        self.assertIn(self.south_router, south)
        self.assertNotIn(self.router, south)
        # a South agent cannot take a North device
        with self.assertRaises(AccessError):
            self.router.with_user(self.front_office_south).action_return()
        # technical support reads devices, does not hand them out
        self.assertIn(self.router, Device.with_user(self.tech_support).search([]))
        with self.assertRaises(AccessError):
            self._assign(self.broadband, self.tech_support, device_id=self.router.id)
        with self.assertRaises(AccessError):
            Device.with_user(self.tech_support).create(
                {
                    "model_id": self.model_router.id,
                    "serial_number": "T-RT-9",
                    "location_id": self.shop_north.id,
                }
            )
        # the catalogue is the supervisor's
        with self.assertRaises(AccessError):
            self.env["telecom.device.model"].with_user(self.front_office).create(
                {"name": "T New", "device_type": "modem"}
            )
        self.env["telecom.device.model"].with_user(self.supervisor).create(
            {"name": "T New", "device_type": "modem"}
        )
