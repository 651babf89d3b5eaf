import datetime

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

GROUPABLE_TYPES = ("many2one", "many2many", "selection", "boolean", "char", "integer")


class TelecomWorkspaceWidget(models.Model):
    """One live figure of a workspace: how many records match a domain (count),
    which share of them also match a success domain (ratio), or how many there
    are per value of a field (group, e.g. per zone, per agent, per stage).

    Figures are computed as the user who looks at them, so access rights and
    zone rules apply; clicking a widget (or one of its groups) opens exactly the
    records it counted. Domains are Odoo domains evaluated with ``uid``,
    ``user``, ``today`` (date), ``today_start`` (midnight in the user's time
    zone, as UTC), ``month_start``, ``last_month_start``, ``days_ago(n)`` (a
    UTC datetime), ``in_days(n)`` (a date), ``datetime`` and ``relativedelta``.
    """

    _name = "telecom.workspace.widget"
    _description = "Telecom Workspace Widget"
    _order = "workspace_id, sequence, id"

    workspace_id = fields.Many2one(
        "telecom.workspace", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    name = fields.Char(required=True, translate=True)
    description = fields.Char(
        translate=True, help="Shown under the figure: what it counts."
    )
    kind = fields.Selection(
        [("count", "Count"), ("ratio", "Rate (%)"), ("group", "Count per Group")],
        required=True,
        default="count",
    )
    model_id = fields.Many2one(
        "ir.model", string="Records", required=True, ondelete="cascade"
    )
    model_name = fields.Char(related="model_id.model", string="Model", store=True)
    domain = fields.Char(
        default="[]",
        required=True,
        help="Which records the widget counts (Odoo domain).",
    )
    success_domain = fields.Char(
        default="[]",
        help="Rate widgets: the records counted as successes among those of "
        "the domain.",
    )
    group_by = fields.Char(
        string="Group By Field",
        help="Count-per-group widgets: the technical name of the field to group "
        "by (e.g. region_id, user_id, stage_id).",
    )
    group_limit = fields.Integer(
        default=8, help="Count-per-group widgets: how many groups to show."
    )
    action_id = fields.Many2one(
        "ir.actions.act_window",
        string="Open With",
        help="The action whose views open the records; the widget's domain "
        "replaces the action's own. Empty: a plain list.",
    )
    alert_threshold = fields.Float(
        help="The widget turns red when its figure passes this value (0: never)."
    )
    alert_when = fields.Selection(
        [("above", "At or Above"), ("below", "Below")],
        default="above",
        required=True,
    )

    _sql_constraints = [
        (
            "group_limit_positive",
            "CHECK(group_limit > 0)",
            "A count-per-group widget shows at least one group.",
        ),
    ]

    @api.constrains("model_id", "domain", "success_domain", "kind", "group_by")
    def _check_definition(self):
        for widget in self:
            model = self.env[widget.model_name]
            for domain in (widget.domain, widget.success_domain or "[]"):
                try:
                    # sudo: only compiles the domain to check its fields, reads nothing
                    model.sudo()._search(widget._telecom_eval_domain(domain))
                except Exception as error:
                    raise ValidationError(
                        self.env._(
                            "Widget %(widget)s: the domain %(domain)s is not valid "
                            "for %(model)s (%(error)s).",
                            widget=widget.name,
                            domain=domain,
                            model=widget.model_name,
                            error=error,
                        )
                    ) from error
            if widget.kind == "group":
                field = model._fields.get(widget.group_by or "")
                if not field or field.type not in GROUPABLE_TYPES or not field.store:
                    raise ValidationError(
                        self.env._(
                            "Widget %(widget)s: %(model)s has no stored field "
                            "%(field)s to group by (a many2one, many2many, "
                            "selection, boolean, text or integer field).",
                            widget=widget.name,
                            model=widget.model_name,
                            field=widget.group_by or "-",
                        )
                    )

    def action_drill(self, group_key=None):
        """The records behind the widget (or behind one of its groups), as the
        action that opens them."""
        self.ensure_one()
        self.check_access("read")
        domain = self._telecom_domain()
        label = self.name
        if self.kind == "group" and group_key is not None:
            domain = expression.AND([domain, self._telecom_group_domain(group_key)])
            label = f"{self.name}: {self._telecom_group_label(group_key)}"
        if self.action_id:
            action = self.action_id._get_action_dict()
        else:
            action = {
                "type": "ir.actions.act_window",
                "res_model": self.model_name,
                "view_mode": "list,form",
                "views": [[False, "list"], [False, "form"]],
            }
        # the widget's domain says which records: no default filter narrows it
        action.update(
            {"name": label, "domain": domain, "context": {}, "target": "current"}
        )
        return action

    def _telecom_domain(self):
        return self._telecom_eval_domain(self.domain)

    def _telecom_eval_domain(self, domain):
        return safe_eval(domain or "[]", self._telecom_domain_eval_context())

    def _telecom_domain_eval_context(self):
        user = self.env.user
        today = fields.Date.context_today(self)
        user_tz = pytz.timezone(self.env.context.get("tz") or user.tz or "UTC")
        midnight = user_tz.localize(datetime.datetime.combine(today, datetime.time()))
        now = fields.Datetime.now()
        return {
            "uid": user.id,
            "user": user,
            "today": fields.Date.to_string(today),
            "today_start": fields.Datetime.to_string(
                midnight.astimezone(pytz.utc).replace(tzinfo=None)
            ),
            "month_start": fields.Date.to_string(today.replace(day=1)),
            "last_month_start": fields.Date.to_string(
                today.replace(day=1) - relativedelta(months=1)
            ),
            "in_days": lambda days: fields.Date.to_string(
                today + datetime.timedelta(days=days)
            ),
            "days_ago": lambda days: fields.Datetime.to_string(
                now - datetime.timedelta(days=days)
            ),
            "datetime": safe_datetime,
            "relativedelta": relativedelta,
        }

    def _telecom_widget_values(self):
        """Live figures of the widgets the user may read, as the user."""
        values = []
        for widget in self:
            model = self.env[widget.model_name]
            if not model.has_access("read"):
                continue
            figure = getattr(widget, f"_telecom_values_{widget.kind}")(model)
            threshold = widget.alert_threshold
            alert = (
                bool(threshold)
                and not figure.get("empty")
                and (
                    figure["value"] >= threshold
                    if widget.alert_when == "above"
                    else figure["value"] < threshold
                )
            )
            values.append(
                {
                    "id": widget.id,
                    "name": widget.name,
                    "description": widget.description or "",
                    "kind": widget.kind,
                    "alert": alert,
                    **figure,
                }
            )
        return values

    def _telecom_values_count(self, model):
        count = model.search_count(self._telecom_domain())
        return {"value": count, "display": str(count)}

    def _telecom_values_ratio(self, model):
        domain = self._telecom_domain()
        total = model.search_count(domain)
        successes = model.search_count(
            expression.AND([domain, self._telecom_eval_domain(self.success_domain)])
        )
        rate = round(100.0 * successes / total, 1) if total else 0.0
        return {
            "value": rate,
            "display": f"{rate:g} %" if total else "-",
            "empty": not total,
            "detail": self.env._(
                "%(successes)s of %(total)s", successes=successes, total=total
            ),
        }

    def _telecom_values_group(self, model):
        rows = model._read_group(
            self._telecom_domain(),
            [self.group_by],
            ["__count"],
            order="__count desc",
        )
        groups = [
            {
                "key": self._telecom_group_key(value),
                "label": self._telecom_group_value_label(value),
                "count": count,
            }
            for value, count in rows
        ]
        total = sum(group["count"] for group in groups)
        return {
            "value": total,
            "display": str(total),
            "groups": groups[: self.group_limit],
        }

    def _telecom_group_key(self, value):
        if isinstance(value, models.BaseModel):
            return value.id or False
        return value if value is not None else False

    def _telecom_group_value_label(self, value):
        if isinstance(value, models.BaseModel):
            return value.display_name or self.env._("None")
        field = self.env[self.model_name]._fields[self.group_by]
        if field.type == "selection":
            labels = dict(field._description_selection(self.env))
            return labels.get(value) or self.env._("None")
        if value is False or value is None:
            return self.env._("None")
        return str(value)

    def _telecom_group_domain(self, group_key):
        field = self.env[self.model_name]._fields[self.group_by]
        if field.type in ("many2one", "many2many"):
            if group_key is not False and not isinstance(group_key, int):
                raise ValidationError(self.env._("Unknown group."))
            if field.type == "many2many" and not group_key:
                return [(self.group_by, "=", False)]
        elif not isinstance(group_key, str | int | bool):
            raise ValidationError(self.env._("Unknown group."))
        return [(self.group_by, "=", group_key)]

    def _telecom_group_label(self, group_key):
        field = self.env[self.model_name]._fields[self.group_by]
        if field.type in ("many2one", "many2many") and group_key:
            return self.env[field.comodel_name].browse(group_key).display_name
        return self._telecom_group_value_label(group_key)
