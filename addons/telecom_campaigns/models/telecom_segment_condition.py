from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

# field key -> (label, kind, table alias, column); the aliases are those of the
# segment query: ``res_partner`` (the subscriber) and ``m`` (its metrics row)
SEGMENT_FIELDS = {
    "region": ("Zone", "region", "res_partner", "telecom_region_id"),
    "tariff": ("Tariff Plan", "tariff", "m", "tariff_id"),
    "customer_segment": (
        "Customer Segment",
        "selection",
        "res_partner",
        "telecom_segment",
    ),
}
for _key, _label, _kind in (
    ("tenure_days", "Tenure (days)", "number"),
    ("live_service_count", "Live Services", "number"),
    ("contact_count_30d", "Contacts (30 days)", "number"),
    ("contact_count_90d", "Contacts (90 days)", "number"),
    ("complaint_count_30d", "Complaints (30 days)", "number"),
    ("complaint_count_90d", "Complaints (90 days)", "number"),
    ("open_request_count", "Open Requests", "number"),
    ("churn_risk", "Churn Risk", "number"),
    ("recurring_fee", "Recurring Monthly Fee", "number"),
    ("arpu_last_month", "ARPU Last Month", "number"),
    ("arpu_3_months", "ARPU 3-Month Average", "number"),
    ("port_out_requested", "Port-Out Requested", "boolean"),
    ("termination_requested", "Termination Requested", "boolean"),
    ("debt_blocked", "Blocked for Debt", "boolean"),
):
    # metrics: the column of the metrics row has the key's name
    SEGMENT_FIELDS[_key] = (_label, _kind, "m", _key)
OPERATORS = [
    ("=", "equals"),
    ("!=", "differs from"),
    (">", "greater than"),
    (">=", "at least"),
    ("<", "less than"),
    ("<=", "at most"),
    ("between", "between"),
    ("in", "is one of"),
    ("not in", "is none of"),
    ("set", "is true"),
    ("not set", "is false"),
]
OPERATORS_BY_KIND = {
    "number": ("=", "!=", ">", ">=", "<", "<=", "between"),
    "boolean": ("set", "not set"),
    "region": ("in", "not in"),
    "tariff": ("in", "not in"),
    "selection": ("=", "!="),
}
CUSTOMER_SEGMENTS = [("mass", "Mass Market"), ("vip", "VIP"), ("b2b", "Business")]
_COMPARISONS = {
    op: SQL(op) for op in ("=", "!=", ">", ">=", "<", "<=")
}  # fixed SQL operators, never user text


class TelecomSegmentCondition(models.Model):
    """One condition of a segment: a subscriber field or metric, an operator, a value.

    It compiles to a null-safe SQL predicate whose values are query parameters.
    Unknown figures (no metrics row, billing figure not fed) never match a
    comparison; "is none of" / "differs from" / "is false" match them.
    """

    _name = "telecom.segment.condition"
    _description = "Segment Condition"
    _order = "sequence, id"

    segment_id = fields.Many2one(
        "telecom.segment", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    field_name = fields.Selection(
        [(key, spec[0]) for key, spec in SEGMENT_FIELDS.items()],
        string="Field",
        required=True,
        default="churn_risk",
    )
    field_kind = fields.Selection(
        [
            ("number", "Number"),
            ("boolean", "Yes/No"),
            ("region", "Zone"),
            ("tariff", "Tariff"),
            ("selection", "Choice"),
        ],
        compute="_compute_field_kind",
    )
    operator = fields.Selection(OPERATORS, required=True, default=">=")
    value_number = fields.Float(string="Value")
    value_number_to = fields.Float(string="Up To")
    value_segment = fields.Selection(CUSTOMER_SEGMENTS, string="Customer Segment")
    region_ids = fields.Many2many(
        "telecom.region", string="Zones", help="Sub-zones are included."
    )
    tariff_ids = fields.Many2many(
        "product.product",
        string="Tariff Plans",
        domain=[("telecom_kind", "=", "tariff")],
    )

    @api.depends("field_name")
    def _compute_field_kind(self):
        for condition in self:
            field_name = condition.field_name or "churn_risk"
            condition.field_kind = SEGMENT_FIELDS[field_name][1]

    @api.onchange("field_name")
    def _onchange_field_name(self):
        allowed = OPERATORS_BY_KIND[self.field_kind]
        if self.operator not in allowed:
            self.operator = allowed[0]

    @api.constrains("field_name", "operator", "value_segment")
    def _check_operator(self):
        for condition in self:
            if condition.operator not in OPERATORS_BY_KIND[condition.field_kind]:
                raise ValidationError(
                    self.env._(
                        "The operator “%(operator)s” does not apply to “%(field)s”.",
                        operator=dict(
                            self._fields["operator"]._description_selection(self.env)
                        )[condition.operator],
                        field=dict(
                            self._fields["field_name"]._description_selection(self.env)
                        )[condition.field_name],
                    )
                )
            if condition.field_kind == "selection" and not condition.value_segment:
                raise ValidationError(self.env._("Choose a customer segment."))

    def _get_sql(self):
        """Null-safe SQL predicate of this condition (values as parameters)."""
        self.ensure_one()
        __, kind, alias, column = SEGMENT_FIELDS[self.field_name]
        field = SQL.identifier(alias, column)
        operator = self.operator
        if kind == "number":
            if operator == "between":
                low, high = sorted((self.value_number, self.value_number_to))
                predicate = SQL("%s BETWEEN %s AND %s", field, low, high)
            else:
                predicate = SQL(
                    "%s %s %s", field, _COMPARISONS[operator], self.value_number
                )
            return SQL("COALESCE(%s, FALSE)", predicate)
        if kind == "boolean":
            truth = SQL("COALESCE(%s, FALSE)", field)
            return truth if operator == "set" else SQL("NOT %s", truth)
        if kind == "selection":
            match = SQL("COALESCE(%s = %s, FALSE)", field, self.value_segment or "")
        elif kind == "region":
            prefixes = [f"{path}%" for path in self.region_ids.mapped("parent_path")]
            match = SQL(
                """COALESCE(%s IN (SELECT zone.id FROM telecom_region zone
                                    WHERE zone.parent_path LIKE ANY(%s)), FALSE)""",
                field,
                prefixes,
            )
        else:
            match = SQL("COALESCE(%s = ANY(%s), FALSE)", field, self.tariff_ids.ids)
        return match if operator in ("in", "=") else SQL("NOT %s", match)
