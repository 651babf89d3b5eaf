from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

# field key -> (label, kind, table alias, column); the aliases are those of the
# segment query: ``res_partner`` (the subscriber) and ``m`` (its metrics row).
# Other files of the addon add their keys here AND to ``field_name`` by
# ``selection_add`` (see readme/CONFIGURE.md); a new kind also needs an entry in
# OPERATORS_BY_KIND and a ``_get_sql_<kind>`` method.
SEGMENT_FIELDS = {
    "region": ("Zone", "region", "res_partner", "telecom_region_id"),
    "tariff": ("Tariff Plan", "tariff", "m", "tariff_id"),
    "option": ("Option", "option", "res_partner", "id"),
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
    ("nps_last", "Last NPS Score", "number"),
    ("csat_avg_90d", "CSAT Average (90 days)", "number"),
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
    "option": ("in", "not in"),
    "selection": ("=", "!="),
    "text": ("=", "!="),
}
# operators of the built-in kinds that match an unknown figure (a subscriber
# without metrics row): see _without_metrics
UNKNOWN_MATCHING_OPERATORS = {
    "number": (),
    "boolean": ("not set",),
    "tariff": ("not in",),
    "selection": ("!=",),
    "text": ("!=",),
}
CUSTOMER_SEGMENTS = [("mass", "Mass Market"), ("vip", "VIP"), ("b2b", "Business")]
# services whose options count (the same as the metrics' live services)
LIVE_SERVICE_STATES = ("active", "blocked")
_COMPARISONS = {
    op: SQL(op) for op in ("=", "!=", ">", ">=", "<", "<=")
}  # fixed SQL operators, never user text


class TelecomSegmentCondition(models.Model):
    """A node of a condition tree: a condition (a subscriber field or metric, an
    operator, a value) or a group of nodes matched all/any.

    Only top-level nodes carry their owner (``segment_id``, or the owner field
    another model adds); nested nodes hang on ``parent_id``. A tree compiles to
    one null-safe SQL predicate whose values are query parameters. Unknown
    figures (no metrics row, billing figure not fed) never match a comparison;
    "is none of" / "differs from" / "is false" match them. An empty group is
    ignored; no node at all matches everybody.
    """

    _name = "telecom.segment.condition"
    _description = "Segment Condition"
    _order = "sequence, id"

    segment_id = fields.Many2one(
        "telecom.segment", index="btree_not_null", ondelete="cascade"
    )
    parent_id = fields.Many2one(
        "telecom.segment.condition",
        string="Group",
        index="btree_not_null",
        ondelete="cascade",
    )
    child_ids = fields.One2many(
        "telecom.segment.condition", "parent_id", string="Conditions", copy=True
    )
    sequence = fields.Integer(default=10)
    is_group = fields.Boolean(
        string="Group of Conditions",
        help="A group holds its own conditions, matched all or any.",
    )
    match = fields.Selection(
        [("all", "All of them"), ("any", "Any of them")],
        required=True,
        default="any",
    )
    field_name = fields.Selection(
        [(key, spec[0]) for key, spec in SEGMENT_FIELDS.items()],
        string="Field",
        default="churn_risk",
    )
    field_kind = fields.Selection(
        [
            ("number", "Number"),
            ("boolean", "Yes/No"),
            ("region", "Zone"),
            ("tariff", "Tariff"),
            ("option", "Option"),
            ("selection", "Choice"),
            ("text", "Text"),
        ],
        compute="_compute_field_kind",
    )
    operator = fields.Selection(OPERATORS, required=True, default=">=")
    value_number = fields.Float(string="Value")
    value_number_to = fields.Float(string="Up To")
    value_segment = fields.Selection(CUSTOMER_SEGMENTS, string="Customer Segment")
    value_text = fields.Char(string="Text")
    region_ids = fields.Many2many(
        "telecom.region", string="Zones", help="Sub-zones are included."
    )
    tariff_ids = fields.Many2many(
        "product.product",
        string="Tariff Plans",
        domain=[("telecom_kind", "=", "tariff")],
    )
    option_ids = fields.Many2many(
        "product.product",
        "telecom_segment_condition_option_rel",
        "condition_id",
        "product_id",
        string="Options",
        domain=[("telecom_kind", "=", "option")],
        help="Options on an active or blocked service of the subscriber.",
    )
    summary = fields.Char(compute="_compute_summary", recursive=True)

    def init(self):
        # A segment's query reads of each subscriber (res_partner) its id, the
        # columns of the conditions on the subscriber and those of the record
        # rules: kept in a narrow index of the active subscribers, the table
        # (every column of a partner) is not read at all ("index only" scan,
        # a sixth of its size). Measured on 1,000,000 subscribers
        # (bench/campaign_segments.py).
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS res_partner_telecom_segment_scan_idx
                   ON res_partner (id)
                      INCLUDE (telecom_region_id, telecom_segment, company_id,
                               partner_share)
                WHERE telecom_is_subscriber AND active"""
        )

    @api.depends("field_name", "is_group")
    def _compute_field_kind(self):
        for condition in self:
            if condition.is_group or not condition.field_name:
                condition.field_kind = False
            else:
                condition.field_kind = SEGMENT_FIELDS[condition.field_name][1]

    @api.depends(
        "is_group",
        "match",
        "field_name",
        "operator",
        "value_number",
        "value_number_to",
        "value_segment",
        "value_text",
        "region_ids",
        "tariff_ids",
        "option_ids",
        "child_ids",
        "child_ids.summary",
    )
    def _compute_summary(self):
        fields_ = self._fields
        field_labels = dict(fields_["field_name"]._description_selection(self.env))
        operators = dict(fields_["operator"]._description_selection(self.env))
        choices = dict(fields_["value_segment"]._description_selection(self.env))
        for node in self:
            if node.is_group:
                parts = [child.summary for child in node.child_ids if child.summary]
                glue = (
                    self.env._(" and ") if node.match == "all" else self.env._(" or ")
                )
                node.summary = f"({glue.join(parts)})" if parts else ""
                continue
            kind = node.field_kind
            if kind == "number":
                value = format(node.value_number, "g")
                if node.operator == "between":
                    high = format(node.value_number_to, "g")
                    value = self.env._("%(low)s and %(high)s", low=value, high=high)
            elif kind == "boolean":
                value = ""
            elif kind == "region":
                value = ", ".join(node.region_ids.mapped("display_name"))
            elif kind == "tariff":
                value = ", ".join(node.tariff_ids.mapped("display_name"))
            elif kind == "option":
                value = ", ".join(node.option_ids.mapped("display_name"))
            elif kind == "selection":
                value = choices.get(node.value_segment, "")
            else:
                value = node.value_text or ""
            node.summary = " ".join(
                part
                for part in (
                    field_labels.get(node.field_name, ""),
                    operators.get(node.operator, ""),
                    value,
                )
                if part
            )

    @api.onchange("field_name")
    def _onchange_field_name(self):
        allowed = OPERATORS_BY_KIND.get(self.field_kind, ())
        if allowed and self.operator not in allowed:
            self.operator = allowed[0]

    @api.constrains("field_name", "operator", "value_segment", "is_group")
    def _check_operator(self):
        for condition in self:
            if condition.is_group:
                continue
            if not condition.field_name:
                raise ValidationError(self.env._("Choose the field of the condition."))
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

    @api.constrains("parent_id", "is_group")
    def _check_parent(self):
        if self._has_cycle("parent_id"):
            raise ValidationError(
                self.env._("A group of conditions cannot contain itself.")
            )
        if any(node.parent_id and not node.parent_id.is_group for node in self):
            raise ValidationError(
                self.env._("Only a group of conditions can contain conditions.")
            )

    # ------------------------------------------------------------------
    # compilation (public API, see readme/CONFIGURE.md)
    # ------------------------------------------------------------------
    def _get_predicate(self, match="all"):
        """SQL predicate of these nodes glued by ``match`` (``all``/``any``),
        over the aliases ``res_partner`` and ``m``; groups compile recursively.
        No effective node: ``TRUE``."""
        return self._get_tree_sql(match, set()) or SQL("TRUE")

    def _get_tree_sql(self, match, seen):
        parts = []
        for node in self:
            key = node._origin.id or node.id
            if key in seen:
                raise ValidationError(
                    self.env._("A group of conditions cannot contain itself.")
                )
            if node.is_group:
                part = node.child_ids._get_tree_sql(node.match, seen | {key})
            else:
                part = node._get_sql()
            if part is not None:
                parts.append(part)
        if not parts:
            return None
        glue = SQL(" AND ") if match == "all" else SQL(" OR ")
        return SQL("(%s)", glue.join(parts))

    def _without_metrics(self, match="all"):
        """What these nodes glued by ``match`` give for a subscriber without a
        metrics row: ``"never"`` (no match), ``"always"``, ``"maybe"`` (it
        depends on the subscriber) or None (no effective node)."""
        results = []
        for node in self:
            if node.is_group:
                result = node.child_ids._without_metrics(node.match)
            else:
                __, kind, alias, __ = SEGMENT_FIELDS[node.field_name]
                if alias != "m" or kind not in UNKNOWN_MATCHING_OPERATORS:
                    result = "maybe"
                elif node.operator in UNKNOWN_MATCHING_OPERATORS[kind]:
                    result = "always"
                else:
                    result = "never"
            if result:
                results.append(result)
        if not results:
            return None
        decisive, other = ("never", "always") if match == "all" else ("always", "never")
        if decisive in results:
            return decisive
        return other if all(result == other for result in results) else "maybe"

    def _needs_metrics(self, match="all"):
        """Whether only subscribers with a metrics row can match these nodes."""
        return self._without_metrics(match) == "never"

    @api.model
    def _get_subscriber_query(self, predicate, all_zones=False, needs_metrics=False):
        """Query of the subscribers matching ``predicate`` (aliases
        ``res_partner`` and ``m``), under the user's record rules unless
        ``all_zones``. ``needs_metrics``: the predicate never matches a
        subscriber without metrics row (see _needs_metrics); the metrics are
        then joined as such, so that PostgreSQL filters them before the join
        (the same rows: a third less time for a segment of half of 1,000,000)."""
        partners = self.env["res.partner"]
        if all_zones:
            # callers decide membership/eligibility, one fact for every zone;
            # what a user then sees of it is the business records' rules
            partners = partners.sudo()
        query = partners._search([("telecom_is_subscriber", "=", True)])
        query.add_join(
            "JOIN" if needs_metrics else "LEFT JOIN",
            "m",
            "telecom_subscriber_metric",
            SQL("m.partner_id = res_partner.id"),
        )
        query.add_where(predicate)
        return query

    def _get_partner_ids_sql(self, match="all", all_zones=True):
        """``SELECT res_partner.id ...`` of the subscribers matching these nodes."""
        predicate = self._get_predicate(match)
        return self._get_subscriber_query(predicate, all_zones).subselect(
            SQL("res_partner.id")
        )

    def _filter_partner_ids(self, partner_ids, match="all"):
        """The ids among ``partner_ids`` matching these nodes (one query)."""
        return self._filter_by_predicate(self._get_predicate(match), partner_ids)

    @api.model
    def _filter_by_predicate(self, predicate, partner_ids):
        partner_ids = list(partner_ids)
        if not partner_ids:
            return set()
        self._flush_for_compile()
        query = self._get_subscriber_query(predicate, all_zones=True)
        query.add_where(SQL("res_partner.id = ANY(%s)", partner_ids))
        self.env.cr.execute(query.select(SQL("res_partner.id")))
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _flush_for_compile(self):
        """Write pending ORM changes the compiled SQL reads."""
        self.env["telecom.subscriber.metric"].flush_model()
        self.env["res.partner"].flush_model(
            ["telecom_is_subscriber", "telecom_region_id", "telecom_segment", "active"]
        )
        self.env["telecom.service"].flush_model(["partner_id", "state", "option_ids"])

    def _get_sql(self):
        """Null-safe SQL predicate of this condition (values as parameters)."""
        self.ensure_one()
        __, kind, alias, column = SEGMENT_FIELDS[self.field_name]
        return getattr(self, f"_get_sql_{kind}")(SQL.identifier(alias, column))

    def _get_sql_number(self, field):
        if self.operator == "between":
            low, high = sorted((self.value_number, self.value_number_to))
            predicate = SQL("%s BETWEEN %s AND %s", field, low, high)
        else:
            predicate = SQL(
                "%s %s %s", field, _COMPARISONS[self.operator], self.value_number
            )
        return SQL("COALESCE(%s, FALSE)", predicate)

    def _get_sql_boolean(self, field):
        truth = SQL("COALESCE(%s, FALSE)", field)
        return truth if self.operator == "set" else SQL("NOT %s", truth)

    def _negate_unless(self, match, positive):
        return match if self.operator in positive else SQL("NOT %s", match)

    def _get_sql_selection(self, field):
        match = SQL("COALESCE(%s = %s, FALSE)", field, self.value_segment or "")
        return self._negate_unless(match, ("=",))

    def _get_sql_text(self, field):
        match = SQL("COALESCE(%s = %s, FALSE)", field, self.value_text or "")
        return self._negate_unless(match, ("=",))

    def _get_sql_region(self, field):
        prefixes = [f"{path}%" for path in self.region_ids.mapped("parent_path")]
        match = SQL(
            """COALESCE(%s IN (SELECT zone.id FROM telecom_region zone
                                WHERE zone.parent_path LIKE ANY(%s)), FALSE)""",
            field,
            prefixes,
        )
        return self._negate_unless(match, ("in",))

    def _get_sql_tariff(self, field):
        match = SQL("COALESCE(%s = ANY(%s), FALSE)", field, self.tariff_ids.ids)
        return self._negate_unless(match, ("in",))

    def _get_sql_option(self, field):
        match = SQL(
            """EXISTS (SELECT 1 FROM telecom_service service
                         JOIN telecom_service_option_rel service_option
                           ON service_option.service_id = service.id
                        WHERE service.partner_id = %s
                          AND service.state IN %s
                          AND service_option.product_id = ANY(%s))""",
            field,
            LIVE_SERVICE_STATES,
            self.option_ids.ids,
        )
        return self._negate_unless(match, ("in",))
