from odoo import Command, api, fields, models

from ..tools import mappers

COMPARED_FIELDS = (
    "name",
    "telecom_kind",
    "telecom_service_type",
    "telecom_monthly_fee",
    "telecom_included_minutes",
    "telecom_included_sms",
    "telecom_included_data_gb",
    "active",
)


class ProductTemplate(models.Model):
    """Tariffs and options kept in step with the billing catalog."""

    _inherit = "product.template"

    telecom_bss_backend_id = fields.Many2one(
        "telecom.backend",
        string="Synced From",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The catalog system this offer comes from; it is archived when that "
        "catalog no longer lists it.",
    )
    telecom_bss_synced_at = fields.Datetime(string="Last Synced", readonly=True)

    @api.model
    def _bss_sync_offers(self, backend, offers):
        """Upsert the offers by billing code, set-based; archive the vanished ones.

        Returns counts: created, updated, archived, unchanged, invalid.
        """
        parsed, invalid = self._bss_parse_offers(offers)
        codes = list(parsed)
        existing = self.with_context(active_test=False).search(
            [("telecom_billing_code", "in", codes)]
        )
        by_code = {template.telecom_billing_code: template for template in existing}
        now = fields.Datetime.now()
        to_create, updated, unchanged = [], 0, 0
        for code, (values, _compatible) in parsed.items():
            template = by_code.get(code)
            values = {**values, "telecom_bss_backend_id": backend.id}
            if not template:
                to_create.append(
                    {**values, "type": "service", "telecom_bss_synced_at": now}
                )
            elif self._bss_differs(template, values):
                template.write({**values, "telecom_bss_synced_at": now})
                updated += 1
            else:
                unchanged += 1
        created = self.create(to_create)
        all_templates = existing | created
        self._bss_link_compatible_options(all_templates, parsed)
        archived = self._bss_archive_vanished(backend, codes)
        return {
            "created": len(created),
            "updated": updated,
            "archived": archived,
            "unchanged": unchanged,
            "invalid": invalid,
        }

    @api.model
    def _bss_parse_offers(self, offers):
        parsed, invalid = {}, 0
        service_types = {
            key for key, _label in self._fields["telecom_service_type"].selection
        }
        for offer in offers:
            try:
                values, compatible = mappers.offer_values(offer)
            except mappers.ProtocolError:
                invalid += 1
                continue
            if values["telecom_service_type"] not in service_types:
                invalid += 1
                continue
            parsed[values["telecom_billing_code"]] = (values, compatible)
        return parsed, invalid

    @api.model
    def _bss_differs(self, template, values):
        for field_name in COMPARED_FIELDS:
            current = template[field_name]
            if isinstance(current, float):
                if abs(current - values[field_name]) > 0.005:
                    return True
            elif current != values[field_name]:
                return True
        return template.telecom_bss_backend_id.id != values["telecom_bss_backend_id"]

    @api.model
    def _bss_link_compatible_options(self, templates, parsed):
        by_code = {template.telecom_billing_code: template for template in templates}
        for code, (_values, compatible) in parsed.items():
            tariff = by_code.get(code)
            if not tariff or tariff.telecom_kind != "tariff":
                continue
            wanted = {by_code[c].id for c in compatible if c in by_code}
            if wanted != set(tariff.telecom_compatible_option_ids.ids):
                tariff.telecom_compatible_option_ids = [Command.set(list(wanted))]

    @api.model
    def _bss_archive_vanished(self, backend, codes):
        vanished = self.search(
            [
                ("telecom_bss_backend_id", "=", backend.id),
                ("telecom_billing_code", "not in", codes),
            ]
        )
        vanished.write({"active": False})
        return len(vanished)
