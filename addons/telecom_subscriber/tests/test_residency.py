import base64
import csv
import io
from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import config

from ..models.telecom_residency import (
    ALLOWED_JURISDICTIONS_OPTION,
    ALLOWED_JURISDICTIONS_PARAM,
)
from ..tools.billing_csv import COLUMNS
from .common import GROUP, TelecomCommon, make_iccid, make_msisdn


@tagged("post_install", "-at_install")
class TestResidency(TelecomCommon):
    """A database stores the personal data of its jurisdictions only (152-FZ)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # refusals are journaled through a cursor of their own: share the test one
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.company.country_id = cls.env.ref("base.ru")
        cls.zone_north.jurisdiction = "RU"
        cls.zone_abroad = cls.env["telecom.region"].create(
            {
                "name": "Almaty",
                "code": "T-KZ",
                "level": "region",
                "jurisdiction": "KZ",
                "tz": "Asia/Almaty",
            }
        )
        cls.agent = new_test_user(
            cls.env,
            login="t_front_residency",
            groups=f"{GROUP}front_office,{GROUP}personal_data",
            telecom_region_ids=[(6, 0, (cls.zone_north | cls.zone_abroad).ids)],
        )
        cls.env["ir.config_parameter"].set_param(ALLOWED_JURISDICTIONS_PARAM, "RU")

    def setUp(self):
        super().setUp()
        # whatever the odoo.conf of the test server says
        patcher = patch.dict(config.options, {ALLOWED_JURISDICTIONS_OPTION: ""})
        patcher.start()
        self.addCleanup(patcher.stop)

    def _subscriber_vals(self, zone, **values):
        return {
            "name": "Aigerim Nurlanova",
            "telecom_is_subscriber": True,
            "telecom_region_id": zone.id,
            "telecom_document_type": "foreign_passport",
            "telecom_document_number": "N12345678",
            **values,
        }

    def _refusal(self, call):
        """The UserError ``call()`` raises; no savepoint, which would roll back
        the journal of the refusal too (the test cursor shares the transaction)."""
        try:
            call()
        except UserError as error:
            return error.args[0]
        self.fail("the personal data of another jurisdiction was stored")

    def _refusal_logs(self, **domain):
        return self.env["telecom.audit.log"].search(
            [("result", "=", "denied"), ("jurisdiction", "!=", False)]
            + [(name, "=", value) for name, value in domain.items()]
        )

    def test_zone_jurisdiction_is_inherited_and_checked(self):
        self.assertEqual(self.zone_north_city.jurisdiction, "RU")
        district = self.env["telecom.region"].create(
            {
                "name": "Almaty District",
                "code": "T-KZ-1",
                "level": "district",
                "parent_id": self.zone_abroad.id,
            }
        )
        self.assertEqual(district.jurisdiction, "KZ")
        with self.assertRaises(ValidationError):
            district.jurisdiction = "kazakhstan"

    def test_subscriber_of_the_jurisdiction_is_stored(self):
        partner = (
            self.env["res.partner"]
            .with_user(self.agent)
            .create(self._subscriber_vals(self.zone_north_city))
        )
        self.assertTrue(partner.exists())
        self.assertFalse(self._refusal_logs())

    def test_create_of_another_jurisdiction_is_refused_and_journaled(self):
        Partner = self.env["res.partner"].with_user(self.agent)
        message = self._refusal(
            lambda: Partner.create(self._subscriber_vals(self.zone_abroad))
        )
        self.assertIn("KZ", message)
        self.assertIn("RU", message)
        log = self._refusal_logs(user_id=self.agent.id)
        self.assertEqual(len(log), 1)
        self.assertEqual(
            (log.res_model, log.operation, log.jurisdiction),
            ("res.partner", "change", "KZ"),
        )
        self.assertIn("telecom_document_number", log.field_names)

    def test_write_of_another_jurisdiction_is_refused_and_journaled(self):
        partner = (
            self.env["res.partner"]
            .with_user(self.agent)
            .create(self._subscriber_vals(self.zone_north_city))
        )
        # moving the subscriber abroad
        self._refusal(lambda: partner.write({"telecom_region_id": self.zone_abroad.id}))
        log = self._refusal_logs(partner_id=partner.id)
        self.assertEqual((log.user_id, log.jurisdiction), (self.agent, "KZ"))
        self.assertEqual(log.field_names, "telecom_region_id")

    def test_foreign_legacy_record_takes_no_new_data_but_may_be_erased(self):
        self.env["ir.config_parameter"].set_param(ALLOWED_JURISDICTIONS_PARAM, "")
        legacy = self.env["res.partner"].create(self._subscriber_vals(self.zone_abroad))
        self.env["ir.config_parameter"].set_param(ALLOWED_JURISDICTIONS_PARAM, "RU")
        as_agent = legacy.with_user(self.agent)
        self._refusal(lambda: as_agent.write({"telecom_document_number": "N999"}))
        # erasing personal data stores nothing: allowed
        as_agent.write({"telecom_document_number": False, "telecom_birthdate": False})
        # neither do fields that are not personal data
        as_agent.write({"comment": "Moved to the Almaty branch"})
        self.assertFalse(legacy.telecom_document_number)

    def test_batch_is_refused_as_a_whole_with_queries_independent_of_its_size(self):
        Partner = self.env["res.partner"].with_user(self.agent)
        vals_list = [
            self._subscriber_vals(self.zone_north_city, name=f"Local {index}")
            for index in range(20)
        ] + [self._subscriber_vals(self.zone_abroad, name="Abroad")]
        message = self._refusal(lambda: Partner.create(vals_list))
        self.assertIn("KZ", message)
        self.assertIn("(1 record(s))", message)
        self.assertEqual(len(self._refusal_logs(user_id=self.agent.id)), 1)

        one, many = (
            Partner.create(
                [self._subscriber_vals(self.zone_north_city) for _index in range(size)]
            )
            for size in (1, 30)
        )
        Residency = self.env["telecom.residency"]

        def queries(records):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Residency._check_records(records, {"telecom_region_id"})
            return self.env.cr.sql_log_count - before

        self.assertEqual(queries(one), queries(many))

    def test_import_of_another_jurisdiction_is_refused_and_journaled(self):
        Partner = self.env["res.partner"].with_user(self.agent)
        journal = []
        Audit = type(self.env["telecom.audit.log"])
        original = Audit._log_in_own_transaction

        def capture(audit, vals_list):
            # load() runs each row in a savepoint: what it rolls back here, its
            # own transaction keeps in production
            journal.extend(vals_list)
            return original(audit, vals_list)

        with patch.object(Audit, "_log_in_own_transaction", capture):
            result = Partner.load(
                ["name", "telecom_is_subscriber", "telecom_region_id/id"],
                [
                    ["Local", "1", self._xml_id(self.zone_north_city)],
                    ["Abroad", "1", self._xml_id(self.zone_abroad)],
                ],
            )
        errors = [
            message for message in result["messages"] if message["type"] == "error"
        ]
        self.assertTrue(errors)
        self.assertIn("KZ", errors[0]["message"])
        self.assertTrue(
            any(
                vals["result"] == "denied" and vals["jurisdiction"] == "KZ"
                for vals in journal
            )
        )

    def _xml_id(self, record):
        existing = record.get_external_id().get(record.id)
        if existing:
            return existing
        name = f"t_residency_{record.id}"
        self.env["ir.model.data"].create(
            {
                "module": "__test__",
                "name": name,
                "model": record._name,
                "res_id": record.id,
            }
        )
        return f"__test__.{name}"

    def test_billing_import_rejects_rows_of_another_jurisdiction(self):
        rows = [
            {
                "customer_id": f"C-R{index}",
                "subscriber_name": name,
                "region_code": zone.code,
                "account_number": f"A-R{index}",
                "service_type": "mobile",
                "tariff_code": "T-TAR-BASIC",
                "status": "active",
                "msisdn": make_msisdn(8_800_000 + index),
                "iccid": make_iccid(8_800_000 + index),
            }
            for index, (name, zone) in enumerate(
                [("Local", self.zone_north_city), ("Abroad", self.zone_abroad)]
            )
        ]
        stream = io.StringIO()
        writer = csv.writer(stream, delimiter=";", lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row.get(column, "") for column in COLUMNS])
        job = (
            self.env["telecom.import"]
            .with_user(self.head_office)
            .create(
                {
                    "name": "Residency",
                    "file": base64.b64encode(stream.getvalue().encode()),
                    "file_name": "billing.csv",
                }
            )
        )
        job.action_process_now()
        self.assertEqual((job.imported_count, job.error_count), (1, 1))
        error = job.error_ids
        self.assertEqual((error.line_number, error.column), (3, "region_code"))
        self.assertIn("KZ", error.message)
        self.assertFalse(self.env["res.partner"].search([("ref", "=", "C-R1")]))
        log = self._refusal_logs(res_model="telecom.import", res_id=job.id)
        self.assertEqual((log.user_id, log.jurisdiction), (self.head_office, "KZ"))

    def test_no_restriction_when_nothing_is_declared(self):
        self.env["ir.config_parameter"].set_param(ALLOWED_JURISDICTIONS_PARAM, "")
        partner = (
            self.env["res.partner"]
            .with_user(self.agent)
            .create(self._subscriber_vals(self.zone_abroad))
        )
        self.assertTrue(partner.exists())

    def test_server_option_wins_over_the_setting(self):
        with patch.dict(config.options, {ALLOWED_JURISDICTIONS_OPTION: "KZ, BY"}):
            Partner = self.env["res.partner"].with_user(self.agent)
            self.assertTrue(Partner.create(self._subscriber_vals(self.zone_abroad)))
            self._refusal(
                lambda: Partner.create(self._subscriber_vals(self.zone_north_city))
            )
            settings = self.env["res.config.settings"].create({})
            self.assertEqual(settings.telecom_jurisdictions_from_config, "KZ, BY")

    def test_country_allows_its_subdivisions_and_company_is_the_fallback(self):
        self.env["ir.config_parameter"].set_param(ALLOWED_JURISDICTIONS_PARAM, "RU")
        self.zone_north.jurisdiction = "RU-ARK"
        self.zone_south.jurisdiction = False
        Partner = self.env["res.partner"].with_user(self.agent)
        self.assertTrue(Partner.create(self._subscriber_vals(self.zone_north_city)))
        # a zone without jurisdiction: the company's country (Russia)
        self.assertTrue(
            self.env["res.partner"].create(self._subscriber_vals(self.zone_south))
        )
        self.company.country_id = self.env.ref("base.kz")
        self._refusal(
            lambda: self.env["res.partner"].create(
                self._subscriber_vals(self.zone_south)
            )
        )

    def test_settings_declare_the_jurisdictions(self):
        self.env["res.config.settings"].create(
            {"telecom_allowed_jurisdictions": "RU, BY"}
        ).execute()
        self.assertEqual(
            self.env["telecom.residency"]._allowed_jurisdictions(),
            frozenset({"RU", "BY"}),
        )
