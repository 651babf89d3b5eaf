from odoo import fields, models
from odoo.exceptions import UserError


class TelecomSubjectRequest(models.Model):
    """Correction: the agent reviews the new value and applies it to the card."""

    _inherit = "telecom.subject.request"

    def action_apply_correction(self):
        self._check_personal_data_officer()
        self._check_type(
            "correction", self.env._("Only a correction request corrects data.")
        )
        self._check_state(
            ("in_progress",),
            self.env._("Review the request (Start Review) before applying it."),
        )
        for subject_request in self:
            subject_request._apply_correction()
            subject_request._answer("done")
        return True

    def _apply_correction(self):
        """Write the new value on the subscriber as the agent: their record rules
        apply and the change is journaled in the personal data audit log."""
        self.ensure_one()
        field_name = self.correction_field
        if not field_name or field_name not in dict(self._selection_correction_field()):
            raise UserError(self.env._("Choose the field to correct."))
        partner = self.partner_id
        partner.write({field_name: self._correction_value(partner._fields[field_name])})
        if field_name not in partner._telecom_personal_fields:
            # the declared fields are journaled by the write itself
            self.env["telecom.audit.log"]._log(partner, "change", [field_name])
        self.message_post(
            body=self.env._(
                "%(field)s corrected on the subscriber's card.",
                field=partner._fields[field_name]._description_string(self.env),
            )
        )

    def _correction_value(self, field):
        value = (self.correction_value or "").strip()
        if not value:
            if field.required:
                raise UserError(self.env._("Enter the correct value."))
            return False
        if field.type == "date":
            try:
                return fields.Date.to_date(value)
            except ValueError as error:
                raise UserError(
                    self.env._("Enter the date as YYYY-MM-DD, e.g. 1985-04-23.")
                ) from error
        return value
