"""The processing register (152-FZ art. 22): every personal field of every
model inheriting the mixin, its declaration, and who may see and export it."""

import base64
import csv
import io
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import TelecomCommon

MIXIN = "telecom.personal.data.mixin"


@tagged("post_install", "-at_install")
class TestPersonalDataRegister(TelecomCommon):
    def _declared_fields(self):
        """Independent of the mixin's helper: the personal fields of every
        model whose class inherits the mixin's, from the class attributes."""
        mixin_class = type(self.env[MIXIN])
        declared = set()
        for model_name in self.env.registry:
            model = self.env[model_name]
            if model._abstract or not issubclass(type(model), mixin_class):
                continue
            names = set(model._telecom_personal_fields)
            for cls in type(model).mro():
                names |= set(cls.__dict__.get("_telecom_personal_data", {}))
            declared |= {(model_name, name) for name in names if name in model._fields}
        return declared

    def test_register_lists_every_personal_field(self):
        entries = self.env[MIXIN]._telecom_register_entries()
        self.assertEqual({(e.model, e.field) for e in entries}, self._declared_fields())
        self.assertEqual(len(entries), len({(e.model, e.field) for e in entries}))
        by_key = {(e.model, e.field): e for e in entries}
        document = by_key["res.partner", "telecom_document_number"]
        self.assertEqual(document.category, "document")
        self.assertEqual(document.legal_basis, "law")
        self.assertTrue(document.audited)
        self.assertEqual(document.subject_field, "id")
        self.assertIn(
            "telecom_subscriber.telecom_subscriber_group_personal_data",
            document.access_groups,
        )
        msisdn = by_key["telecom.service", "msisdn"]
        self.assertEqual(msisdn.category, "communication")
        self.assertEqual(msisdn.subject_field, "partner_id")
        self.assertFalse(msisdn.audited)
        self.assertIn(
            "telecom_subscriber.telecom_subscriber_group_user", msisdn.access_groups
        )

    def test_fields_listed_the_former_way_are_registered(self):
        Partner = self.env["res.partner"]
        with patch.object(
            type(Partner),
            "_telecom_personal_fields",
            (*Partner._telecom_personal_fields, "function"),
        ):
            entries = self.env[MIXIN]._telecom_register_entries()
        job = next(
            e for e in entries if (e.model, e.field) == ("res.partner", "function")
        )
        self.assertEqual((job.category, job.purpose), ("other", "service"))
        self.assertTrue(job.audited)

    def test_supervisor_opens_the_register(self):
        Register = self.env["telecom.personal.data.register"]
        Register.sudo().search([]).unlink()
        action = Register.with_user(self.supervisor).action_open_register()
        self.assertEqual(action["res_model"], Register._name)
        rows = Register.with_user(self.supervisor).search([])
        self.assertEqual(
            {(r.model, r.field_name) for r in rows}, self._declared_fields()
        )
        row = rows.filtered(lambda r: r.field_name == "telecom_document_number")
        self.assertEqual(row.category, "document")
        self.assertIn("years", row.retention_rule)
        self.assertIn(
            self.env.ref("telecom_subscriber.telecom_subscriber_group_personal_data"),
            row.group_ids,
        )
        # opened again with no change: the rows stay the same records
        Register.with_user(self.supervisor).action_open_register()
        self.assertEqual(Register.search([]), rows)

    def test_supervisor_exports_csv_and_xlsx(self):
        Export = self.env["telecom.personal.data.register.export"].with_user(
            self.supervisor
        )
        wizard = Export.create({"file_format": "csv"})
        wizard.action_export()
        text = base64.b64decode(wizard.file).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        exported = {(row[1], row[3]) for row in rows[1:]}
        self.assertEqual(exported, self._declared_fields())
        wizard = Export.create({"file_format": "xlsx"})
        wizard.action_export()
        self.assertTrue(base64.b64decode(wizard.file).startswith(b"PK"))
        self.assertTrue(wizard.filename.endswith(".xlsx"))

    def test_front_office_cannot_see_the_register(self):
        Register = self.env["telecom.personal.data.register"]
        for user in (self.front_office, self.retention_agent, self.tech_support):
            with self.assertRaises(AccessError):
                Register.with_user(user).search([])
            with self.assertRaises(AccessError):
                Register.with_user(user).action_open_register()
            with self.assertRaises(AccessError):
                self.env["telecom.personal.data.register.export"].with_user(
                    user
                ).create({})
