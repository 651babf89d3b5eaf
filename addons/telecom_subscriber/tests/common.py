from odoo import fields
from odoo.tests.common import TransactionCase, new_test_user

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from ..tools.numbering import luhn_check_digit

GROUP = "telecom_subscriber.telecom_subscriber_group_"


def make_iccid(serial):
    """A valid 19-digit ICCID (89 + country 7 + issuer 01 + serial + Luhn digit)."""
    body = f"897010{serial:012d}"
    return body + luhn_check_digit(body)


def make_msisdn(serial):
    """A valid Russian mobile number in E.164."""
    return f"+7916{serial:07d}"


class TelecomCommon(TransactionCase):
    """Own data for every telecom test: zones, catalog, operators, users per role.

    Other addons subclass it. Mail is disabled; demo data is never used.
    """

    @classmethod
    def _today(cls):
        """Today as the lifecycle sees it: in the user's time zone (the demo
        company works in Moscow time, three hours ahead of UTC)."""
        return fields.Date.context_today(cls.env.user)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.company = cls.env.company
        cls.company.write(
            {
                "telecom_auto_complete": True,
                # the contact policy does not depend on the time the tests run:
                # no quiet hours and no frequency caps unless a test sets them
                "telecom_quiet_hour_start": 0.0,
                "telecom_quiet_hour_end": 0.0,
                **{
                    f"telecom_contact_cap_{channel}_{window}": 0
                    for channel in ("email", "sms")
                    for window in ("day", "week", "month")
                },
            }
        )
        cls._setup_zones()
        cls._setup_catalog()
        cls._setup_operators()
        cls._setup_users()

    @classmethod
    def _setup_zones(cls):
        Region = cls.env["telecom.region"]
        cls.zone_north = Region.create(
            {"name": "North", "code": "T-N", "level": "region", "tz": "Europe/Moscow"}
        )
        cls.zone_north_city = Region.create(
            {
                "name": "North City",
                "code": "T-NC",
                "level": "city",
                "parent_id": cls.zone_north.id,
            }
        )
        cls.zone_south = Region.create(
            {
                "name": "South",
                "code": "T-S",
                "level": "region",
                "tz": "Asia/Novosibirsk",
            }
        )

    @classmethod
    def _setup_catalog(cls):
        Product = cls.env["product.product"]

        def offer(name, kind, service_type, code, fee, **extra):
            return Product.create(
                {
                    "name": name,
                    "type": "service",
                    "telecom_kind": kind,
                    "telecom_service_type": service_type,
                    "telecom_billing_code": code,
                    "telecom_monthly_fee": fee,
                    **extra,
                }
            )

        cls.option_roaming = offer("T Roaming", "option", "mobile", "T-OPT-ROAM", 100)
        cls.option_data = offer("T Extra 10 GB", "option", "mobile", "T-OPT-DATA", 200)
        cls.tariff_basic = offer(
            "T Basic",
            "tariff",
            "mobile",
            "T-TAR-BASIC",
            300,
            telecom_included_minutes=300,
        )
        cls.tariff_unlimited = offer(
            "T Unlimited", "tariff", "mobile", "T-TAR-UNLIM", 900
        )
        cls.tariff_basic.product_tmpl_id.telecom_compatible_option_ids = (
            cls.option_roaming.product_tmpl_id | cls.option_data.product_tmpl_id
        )
        # the unlimited tariff allows roaming only
        cls.tariff_unlimited.product_tmpl_id.telecom_compatible_option_ids = (
            cls.option_roaming.product_tmpl_id
        )
        cls.tariff_home = offer("T Home 500", "tariff", "broadband", "T-TAR-HOME", 600)

    @classmethod
    def _setup_operators(cls):
        cls.operator_other = cls.env["telecom.operator"].create(
            {"name": "Other Mobile", "code": "T-OTHER"}
        )
        cls.operator_own = cls.env.ref("telecom_subscriber.telecom_operator_own")

    @classmethod
    def _setup_users(cls):
        def user(login, roles, zones):
            return new_test_user(
                cls.env,
                login=login,
                groups=",".join(GROUP + role for role in roles),
                telecom_region_ids=[(6, 0, zones.ids)],
            )

        # the front office of the tests reads identity documents in clear
        cls.front_office = user(
            "t_front_north", ["front_office", "personal_data"], cls.zone_north
        )
        cls.front_office_south = user(
            "t_front_south", ["front_office", "personal_data"], cls.zone_south
        )
        cls.retention_agent = user("t_retention", ["retention"], cls.zone_north)
        cls.tech_support = user("t_tech", ["tech_support"], cls.zone_north)
        cls.supervisor = user("t_supervisor", ["supervisor"], cls.zone_north)
        cls.head_office = user(
            "t_head_office", ["head_office"], cls.env["telecom.region"]
        )

    # ------------------------------------------------------------------
    # builders
    # ------------------------------------------------------------------
    _serial = 0

    @classmethod
    def _next_serial(cls):
        TelecomCommon._serial += 1
        return TelecomCommon._serial

    @classmethod
    def _create_subscriber(cls, name="Ivan Petrov", zone=None, **values):
        zone = zone or cls.zone_north_city
        partner = cls.env["res.partner"].create(
            {
                "name": name,
                "telecom_is_subscriber": True,
                "telecom_region_id": zone.id,
                **values,
            }
        )
        account = cls.env["telecom.account"].create(
            {"partner_id": partner.id, "region_id": zone.id}
        )
        return partner, account

    @classmethod
    def _activate_line(cls, account, tariff=None, options=None, env=None):
        """Activate a mobile line through the activation request, as a user would."""
        env = env or cls.env
        serial = cls._next_serial()
        request = env["telecom.request"].create(
            {
                "request_type": "activation",
                "partner_id": account.partner_id.id,
                "account_id": account.id,
                "new_service_type": "mobile",
                "tariff_id": (tariff or cls.tariff_basic).id,
                "option_ids": [(6, 0, (options or env["product.product"]).ids)],
                "msisdn": make_msisdn(serial),
                "iccid": make_iccid(serial),
            }
        )
        request.action_submit()
        return request.service_id

    def _new_request(self, request_type, service, env=None, **values):
        env = env or self.env
        return env["telecom.request"].create(
            {
                "request_type": request_type,
                "partner_id": service.partner_id.id,
                "service_id": service.id,
                **values,
            }
        )
