import base64
import json

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from ..tools.personal_data import ANONYMISE_LABEL

# 152-FZ art. 21 part 5 lets the operator keep what another law requires: the
# records of the communication services provided are kept 3 years after the end
# of the contract (Federal Law 126-FZ "On Communications", art. 64)
LEGAL_RETENTION_YEARS = 3
LIVE_SERVICE_STATES = ("pending", "active", "blocked")


class TelecomSubjectRequest(models.Model):
    """Access and erasure: what the operator holds on the subject, from the
    personal-data declarations of the models."""

    _inherit = "telecom.subject.request"

    # ------------------------------------------------------------------
    # access
    # ------------------------------------------------------------------
    def action_prepare_export(self):
        """Answer an access request: a snapshot of the subject's data, as JSON
        (machine-readable) and as the printable report built from it."""
        self._check_personal_data_officer()
        self._check_type("access", self.env._("Only an access request is exported."))
        self._check_state(
            ("received", "in_progress"),
            self.env._("Only an open request can be answered."),
        )
        for subject_request in self:
            payload = subject_request._telecom_subject_export()
            content = json.dumps(payload, ensure_ascii=False, indent=2)
            subject_request._answer(
                "done",
                {
                    "export_file": base64.b64encode(content.encode()),
                    "export_filename": f"{subject_request.name}.json",
                },
            )
        return True

    def action_download_export(self):
        self.ensure_one()
        self._check_personal_data_officer()
        self._log_export_download()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/export_file/"
            f"{self.export_filename}?download=true",
            "target": "self",
        }

    def _log_export_download(self):
        """Journal a download of the stored export (its fields were journaled
        when it was built; this row says who took a copy)."""
        self.env["telecom.audit.log"]._log(self, "export", ["export_file"])

    def _telecom_export_payload(self):
        """The stored export, decoded (for the printable report and the portal)."""
        self.ensure_one()
        if not self.export_file:
            return {}
        return json.loads(base64.b64decode(self.export_file))

    def _telecom_export_json(self):
        self.ensure_one()
        return base64.b64decode(self.export_file or b"")

    @api.model
    def _get_export_plan(self):
        """{model name: {"subject_field": path, "fields": [names]}}: what the
        export reads and the erasure clears, in one place.

        The processing register (``_telecom_register_entries``, built from every
        model's declarations) lists the personal fields and the field leading
        to the subscriber; a model an addon declares is exported with no change
        here. Fields of models with no link to a subscriber are left out.
        """
        plan = {}
        Mixin = self.env["telecom.personal.data.mixin"]
        for entry in Mixin._telecom_register_entries():
            if not entry.subject_field:
                continue
            model_plan = plan.setdefault(
                entry.model, {"subject_field": entry.subject_field, "fields": []}
            )
            model_plan["fields"].append(entry.field)
        return plan

    def _telecom_subject_export(self):
        """Everything the register lists for this request's subject.

        One search and one read per model, over the subject's records only;
        each model's export is journaled.
        """
        self.ensure_one()
        sections = []
        for model_name, model_plan in self._get_export_plan().items():
            section = self._telecom_export_section(model_name, model_plan)
            if section:
                sections.append(section)
        partner = self.partner_id
        return {
            "request": self.name,
            "operator": self.company_id.name,
            "subject": {"id": partner.id, "name": partner.name},
            "generated_at": fields.Datetime.to_string(fields.Datetime.now()),
            "sections": sections,
        }

    def _telecom_subject_records(self, model_name, subject_field):
        """The records of ``model_name`` about this request's subject."""
        # sudo: the answer covers everything the operator holds on the subject,
        # whatever the zones of the agent; the domain keeps the subject's own
        # records and the caller was checked to answer personal data requests
        Model = self.env[model_name].sudo().with_context(active_test=False)
        return Model.search([(subject_field, "in", self.partner_id.ids)], order="id")

    def _telecom_export_section(self, model_name, model_plan):
        field_names = model_plan["fields"]
        records = self._telecom_subject_records(model_name, model_plan["subject_field"])
        if not records:
            return None
        Model = records.browse()
        rows = records.read(["display_name", *field_names])
        self.env["telecom.audit.log"]._log(records, "export", field_names)
        return {
            "model": model_name,
            # sudo: the names of the models are not personal data
            "label": self.env["ir.model"].sudo()._get(model_name).name,
            "fields": [
                {
                    "name": name,
                    "label": Model._fields[name]._description_string(self.env),
                }
                for name in field_names
            ],
            "records": [
                {
                    "id": row["id"],
                    "name": row["display_name"],
                    "values": {
                        name: self._export_value(Model._fields[name], row[name])
                        for name in field_names
                    },
                }
                for row in rows
            ],
        }

    def _export_value(self, field, value):
        """A value of ``read`` as JSON: names for relations, labels for choices."""
        if value is False or value is None:
            return None
        if field.type == "many2one":
            return value[1]
        if field.type in ("one2many", "many2many"):
            return value
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value)
        if field.type in ("date", "datetime"):
            return value.isoformat()
        if field.type == "binary":
            return "(file)"
        return value

    # ------------------------------------------------------------------
    # erasure
    # ------------------------------------------------------------------
    def action_erase(self):
        """Answer an erasure request: refused with the legal reason when the
        data must be kept, else the declared personal data is cleared."""
        self._check_personal_data_officer()
        self._check_type("erasure", self.env._("Only an erasure request erases data."))
        self._check_state(
            ("received", "in_progress"),
            self.env._("Only an open request can be answered."),
        )
        refusals = self._get_erasure_refusal_reasons()
        for subject_request in self:
            reasons = refusals.get(subject_request.id)
            if reasons:
                subject_request.refusal_reason = "\n".join(reasons)
                subject_request._answer("refused")
            else:
                # the answer goes to the address the subject had: erased below
                address = subject_request.partner_id.email_formatted
                subject_request._telecom_erase_subject_data()
                subject_request.with_context(
                    telecom_erased_subject_address=address or None
                )._answer("done")
        return True

    def _get_erasure_refusal_reasons(self):
        """{request id: [reasons]} why the subject's data must be kept; extend
        to add the retention rules of other addons."""
        partners = self.partner_id
        # sudo: the decision looks at every contract of the subject, whatever the
        # zones of the agent
        groups = (
            self.env["telecom.service"]
            .sudo()
            ._read_group(
                [("partner_id", "in", partners.ids)],
                ["partner_id", "state"],
                ["__count", "termination_date:max"],
            )
        )
        live = {}
        last_end = {}
        for partner, state, count, termination_max in groups:
            if state in LIVE_SERVICE_STATES:
                live[partner.id] = live.get(partner.id, 0) + count
            elif termination_max:
                last_end[partner.id] = max(
                    termination_max, last_end.get(partner.id, termination_max)
                )
        today = fields.Date.context_today(self)
        reasons = {}
        for subject_request in self:
            partner_id = subject_request.partner_id.id
            messages = []
            if live.get(partner_id):
                messages.append(
                    self.env._(
                        "The subscriber has %(count)s active contract(s): their "
                        "data is needed to provide the services (152-FZ art. 6 "
                        "part 1 item 5). It can be erased once the contracts end.",
                        count=live[partner_id],
                    )
                )
            kept_until = last_end.get(partner_id) and last_end[
                partner_id
            ] + relativedelta(years=LEGAL_RETENTION_YEARS)
            if kept_until and kept_until >= today:
                messages.append(
                    self.env._(
                        "The records of the communication services provided must "
                        "be kept for %(years)s years after the contract ends "
                        '(Federal Law 126-FZ "On Communications"): they are kept '
                        "until %(date)s.",
                        years=LEGAL_RETENTION_YEARS,
                        date=kept_until,
                    )
                )
            reasons[subject_request.id] = messages
        return reasons

    def _telecom_erase_subject_data(self):
        """Clear the registered personal data of the subject (one write per
        model; a required text, a name, becomes a neutral label), journaled as
        a change."""
        self.ensure_one()
        labelled = {
            (entry.model, entry.field)
            for entry in self.env[
                "telecom.personal.data.mixin"
            ]._telecom_register_entries()
            if entry.anonymise == ANONYMISE_LABEL
        }
        for model_name, model_plan in self._get_export_plan().items():
            records = self._telecom_subject_records(
                model_name, model_plan["subject_field"]
            )
            vals = {}
            for name in model_plan["fields"]:
                field = records._fields[name]
                value = self._erased_value(field, (model_name, name) in labelled)
                if self._is_erasable(field) and (value or not field.required):
                    vals[name] = value
            if records and vals:
                records.write(vals)
                self.env["telecom.audit.log"]._log(records, "change", list(vals))

    def _erased_value(self, field, labelled):
        if labelled and field.type in ("char", "text"):
            return self.env._("Erased personal data")
        return False

    @api.model
    def _is_erasable(self, field):
        return field.store and (
            not field.compute or field.inverse or not field.readonly
        )
