from contextlib import contextmanager
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo.tests import new_test_user

from .common import GROUP, TelecomCommon, make_iccid, make_msisdn

# the day the retention runs of the tests count up to
REFERENCE_DATE = date(2031, 6, 30)
# categories of personal data the declarations of this addon use
DECLARED_CATEGORIES = (
    "identity",
    "document",
    "contact",
    "address",
    "communication",
    "interaction",
)


class RetentionCommon(TelecomCommon):
    """Subscribers with services ended on given days, and the policies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="t_telecom_manager",
            groups=GROUP + "manager",
        )
        Policy = cls.env["telecom.retention.policy"]
        Policy._create_default_policies(cls.company)
        cls.policies = {
            policy.category: policy
            for policy in Policy.search([("company_id", "=", cls.company.id)])
        }
        # the subscribers already in the database (demo data) are processed
        # once, for every category: the tests see their own subscribers only
        cls.env["telecom.retention.run"]._apply_retention(date(2100, 1, 1))

    @classmethod
    def _set_policies(cls, periods):
        """``{category: (years, action)}``; legal minimums are respected by the
        callers."""
        for category, (years, action) in periods.items():
            cls.policies[category].write({"years": years, "action": action})

    @classmethod
    def _create_ended_subscriber(cls, services, name="Anna Sidorova"):
        """A subscriber with personal data everywhere and ``services``: a list
        of termination days (None: the service is still active)."""
        serial = cls._next_serial()
        partner, account = cls._create_subscriber(
            name=f"{name} {serial}",
            email=f"subscriber{serial}@example.com",
            phone=make_msisdn(serial),
            street=f"Lenina {serial}",
            city="Vologda",
            telecom_birthdate=date(1980, 1, 1),
            telecom_document_type="passport",
            telecom_document_number=f"4510 {serial:06d}",
        )
        Service = cls.env["telecom.service"]
        for termination_date in services:
            line = cls._next_serial()
            Service.create(
                {
                    "account_id": account.id,
                    "service_type": "mobile",
                    "tariff_id": cls.tariff_basic.id,
                    "msisdn": make_msisdn(line),
                    "iccid": make_iccid(line),
                    "installation_address": f"Mira {line}",
                    "state": "terminated" if termination_date else "active",
                    "activation_date": date(2020, 1, 1),
                    "termination_date": termination_date,
                }
            )
        cls.env["telecom.interaction"].create(
            {
                "partner_id": partner.id,
                "summary": f"Asked about roaming {serial}",
                "description": "Called from a hotel.",
            }
        )
        return partner

    @staticmethod
    def _expected_due(services, periods, reference_date=REFERENCE_DATE):
        """Independent evaluation: the categories due for a subscriber with
        these services (termination days, None: active) and policies."""
        if not services or None in services:
            return set()
        ended = max(services)
        return {
            category
            for category, (years, action) in periods.items()
            if action != "keep" and ended + relativedelta(years=years) <= reference_date
        }

    def _snapshot(self, partners):
        """The personal data of the subscribers, as the database holds it."""
        self.env.flush_all()
        self.env.invalidate_all()
        partners = partners.sudo()
        return {
            partner.id: {
                "name": partner.name,
                "birthdate": partner.telecom_birthdate,
                "document": partner.telecom_document_number,
                "email": partner.email,
                "phone": partner.phone,
                "street": partner.street,
                "msisdn": tuple(sorted(partner.telecom_service_ids.mapped("msisdn"))),
                "addresses": tuple(
                    sorted(partner.telecom_service_ids.mapped("installation_address"))
                ),
                "summaries": tuple(
                    sorted(partner.telecom_interaction_ids.mapped("summary"))
                ),
            }
            for partner in partners
        }

    @contextmanager
    def _rolled_back(self):
        """Whatever the block writes is undone (one hypothesis example)."""
        savepoint = self.env.cr.savepoint()
        try:
            yield
        finally:
            savepoint.close(rollback=True)
