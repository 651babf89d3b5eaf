from odoo import fields, models


class TelecomNetworkElement(models.Model):
    """A managed object of the network (cell site, switch, OLT…) and its zone.

    Alarms name the element they are raised on; this mapping gives their zone,
    which is what mass incidents group by.
    """

    _name = "telecom.network.element"
    _description = "Network Element"
    _order = "code"
    _rec_names_search = ["code", "name"]

    code = fields.Char(
        required=True,
        index=True,
        help="Identifier of the element in the OSS (alarmedObject.id of its alarms).",
    )
    name = fields.Char(required=True)
    element_type = fields.Selection(
        [
            ("cell_site", "Cell Site"),
            ("switch", "Switch / Core"),
            ("olt", "OLT / Access Node"),
            ("router", "Router"),
            ("other", "Other"),
        ],
        string="Type",
        default="cell_site",
        required=True,
    )
    region_id = fields.Many2one(
        "telecom.region", string="Zone", required=True, ondelete="restrict", index=True
    )
    service_types = fields.Char(
        help="Comma-separated service types it carries (mobile, broadband…); "
        "empty: all."
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_uniq", "unique(code)", "A network element code is unique."),
    ]

    def _compute_display_name(self):
        for element in self:
            element.display_name = f"[{element.code}] {element.name}"
