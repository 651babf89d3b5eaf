from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.fields import BigInteger


class TelecomEventConsumer(models.Model):
    """A named reader of the ``telecom.event`` feed with its own position.

    Every event reaches every consumer exactly once, including an event whose
    transaction commits after a later one (see ``telecom.event``), and without
    waiting for unrelated transactions that stay open.

    How: the feed is cut into batches by PostgreSQL snapshots, as PgQ does. A
    snapshot says which transactions had committed when it was taken. The
    consumer stores the snapshot up to which everything is delivered
    (``snapshot_done``); a batch is every event whose transaction is committed
    in a newer snapshot (``snapshot_batch``, the snapshot of the transaction
    that opened the batch) and was not in ``snapshot_done``. An event committed
    late is simply not in the older snapshot, so it falls into the next batch:
    nothing is skipped, nothing comes twice, nobody waits for a long
    transaction. Inside a batch the events come in (``txid``, ``id``) order and
    ``position_txid``/``position_event_id`` mark the last one acknowledged.

    One batch, in one transaction::

        consumer = env["telecom.event.consumer"]._get_consumer("campaign_triggers")
        events = consumer._fetch_batch(limit=500)   # locks the consumer
        ... act on events ...
        consumer._acknowledge(events)               # moves the position
        # the caller's transaction commits both (a cron, a queue job)

    or ``consumer._consume(handler, limit)``, which does the three steps.

    - :meth:`_fetch_batch` locks the consumer's row (``FOR UPDATE SKIP
      LOCKED``): a second worker of the same consumer gets no event until the
      first one's transaction ends, so two workers never get the same events.
    - :meth:`_acknowledge` moves the position to the last of the given events,
      never backwards: acknowledging twice changes nothing; acknowledging an
      event acknowledges every event before it.
    - Effects in this database commit with the position: exactly once. Effects
      outside (an SMS, a call to billing) happen at least once: when the
      transaction rolls back after them, the batch comes again, so make them
      idempotent (key them by event id).
    """

    _name = "telecom.event.consumer"
    _description = "Business Event Consumer"
    _order = "name, id"

    PENDING_COUNT_CAP = 10000
    # a consumer's state as the rows of a VALUES list (see _state_row)
    _STATE_COLUMNS = SQL("c(id, done, batch, txid, event_id, types, patterns)")

    name = fields.Char(required=True)
    code = fields.Char(
        required=True,
        help="Technical name the consuming code finds this consumer by.",
    )
    active = fields.Boolean(default=True)
    event_type_filter = fields.Char(
        string="Event Types",
        help="Comma-separated event types this consumer receives; an entry "
        "ending with * is a prefix (request.*). Empty: every event.",
    )
    snapshot_done = fields.Char(
        string="Delivered Snapshot",
        readonly=True,
        help="Database snapshot (xmin:xmax:running) whose committed events are "
        "all delivered. Empty: nothing delivered yet.",
    )
    snapshot_batch = fields.Char(
        string="Batch Snapshot",
        readonly=True,
        help="Snapshot closing the batch being delivered.",
    )
    position_txid = BigInteger(
        string="Position: Transaction",
        readonly=True,
        default=0,
        help="Transaction of the last acknowledged event of the batch.",
    )
    position_event_id = fields.Integer(
        string="Position: Event",
        readonly=True,
        default=0,
        help="Id of the last acknowledged event of the batch.",
    )
    last_fetch_date = fields.Datetime(string="Last Run", readonly=True)
    last_acknowledge_date = fields.Datetime(string="Last Acknowledged", readonly=True)
    acknowledged_count = BigInteger(
        string="Delivered Events",
        readonly=True,
        default=0,
        help="Events acknowledged since the consumer's creation or last reset.",
    )
    pending_count = fields.Integer(
        string="Pending Events",
        compute="_compute_pending",
        help="Committed events not yet delivered (counted up to 10,000).",
    )
    pending_since = fields.Datetime(
        string="Oldest Pending Event",
        compute="_compute_pending",
        help="Date of the oldest committed event not yet delivered.",
    )
    lag_minutes = fields.Float(
        string="Lag (minutes)",
        compute="_compute_pending",
        digits=(16, 1),
        help="Age of the oldest committed event not yet delivered.",
    )

    _sql_constraints = [
        ("code_unique", "unique(code)", "An event consumer with this code exists."),
    ]

    def _compute_pending(self):
        consumers = self.filtered("id")
        stats = {}
        if consumers:
            # pending: committed now, and not delivered (not in snapshot_done,
            # nor acknowledged in the current batch)
            pending = SQL(
                """%(undelivered)s AND %(wanted)s
                   AND txid_visible_in_snapshot(e.txid, txid_current_snapshot())
                   AND (c.batch IS NULL
                        OR NOT txid_visible_in_snapshot(e.txid, c.batch)
                        OR (e.txid, e.id) > (c.txid, c.event_id))""",
                undelivered=self._undelivered_sql(),
                wanted=self._wanted_sql(),
            )
            self.env.cr.execute(
                SQL(
                    """SELECT c.id, pending.count, oldest.date
                         FROM (VALUES %(rows)s) AS %(columns)s
                         LEFT JOIN LATERAL (
                              SELECT count(*) AS count FROM (
                                  SELECT 1 FROM telecom_event e WHERE %(pending)s
                                   LIMIT %(cap)s) AS capped
                         ) AS pending ON TRUE
                         LEFT JOIN LATERAL (
                              SELECT e.date FROM telecom_event e WHERE %(pending)s
                               ORDER BY e.txid, e.id LIMIT 1
                         ) AS oldest ON TRUE""",
                    rows=SQL(", ").join(
                        consumer._state_row(
                            {
                                "done": consumer.snapshot_done,
                                "batch": consumer.snapshot_batch,
                                "txid": consumer.position_txid,
                                "event_id": consumer.position_event_id,
                            }
                        )
                        for consumer in consumers
                    ),
                    columns=self._STATE_COLUMNS,
                    pending=pending,
                    cap=self.PENDING_COUNT_CAP,
                )
            )
            stats = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        now = fields.Datetime.now()
        for consumer in self:
            count, oldest = stats.get(consumer.id, (0, False))
            consumer.pending_count = count
            consumer.pending_since = oldest
            consumer.lag_minutes = (
                (now - oldest).total_seconds() / 60 if oldest and oldest < now else 0
            )

    # ------------------------------------------------------------------
    # actions (administrators)
    # ------------------------------------------------------------------
    def action_reset_position(self):
        """Deliver the whole feed again, from its first event."""
        self.check_access("write")
        self._set_state({"done": None, "batch": None, "txid": 0, "event_id": 0})
        self.acknowledged_count = 0

    def action_skip_to_now(self):
        """Deliver only the events of transactions not committed yet."""
        self.check_access("write")
        self._set_state(
            {
                "done": self._current_snapshot(),
                "batch": None,
                "txid": 0,
                "event_id": 0,
            }
        )
        self.acknowledged_count = 0

    # ------------------------------------------------------------------
    # the consumers' API
    # ------------------------------------------------------------------
    @api.model
    def _get_consumer(self, code):
        """The active consumer of ``code``; an addon declares it in its data."""
        # sudo: the position belongs to the consuming process (a cron, a job),
        # not to the user whose action happens to run it
        consumer = self.sudo().search([("code", "=", code)], limit=1)
        if not consumer:
            raise ValueError(f"No active telecom.event.consumer with code {code!r}")
        return consumer

    def _fetch_batch(self, limit=500):
        """Next events not delivered yet, at most ``limit``, in feed order.

        Locks the consumer until the caller's transaction ends; when another
        worker holds it, returns no event.

        The events come as superuser: a consumer reads the whole feed (reading
        through one user's zone rules would move the position over events that
        user cannot see, and they would be lost to the consumer).
        """
        self.ensure_one()
        Event = self.env["telecom.event"].sudo()
        state = self._read_state(lock="skip")
        if not state:
            return Event
        event_ids = []
        if state["batch"]:
            event_ids = self._batch_event_ids(state, limit)
            if not event_ids:  # the batch is over
                state.update(done=state["batch"], batch=None)
        if not state["batch"]:
            # a new batch: what this transaction sees committed, not yet delivered
            state.update(batch=self._current_snapshot(), txid=0, event_id=0)
            event_ids = self._batch_event_ids(state, limit)
            if not event_ids:  # nothing new: all this snapshot saw is delivered
                state.update(done=state["batch"], batch=None)
        self._set_state(state, fetched=True)
        return Event.browse(event_ids)

    def _acknowledge(self, events):
        """Move the position to the last of ``events`` in feed order.

        Only events of the batch being delivered count; the position never
        moves backwards, so acknowledging again changes nothing. Every event
        of the batch before the new position counts as delivered.
        """
        self.ensure_one()
        if not events:
            return
        state = self._read_state(lock="wait")
        if not state["batch"]:
            return
        # the last given event of the batch, and how many events of the batch
        # that acknowledges (all from the position to it)
        self.env.cr.execute(
            SQL(
                """SELECT last.txid, last.id, (
                          SELECT count(*) FROM telecom_event e
                           WHERE %(in_batch)s
                             AND (e.txid, e.id) > (c.txid, c.event_id)
                             AND (e.txid, e.id) <= (last.txid, last.id))
                     FROM (VALUES %(row)s) AS %(columns)s
                    CROSS JOIN LATERAL (
                          SELECT e.txid, e.id FROM telecom_event e
                           WHERE %(in_batch)s
                             AND (e.txid, e.id) > (c.txid, c.event_id)
                             AND e.id = ANY(%(event_ids)s)
                           ORDER BY e.txid DESC, e.id DESC
                           LIMIT 1) AS last""",
                row=self._state_row(state),
                columns=self._STATE_COLUMNS,
                in_batch=self._in_batch_sql(),
                event_ids=events.ids,
            )
        )
        last = self.env.cr.fetchone()
        if not last:
            return
        state.update(txid=last[0], event_id=last[1])
        if not self._batch_event_ids(state, 1):
            state.update(done=state["batch"], batch=None, txid=0, event_id=0)
        self._set_state(state, acknowledged=last[2])

    def _consume(self, handler, limit=500):
        """Fetch a batch, give it to ``handler(events)``, acknowledge it.

        An exception in ``handler`` propagates and acknowledges nothing: the
        caller's transaction rolls back and the batch comes again.
        """
        events = self._fetch_batch(limit=limit)
        if events:
            handler(events)
            self._acknowledge(events)
        return events

    # ------------------------------------------------------------------
    # state and SQL building blocks
    # ------------------------------------------------------------------

    def _read_state(self, lock=None):
        """The consumer's position as a dict, read from the database.

        ``lock``: None reads, "wait" locks the row (``FOR UPDATE``), "skip"
        locks it unless another transaction holds it (``SKIP LOCKED``): then
        the answer is None.
        """
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                """SELECT snapshot_done, snapshot_batch, position_txid,
                          position_event_id
                     FROM telecom_event_consumer WHERE id = %s%s""",
                self.id,
                {
                    None: SQL(),
                    "wait": SQL(" FOR UPDATE"),
                    "skip": SQL(" FOR UPDATE SKIP LOCKED"),
                }[lock],
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return None
        return dict(zip(("done", "batch", "txid", "event_id"), row, strict=True))

    def _set_state(self, state, fetched=False, acknowledged=0):
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                """UPDATE telecom_event_consumer
                      SET snapshot_done = %(done)s, snapshot_batch = %(batch)s,
                          position_txid = %(txid)s, position_event_id = %(event_id)s,
                          acknowledged_count = acknowledged_count + %(acknowledged)s,
                          last_fetch_date = %(fetch_date)s,
                          last_acknowledge_date = %(acknowledge_date)s
                    WHERE id = ANY(%(ids)s)""",
                **state,
                acknowledged=acknowledged,
                fetch_date=SQL("now() AT TIME ZONE 'UTC'")
                if fetched
                else SQL("last_fetch_date"),
                acknowledge_date=SQL("now() AT TIME ZONE 'UTC'")
                if acknowledged
                else SQL("last_acknowledge_date"),
                ids=self.ids,
            )
        )
        self.invalidate_recordset()

    def _current_snapshot(self):
        """This transaction's snapshot: the transactions it sees committed."""
        self.env.cr.execute("SELECT txid_current_snapshot()::text")
        return self.env.cr.fetchone()[0]

    def _batch_event_ids(self, state, limit):
        """Ids of the batch's events after the position, in feed order."""
        self.env.cr.execute(
            SQL(
                """SELECT e.id
                     FROM (VALUES %(row)s) AS %(columns)s
                     JOIN telecom_event e
                       ON %(in_batch)s AND (e.txid, e.id) > (c.txid, c.event_id)
                    ORDER BY e.txid, e.id
                    LIMIT %(limit)s""",
                row=self._state_row(state),
                columns=self._STATE_COLUMNS,
                in_batch=self._in_batch_sql(),
                limit=limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _state_row(self, state):
        """One row of :attr:`_STATE_COLUMNS` for the consumer in ``state``."""
        types, patterns = self._parse_event_type_filter()
        return SQL(
            """(%s::integer, %s::txid_snapshot, %s::txid_snapshot, %s::bigint,
                %s::integer, %s::varchar[], %s::varchar[])""",
            self.id,
            state["done"] or None,
            state["batch"] or None,
            state["txid"],
            state["event_id"],
            types,
            patterns,
        )

    @api.model
    def _undelivered_sql(self):
        """``e`` is not in ``c.done``; the range condition lets the (txid, id)
        index skip the events committed before that snapshot."""
        return SQL(
            """e.txid >= COALESCE(txid_snapshot_xmin(c.done), 0)
               AND (c.done IS NULL OR NOT txid_visible_in_snapshot(e.txid, c.done))"""
        )

    @api.model
    def _in_batch_sql(self):
        """``e`` belongs to the batch of ``c``: committed in ``c.batch``, not
        delivered before, of a wanted type."""
        return SQL(
            """%s AND %s
               AND e.txid < txid_snapshot_xmax(c.batch)
               AND txid_visible_in_snapshot(e.txid, c.batch)""",
            self._undelivered_sql(),
            self._wanted_sql(),
        )

    @api.model
    def _wanted_sql(self):
        """``e`` has one of the types of ``c`` (exact types or LIKE patterns)."""
        return SQL(
            """(cardinality(c.types) + cardinality(c.patterns) = 0
                OR e.event_type = ANY(c.types)
                OR e.event_type LIKE ANY(c.patterns))"""
        )

    def _parse_event_type_filter(self):
        """(exact types, LIKE patterns) of :attr:`event_type_filter`."""
        types, patterns = [], []
        for entry in (self.event_type_filter or "").split(","):
            entry = entry.strip()
            if entry.endswith("*"):
                prefix = entry[:-1]
                for special in ("\\", "%", "_"):
                    prefix = prefix.replace(special, "\\" + special)
                patterns.append(prefix + "%")
            elif entry:
                types.append(entry)
        return types, patterns
