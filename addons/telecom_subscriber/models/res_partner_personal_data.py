from odoo import api, fields, models

from ..tools.masking import mask_document_number


class ResPartner(models.Model):
    """Subscribers as personal data: residency, identifiers, masked documents.

    Kept apart from ``res_partner.py`` (the subscriber and its card): the
    jurisdiction of a subscriber is its zone's (``telecom_region_id``), its
    name, contacts and address are direct identifiers (never exported, see
    ``telecom.analytics.export``), and agents outside the personal data group
    see its document number masked (``45 ** ***345``).
    """

    _inherit = "res.partner"
    _telecom_region_field = "telecom_region_id"
    _telecom_identifying_fields = (
        "name",
        "complete_name",
        "display_name",
        "commercial_company_name",
        "email",
        "email_normalized",
        "phone",
        "phone_sanitized",
        "mobile",
        "street",
        "street2",
        "zip",
        "city",
        "vat",
        "ref",
        "company_registry",
    )

    telecom_document_number_masked = fields.Char(
        string="Document Number (masked)",
        compute="_compute_telecom_document_number_masked",
        help="The identity document number with all but its first two and last "
        "three characters hidden, for agents who may not read personal data.",
    )

    @api.depends("telecom_document_number")
    def _compute_telecom_document_number_masked(self):
        # sudo: the masked number is what users outside the personal data group
        # may see; the clear number never leaves this method
        for partner, clear in zip(
            self, self.sudo().mapped("telecom_document_number"), strict=True
        ):
            partner.telecom_document_number_masked = mask_document_number(clear)

    def _telecom_residency_trigger_fields(self):
        # becoming a subscriber makes a contact personal data of its zone
        return super()._telecom_residency_trigger_fields() | {"telecom_is_subscriber"}
