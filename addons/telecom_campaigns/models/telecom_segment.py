import hashlib
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools.work_mem import work_mem


class TelecomSegment(models.Model):
    """A dynamic group of subscribers defined by conditions, built without code.

    The conditions compile to one parameterised SQL predicate over the subscriber
    (``res_partner``) and its metrics row (``m``): the size preview runs it under
    the user's record rules, the materialisation (:meth:`_refresh_members`) writes
    the whole membership into ``telecom.segment.member`` in SQL.
    """

    _name = "telecom.segment"
    _description = "Subscriber Segment"
    _inherit = ["mail.thread"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    description = fields.Text()
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        default=lambda self: self.env.company,
        index=True,
    )
    match = fields.Selection(
        [("all", "All conditions"), ("any", "Any condition")],
        required=True,
        default="all",
        tracking=True,
    )
    condition_ids = fields.One2many(
        "telecom.segment.condition",
        "segment_id",
        string="Conditions",
        domain=[("parent_id", "=", False)],
        copy=True,
        help="The top level of the condition tree.",
    )
    # the form edits the top level as two lists: plain conditions inline, and
    # groups (each with its own all/any and conditions) in a dialog
    leaf_condition_ids = fields.One2many(
        "telecom.segment.condition",
        "segment_id",
        string="Plain Conditions",
        domain=[("parent_id", "=", False), ("is_group", "=", False)],
    )
    group_ids = fields.One2many(
        "telecom.segment.condition",
        "segment_id",
        string="Groups of Conditions",
        domain=[("parent_id", "=", False), ("is_group", "=", True)],
    )
    exclude_segment_ids = fields.Many2many(
        "telecom.segment",
        "telecom_segment_exclusion_rel",
        "segment_id",
        "excluded_id",
        string="Exclude Members Of",
        help="Subscribers matching these segments are left out.",
    )
    auto_refresh = fields.Boolean(
        string="Refresh on Schedule",
        default=True,
        help="The scheduled job refreshes the membership of this segment.",
    )
    preview_count = fields.Integer(
        string="Matching Now",
        compute="_compute_preview_count",
        help="Subscribers of your zones matching the conditions as edited.",
    )
    member_count = fields.Integer(
        string="Members", readonly=True, help="Members at the last refresh."
    )
    refresh_date = fields.Datetime(string="Refreshed On", readonly=True)
    refresh_signature = fields.Char(
        readonly=True,
        copy=False,
        help="Fingerprint of the definition the members were last computed from.",
    )
    member_ids = fields.One2many(
        "telecom.segment.member",
        "segment_id",
        string="Members",
        domain=[("snapshot_id", "=", False)],
    )
    snapshot_ids = fields.One2many(
        "telecom.segment.snapshot", "segment_id", string="Snapshots"
    )

    @api.depends(
        "match",
        "exclude_segment_ids",
        "condition_ids",
        "condition_ids.field_name",
        "condition_ids.operator",
        "condition_ids.value_number",
        "condition_ids.value_number_to",
        "condition_ids.value_segment",
        "condition_ids.value_text",
        "condition_ids.value_device_type",
        "condition_ids.region_ids",
        "condition_ids.tariff_ids",
        "condition_ids.option_ids",
        "condition_ids.is_group",
        "condition_ids.match",
        "leaf_condition_ids",
        "leaf_condition_ids.field_name",
        "leaf_condition_ids.operator",
        "leaf_condition_ids.value_number",
        "leaf_condition_ids.value_number_to",
        "leaf_condition_ids.value_segment",
        "leaf_condition_ids.value_text",
        "leaf_condition_ids.value_device_type",
        "leaf_condition_ids.region_ids",
        "leaf_condition_ids.tariff_ids",
        "leaf_condition_ids.option_ids",
        "leaf_condition_ids.is_group",
        "leaf_condition_ids.match",
        "group_ids",
        "group_ids.field_name",
        "group_ids.operator",
        "group_ids.value_number",
        "group_ids.value_number_to",
        "group_ids.value_segment",
        "group_ids.value_text",
        "group_ids.value_device_type",
        "group_ids.region_ids",
        "group_ids.tariff_ids",
        "group_ids.option_ids",
        "group_ids.is_group",
        "group_ids.match",
        "group_ids.child_ids",
        "group_ids.child_ids.field_name",
        "group_ids.child_ids.operator",
        "group_ids.child_ids.value_number",
        "group_ids.child_ids.value_number_to",
        "group_ids.child_ids.value_segment",
        "group_ids.child_ids.value_text",
        "group_ids.child_ids.region_ids",
        "group_ids.child_ids.tariff_ids",
        "group_ids.child_ids.option_ids",
        "group_ids.child_ids.is_group",
        "group_ids.child_ids.match",
        "group_ids.child_ids.child_ids",
        "group_ids.child_ids.child_ids.field_name",
        "group_ids.child_ids.child_ids.operator",
        "group_ids.child_ids.child_ids.value_number",
        "group_ids.child_ids.child_ids.value_number_to",
        "group_ids.child_ids.child_ids.value_segment",
        "group_ids.child_ids.child_ids.value_text",
        "group_ids.child_ids.child_ids.region_ids",
        "group_ids.child_ids.child_ids.tariff_ids",
        "group_ids.child_ids.child_ids.option_ids",
        "group_ids.child_ids.child_ids.is_group",
        "group_ids.child_ids.child_ids.match",
    )
    @api.depends_context("uid", "allowed_company_ids")
    def _compute_preview_count(self):
        self.env["telecom.segment.condition"]._flush_for_compile()
        for segment in self:
            try:
                query = segment._get_member_query()
            except (UserError, ValidationError):
                segment.preview_count = 0
                continue
            # the subscribers joined to their metrics rows: hashed in memory
            with work_mem(self.env.cr):
                self.env.cr.execute(query.select(SQL("count(*)")))
                segment.preview_count = self.env.cr.fetchone()[0]

    @api.constrains("exclude_segment_ids")
    def _check_exclusion_cycle(self):
        if self._has_cycle("exclude_segment_ids"):
            raise ValidationError(
                self.env._("A segment cannot exclude itself, directly or not.")
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_segment_members(self):
        # the member rows have no foreign key (see telecom.segment.member)
        self.env["telecom.segment.member"]._delete_segments(self.ids)

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_refresh_members(self):
        self.check_access("write")
        self._refresh_members()
        return True

    def action_view_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_campaigns.telecom_segment_member_action"
        )
        action["domain"] = [
            ("segment_id", "=", self.id),
            ("snapshot_id", "=", False),
        ]
        action["context"] = {"search_default_group_region": 1}
        return action

    def action_view_breakdown(self):
        self.ensure_one()
        action = self.action_view_members()
        action.update(
            {
                "name": self.env._("Breakdown of %s", self.name),
                "view_mode": "pivot,graph,list",
                "views": [(False, "pivot"), (False, "graph"), (False, "list")],
                "context": {},
            }
        )
        return action

    def action_export_members_xlsx(self):
        """Download the members the user may see as XLSX (streamed)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/telecom_campaigns/segment/{self.id}/members.xlsx",
            "target": "download",
        }

    def action_view_churn_distribution(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_campaigns.telecom_churn_risk_report_action"
        )
        action["name"] = self.env._("Churn Risk of %s", self.name)
        action["context"] = {"search_default_segment_id": self.id}
        return action

    def action_new_ab_test(self):
        """Start an A/B test targeting this segment."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New A/B Test"),
            "res_model": "telecom.ab.test",
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {"default_segment_id": self.id},
        }

    def action_freeze_snapshot(self):
        self.ensure_one()
        self.check_access("write")
        snapshot = self._freeze_snapshot()
        return {
            "type": "ir.actions.act_window",
            "res_model": "telecom.segment.snapshot",
            "res_id": snapshot.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # compilation and materialisation
    # ------------------------------------------------------------------
    def _get_nodes(self):
        """Top-level condition nodes as edited (the form's two lists)."""
        return self.leaf_condition_ids | self.group_ids

    def _get_predicate(self, seen=None, live=False):
        """The SQL predicate of this segment over ``res_partner`` and ``m``.

        Conditions are compiled as a tree (see ``telecom.segment.condition``).
        An excluded segment counts through its materialised members when it is
        fresh (:meth:`_is_fresh`), else through its own predicate (same rule,
        recursively). ``live`` compiles every exclusion from its conditions.
        """
        self.ensure_one()
        key = self._origin.id or self.id
        seen = set(seen or ())
        if key in seen:
            raise UserError(
                self.env._("A segment cannot exclude itself, directly or not.")
            )
        seen.add(key)
        predicate = self._get_nodes()._get_predicate(self.match)
        excluded = []
        for segment in self.exclude_segment_ids:
            if not live and segment._is_fresh():
                excluded.append(
                    SQL(
                        """EXISTS (SELECT 1 FROM telecom_segment_member excluded
                                    WHERE excluded.segment_id = %s
                                      AND excluded.snapshot_id IS NULL
                                      AND excluded.partner_id = res_partner.id)""",
                        segment._origin.id or segment.id,
                    )
                )
            else:
                excluded.append(segment._get_predicate(seen, live=live))
        if excluded:
            predicate = SQL("(%s AND NOT (%s))", predicate, SQL(" OR ").join(excluded))
        return predicate

    def _get_signature(self):
        """Fingerprint of the definition (conditions and exclusions, live)."""
        self.ensure_one()
        predicate = self._get_predicate(live=True)
        return hashlib.sha256(
            repr((predicate.code, predicate.params)).encode()
        ).hexdigest()

    def _is_fresh(self):
        """Whether the materialised members still stand for the definition:
        refreshed within ``telecom_campaigns.segment_fresh_hours`` hours (24 by
        default) and the definition unchanged since."""
        self.ensure_one()
        segment = self._origin or self
        if not segment.id or not segment.refresh_date or not segment.refresh_signature:
            return False
        hours = int(
            self.env["ir.config_parameter"]
            .sudo()  # a technical setting, read by marketers' previews too
            .get_param("telecom_campaigns.segment_fresh_hours", 24)
        )
        if segment.refresh_date < fields.Datetime.now() - timedelta(hours=hours):
            return False
        return segment.refresh_signature == segment._get_signature()

    def _get_member_query(self, all_zones=False):
        """Query of the matching subscribers; ``res_partner`` and ``m`` aliases.

        By default the current user's record rules on subscribers apply (the
        preview shows what the user may see). ``all_zones`` builds the membership
        itself, which is one fact for every zone.
        """
        self.ensure_one()
        return self.env["telecom.segment.condition"]._get_subscriber_query(
            self._get_predicate(),
            all_zones=all_zones,
            needs_metrics=self._get_nodes()._needs_metrics(self.match),
        )

    def _get_partner_ids_sql(self, all_zones=True, live=False):
        """``SELECT res_partner.id ...`` of the subscribers matching now
        (``live``: exclusions from their conditions too, see _get_predicate)."""
        self.ensure_one()
        return (
            self.env["telecom.segment.condition"]
            ._get_subscriber_query(self._get_predicate(live=live), all_zones=all_zones)
            .subselect(SQL("res_partner.id"))
        )

    def _filter_partner_ids(self, partner_ids, live=False):
        """The ids among ``partner_ids`` matching the segment now (one query;
        ``live``: exclusions from their conditions too, see _get_predicate)."""
        self.ensure_one()
        return self.env["telecom.segment.condition"]._filter_by_predicate(
            self._get_predicate(live=live), partner_ids
        )

    def _sorted_for_refresh(self):
        """Excluded segments first, so that their fresh members serve the others."""
        done, ordered = set(), []

        def visit(segment, path):
            if segment.id in done or segment.id in path:
                return
            for excluded in segment.exclude_segment_ids & self:
                visit(excluded, path | {segment.id})
            done.add(segment.id)
            ordered.append(segment.id)

        for segment in self:
            visit(segment, set())
        return self.browse(ordered)

    def _refresh_members(self):
        """Materialise the live membership of each segment: one statement
        writing the difference only (see :meth:`_get_refresh_query`)."""
        now = fields.Datetime.now()
        self.env["telecom.segment.condition"]._flush_for_compile()
        self.flush_model()
        self.env["telecom.segment.condition"].flush_model()
        cr = self.env.cr
        for segment in self._sorted_for_refresh():
            # the statement hashes half a million rows at most: in memory
            with work_mem(cr):
                cr.execute(segment._get_refresh_query(now))
                member_count = cr.fetchone()[0]
            # the counters are written as superuser: a zone-limited marketer
            # refreshes the whole membership, not only their zones
            segment.sudo().write(
                {
                    "member_count": member_count,
                    "refresh_date": now,
                    "refresh_signature": segment._get_signature(),
                }
            )
        self._invalidate_members()

    def _get_refresh_query(self, now):
        """The statement refreshing the live membership; it returns the new
        member count.

        The matching subscribers are computed once, then compared with the
        current members: leavers deleted, joiners inserted (entering now), the
        rows whose zone, tariff, branch or churn risk changed updated; a member
        that stays keeps its row and entry date. On a refresh where little
        changed, little is written.
        """
        self.ensure_one()
        query = self._get_member_query(all_zones=True)
        return SQL(
            """
WITH matching AS MATERIALIZED (%(matching)s),
current AS (
    SELECT id, partner_id, region_id, tariff_id, company_id, churn_risk
      FROM telecom_segment_member
     WHERE segment_id = %(segment)s AND snapshot_id IS NULL
), diff AS MATERIALIZED (
    -- one pass over both: the leavers (no match), the joiners (no row) and
    -- the rows whose copies changed; the rest, most of it, drops out here
    SELECT current.id, matching.partner_id, matching.region_id,
           matching.tariff_id, matching.company_id, matching.churn_risk
      FROM current FULL JOIN matching ON matching.partner_id = current.partner_id
     WHERE current.id IS NULL OR matching.partner_id IS NULL
        OR (current.region_id, current.tariff_id, current.company_id,
            current.churn_risk)
           IS DISTINCT FROM
           (matching.region_id, matching.tariff_id, matching.company_id,
            matching.churn_risk)
), leaving AS (
    DELETE FROM telecom_segment_member member
     USING diff
     WHERE member.id = diff.id AND diff.partner_id IS NULL
), changing AS (
    UPDATE telecom_segment_member member
       SET region_id = diff.region_id, tariff_id = diff.tariff_id,
           company_id = diff.company_id, churn_risk = diff.churn_risk
      FROM diff
     WHERE member.id = diff.id AND diff.partner_id IS NOT NULL
), joining AS (
    INSERT INTO telecom_segment_member (
        segment_id, partner_id, region_id, tariff_id, company_id, churn_risk,
        date_entered)
    SELECT %(segment)s, partner_id, region_id, tariff_id, company_id,
           churn_risk, %(now)s
      FROM diff
     WHERE diff.id IS NULL
)
SELECT count(*) FROM matching
""",
            matching=query.select(
                SQL(
                    """res_partner.id AS partner_id,
                       res_partner.telecom_region_id AS region_id,
                       m.tariff_id AS tariff_id,
                       res_partner.company_id AS company_id,
                       m.churn_risk AS churn_risk"""
                )
            ),
            segment=self.id,
            now=now,
        )

    def _invalidate_members(self):
        """The members were written in SQL: forget what the cache holds of them."""
        self.env["telecom.segment.member"].invalidate_model()
        self.env["telecom.segment"].invalidate_model(["member_ids"])
        self.env["telecom.segment.snapshot"].invalidate_model(["member_ids"])

    def _freeze_snapshot(self, name=None):
        """Refresh, then copy the live membership into a new snapshot."""
        self.ensure_one()
        self._refresh_members()
        snapshot = (
            self.env["telecom.segment.snapshot"]
            .sudo()  # rows of every zone are copied, like the refresh
            .create(
                {
                    "name": name
                    or self.env._(
                        "%(segment)s on %(date)s",
                        segment=self.name,
                        date=fields.Datetime.to_string(fields.Datetime.now()),
                    ),
                    "segment_id": self.id,
                    "member_count": self.member_count,
                }
            )
        )
        self.env.cr.execute(
            SQL(
                """INSERT INTO telecom_segment_member (
                       segment_id, snapshot_id, partner_id, region_id, tariff_id,
                       company_id, churn_risk, date_entered)
                   SELECT segment_id, %(snapshot)s, partner_id, region_id, tariff_id,
                          company_id, churn_risk, date_entered
                     FROM telecom_segment_member
                    WHERE segment_id = %(segment)s AND snapshot_id IS NULL""",
                snapshot=snapshot.id,
                segment=self.id,
            )
        )
        self._invalidate_members()
        return snapshot.with_env(self.env)

    def _get_breakdown(self):
        """Live members by (zone, tariff) the user may see: ``{(zone, tariff): n}``."""
        self.ensure_one()
        groups = self.env["telecom.segment.member"]._read_group(
            [("segment_id", "=", self.id), ("snapshot_id", "=", False)],
            ["region_id", "tariff_id"],
            ["__count"],
        )
        return {(region, tariff): count for region, tariff, count in groups}

    @api.model
    def _cron_refresh_members(self):
        segments = self.search([("auto_refresh", "=", True)])._sorted_for_refresh()
        for done, segment in enumerate(segments, start=1):
            segment._refresh_members()
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(segments) - done
            )
