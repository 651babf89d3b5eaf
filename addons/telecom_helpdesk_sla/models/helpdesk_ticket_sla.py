from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .sla_selections import ACTIVE_INCIDENT_STATES

ENGINE_WRITE_CHUNK = 20000
# pending writes of fewer tickets are flushed by the ORM as usual
GROUPED_FLUSH_MIN = 200


class HelpdeskTicket(models.Model):
    """The SLA clocks of a ticket: policy matching, pauses, replies."""

    _inherit = "helpdesk.ticket"

    # ------------------------------------------------------------------
    # writes of the engine
    # ------------------------------------------------------------------
    def _telecom_engine_write(self, field_name, values_by_id):
        """Write the values ``{ticket id: value}`` of ``field_name`` through
        the ORM: one ``write`` per distinct value and chunk of tickets.

        Tracking, ``write_date``, access rules and the ``write`` overrides of
        other modules all see the change; only this addon's SLA hooks are
        skipped (the engine runs them itself, set-based). Access is the
        caller's: ``self`` carries its environment (or a commented ``sudo``).
        """
        by_value = defaultdict(list)
        for ticket_id, value in values_by_id.items():
            by_value[value].append(ticket_id)
        tickets = self.with_context(telecom_sla_skip=True)
        for value, ids in by_value.items():
            for start in range(0, len(ids), ENGINE_WRITE_CHUNK):
                tickets.browse(ids[start : start + ENGINE_WRITE_CHUNK]).write(
                    {field_name: value}
                )

    def _flush(self, fnames=None):
        """The ORM's flush, with one UPDATE per distinct set of new values.

        Odoo writes the pending values of many records in UPDATEs of 100 rows
        (``VALUES`` lists): the escalation level, raised priority or incident
        link of 100,000 tickets took 1,000 statements. The values are the
        same (the ORM's ``write`` and its overrides ran, tracking and
        ``write_date`` too): only the statements are grouped.
        """
        fields_ = (
            self._fields.values()
            if fnames is None
            else [self._fields[fname] for fname in fnames]
        )
        dirty = self.env.cache.get_dirty_fields()
        if any(field in dirty for field in fields_):
            self._telecom_flush_grouped()
        return super()._flush(fnames)

    def _telecom_flush_grouped(self):
        """Flush this model's pending values grouped by identical values, when
        many tickets wait and every pending field is a plain column (else the
        ORM flushes them)."""
        cache = self.env.cache
        model = self.browse()  # no context-dependent field below
        dirty = [f for f in model._fields.values() if f in cache.get_dirty_fields()]
        if model._parent_store or any(
            f.translate or f.company_dependent or not f.column_type for f in dirty
        ):
            return
        ids_by_field = {f: set(cache.get_dirty_records(model, f)._ids) for f in dirty}
        all_ids = set().union(*ids_by_field.values())
        if len(all_ids) < GROUPED_FLUSH_MIN:
            return
        groups = {}
        for id_ in sorted(all_ids):
            record = model.browse(id_)
            values = tuple(
                (f, f.convert_to_column_update(cache.get(record, f), record))
                for f in dirty
                if id_ in ids_by_field[f]
            )
            key = values
            try:
                hash(values)
            except TypeError:  # an unhashable value (json): a group of its own
                key = id_
            groups.setdefault(key, (values, []))[1].append(id_)
        for field in dirty:
            cache.clear_dirty_field(field)
        for values, ids in groups.values():
            model._telecom_update_group(dict(values), ids)

    def _telecom_update_group(self, values, ids):
        """One UPDATE of ``values`` ({field: column value}) on ``ids``, dated
        as the ORM's flush dates it."""
        if self._log_access:
            values = {
                self._fields["write_uid"]: self.env.uid,
                self._fields["write_date"]: self.env.cr.now(),
            } | values
        self.env.execute_query(
            SQL(
                "UPDATE %s SET %s WHERE id = ANY(%s)",
                SQL.identifier(self._table),
                SQL(", ").join(
                    SQL(
                        "%s = %s::%s",
                        SQL.identifier(field.name),
                        value,
                        SQL(field.column_type[1]),
                    )
                    for field, value in values.items()
                ),
                ids,
            )
        )

    # ------------------------------------------------------------------
    # SLA
    # ------------------------------------------------------------------
    def _sla_apply_policies(self, now=None, force=False, sync_summary=True):
        """Match the policy of each open ticket and start or retarget its clocks.

        A new ticket starts the targets of its policy; an open ticket whose
        policy changes (priority, segment, category, channel, team) keeps its
        clocks with the new targets. ``force`` retargets even without change
        (the policy's calendar changed).
        """
        now = now or fields.Datetime.now()
        self.env.flush_all()
        tickets = self.filtered(lambda ticket: not ticket.closed)
        matches = self.env["telecom.sla.policy"]._match(tickets)
        starts, retargets, assign = [], [], {}
        for ticket, policy in matches.items():
            if not policy or (ticket.sla_policy_id == policy and not force):
                continue
            key = (
                policy._get_calendar(ticket.team_id).id,
                ticket.telecom_region_id.id if policy.tz_source == "region" else 0,
            )
            start = ticket.telecom_sla_start_date or ticket.create_date or now
            if ticket.sla_policy_id != policy:
                assign[ticket.id] = policy.id
            if ticket.sla_policy_id and (force or ticket.sla_policy_id != policy):
                retargets.append((ticket.id, policy.id, *key))
            if not ticket.sla_policy_id or ticket.sla_policy_id != policy or force:
                starts.append((ticket.id, policy.id, ticket.company_id.id, *key, start))
        # sudo: the policy is derived by the engine from the ticket's fields
        # (read-only for users); it follows a change the caller was allowed to
        # make (the ticket, or the subscriber's segment)
        self.sudo()._telecom_engine_write("sla_policy_id", assign)
        Line = self.env["telecom.sla.line"]
        Line._retarget(retargets, now, self.env._("The SLA policy changed."))
        Line._start(starts, now)
        tickets._sla_sync_pause(now)
        if sync_summary:
            Line._sync_ticket_summary(self.ids)

    @api.model
    def _sla_start_existing_tickets(self, batch_size=5000):
        """Open tickets without an SLA (an existing helpdesk, when this addon is
        installed) get their policy and clocks, in batches."""
        ids = self.search([("closed", "=", False), ("sla_policy_id", "=", False)]).ids
        for start in range(0, len(ids), batch_size):
            self.browse(ids[start : start + batch_size])._sla_apply_policies()
        return len(ids)

    def _sla_wanted_pauses(self):
        """{ticket id: pause reason} of the open tickets whose clocks must stop
        (one query: a waiting stage of the policy, else an active incident
        whose time the policy excludes)."""
        if not self:
            return {}
        self._sla_flush_pause_inputs()
        stages = self.env["telecom.sla.policy"]._fields["pause_stage_ids"]
        self.env.cr.execute(
            SQL(
                """SELECT t.id,
                          CASE WHEN EXISTS (
                                    SELECT 1 FROM %(rel)s rel
                                     WHERE rel.%(policy_col)s = p.id
                                       AND rel.%(stage_col)s = t.stage_id)
                               THEN 'stage'
                               WHEN p.incident_time = 'exclude'
                                AND i.state = ANY(%(active)s)
                               THEN 'incident' END
                     FROM helpdesk_ticket t
                     JOIN telecom_sla_policy p ON p.id = t.sla_policy_id
                LEFT JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
                LEFT JOIN telecom_incident i ON i.id = t.incident_id
                    WHERE t.id = ANY(%(ids)s) AND NOT COALESCE(s.closed, false)""",
                rel=SQL.identifier(stages.relation),
                policy_col=SQL.identifier(stages.column1),
                stage_col=SQL.identifier(stages.column2),
                active=list(ACTIVE_INCIDENT_STATES),
                ids=self.ids,
            )
        )
        return {
            ticket_id: reason for ticket_id, reason in self.env.cr.fetchall() if reason
        }

    def _sla_open_ids(self):
        """Ids of the open tickets among these (one query)."""
        self._sla_flush_pause_inputs()
        self.env.cr.execute(
            """SELECT t.id FROM helpdesk_ticket t
            LEFT JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
                WHERE t.id = ANY(%s) AND NOT COALESCE(s.closed, false)""",
            (self.ids,),
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _sla_flush_pause_inputs(self):
        self.env["helpdesk.ticket"].flush_model(
            ["stage_id", "sla_policy_id", "incident_id"]
        )
        self.env["helpdesk.ticket.stage"].flush_model(["closed"])
        self.env["telecom.sla.policy"].flush_model(["pause_stage_ids", "incident_time"])
        self.env["telecom.incident"].flush_model(["state"])

    def _sla_sync_pause(self, now):
        """Pause the clocks of tickets that wait, resume the others."""
        if not self:
            return
        wanted, running = self._sla_wanted_pauses(), self._sla_open_ids()
        Line = self.env["telecom.sla.line"]
        Line._pause(wanted, now)
        Line._resume(
            [ticket_id for ticket_id in running if ticket_id not in wanted], now
        )

    def _sla_on_reply(self, message):
        """First response and periodic updates are met by a public reply of an
        agent; a reply of the subscriber ends a waiting stage."""
        tickets = self.filtered(lambda ticket: not ticket.closed)
        if not tickets or message.message_type not in ("comment", "email"):
            return
        if message.subtype_id.internal or not message.subtype_id:
            return
        now = fields.Datetime.now()
        Line = self.env["telecom.sla.line"]
        author_users = message.author_id.with_context(active_test=False).user_ids
        if author_users and not all(author_users.mapped("share")):
            first = tickets.filtered(lambda t: not t.telecom_first_response_date)
            if first:
                # sudo: kept by the engine; the agent may only have read access
                first.sudo().with_context(telecom_sla_skip=True).write(
                    {"telecom_first_response_date": now}
                )
                Line._stop(first.ids, now, kinds=["first_response"])
            Line._restart_updates(tickets.ids, now)
        else:
            tickets._sla_resume_on_customer_reply()
        Line._sync_ticket_summary(tickets.ids)

    def _sla_resume_on_customer_reply(self):
        waiting = self.filtered(
            lambda t: (
                t.stage_id in t.sla_policy_id.pause_stage_ids
                and t.sla_policy_id.resume_stage_id
            )
        )
        for stage, tickets in waiting.grouped(
            lambda t: t.sla_policy_id.resume_stage_id
        ).items():
            # sudo: the subscriber's reply (portal or mail gateway) moves the
            # ticket out of its waiting stage; subscribers cannot edit tickets
            tickets.sudo().write({"stage_id": stage.id})

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        self._sla_on_reply(message)
        return result
