from datetime import date

from odoo.tests import new_test_user

from .common import GROUP, TelecomCommon

# a Friday; the 10th working day after it is Friday 2026-03-20
RECEIVED = date(2026, 3, 6)


class TelecomSubjectRequestCommon(TelecomCommon):
    """Two subscribers with personal data, a compliance officer and an agent
    without personal data access; deadlines on fixed dates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.resource_calendar_id.tz = "Europe/Moscow"
        cls.agent_no_pd = new_test_user(
            cls.env,
            login="t_retention_no_pd",
            groups=GROUP + "retention",
            telecom_region_ids=[(6, 0, cls.zone_north.ids)],
        )
        cls.subscriber, cls.subscriber_account = cls._create_subscriber(
            "Anna Subject",
            email="anna.subject@example.com",
            telecom_birthdate=date(1985, 4, 23),
            telecom_document_type="passport",
            telecom_document_number="4510 111111",
            telecom_document_issuer="OVD North",
        )
        cls.subscriber_line = cls._activate_line(cls.subscriber_account)
        cls.other, cls.other_account = cls._create_subscriber(
            "Boris Other",
            email="boris.other@example.com",
            telecom_birthdate=date(1970, 1, 2),
            telecom_document_type="passport",
            telecom_document_number="9999 424242",
            telecom_document_issuer="OVD Secret Other",
        )
        cls.other_line = cls._activate_line(cls.other_account)
        # a request of the other subscriber: their words must not leak either
        cls.other_request = cls._new_subject_request(
            cls.other,
            "correction",
            description="Boris private words",
            correction_field="telecom_document_issuer",
            correction_value="Boris secret value",
        )

    @classmethod
    def _new_subject_request(cls, partner, request_type, user=None, **values):
        env = cls.env(user=user) if user else cls.env
        return env["telecom.subject.request"].create(
            {
                "partner_id": partner.id,
                "request_type": request_type,
                "date_received": RECEIVED,
                **values,
            }
        )
