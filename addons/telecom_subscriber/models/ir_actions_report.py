from odoo import models


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _get_rendering_context(self, report, docids, data):
        """A printed report of records holding personal data is journaled.

        A template may show any personal-data field the user can read: all of them
        are journaled (operation "Printed") for the printed records.
        """
        data = super()._get_rendering_context(report, docids, data)
        records = self.env[report.model].browse(docids or [])
        if records and hasattr(records, "_telecom_personal_fields_readable"):
            personal_fields = records._telecom_personal_fields_readable()
            if personal_fields:
                records._telecom_audit("print", personal_fields)
        return data
