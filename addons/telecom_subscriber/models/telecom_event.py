import json

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, create_index, create_unique_index

from ..tools.fields import BigInteger


class TelecomEvent(models.Model):
    """Append-only log of business facts, written in the fact's transaction.

    Producers call :meth:`_emit`; consumers (billing outbox, campaign triggers,
    metrics) read the feed through a ``telecom.event.consumer``, never by id.
    Event types are dotted codes such as ``request.done`` or
    ``billing.payment_received``.

    Why not "id > N": ids come from a sequence when a row is inserted, but rows
    become visible when their transaction commits, and transactions commit in
    any order. A reader that saw event 11 (committed) while event 10 was still
    in flight moves its watermark to 11 and never sees 10. So every event
    records the id of the transaction that wrote it (``txid``, set in the same
    transaction by :meth:`create`, and by the column's default for SQL
    writers), and consumers cut the feed by database snapshots: a batch is
    what a newer snapshot sees committed and an older one did not (see
    ``telecom.event.consumer``). An event committed late is not in the older
    snapshot, so it comes in the next batch.
    """

    _name = "telecom.event"
    _description = "Business Event"
    _order = "id desc"
    _log_access = False

    date = fields.Datetime(
        required=True, default=fields.Datetime.now, readonly=True, index=True
    )
    event_type = fields.Char(required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    service_id = fields.Many2one(
        "telecom.service", readonly=True, index="btree_not_null", ondelete="set null"
    )
    request_id = fields.Many2one(
        "telecom.request", readonly=True, index="btree_not_null", ondelete="set null"
    )
    res_model = fields.Char(string="Source Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Source Record", model_field="res_model", readonly=True
    )
    payload = fields.Json(readonly=True)
    summary = fields.Char(readonly=True)
    region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="Zone of the fact (of its request, service or subscriber): agents see "
        "the events of their zones.",
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    txid = BigInteger(
        string="Transaction",
        required=True,
        readonly=True,
        default=0,
        help="Id of the database transaction that recorded the event: consumers "
        "of the feed tell by it which events a database snapshot saw committed. "
        "Events recorded before the feed existed carry 0.",
    )
    fact_key = fields.Char(
        readonly=True,
        copy=False,
        help="Identity of a fact told once only (e.g. the end of a contract on a "
        "date): a second event with the same key is never recorded.",
    )

    def init(self):
        # SQL writers (bulk loads, benchmarks) get the transaction id too
        self.env.cr.execute(
            SQL(
                "ALTER TABLE %s ALTER COLUMN txid SET DEFAULT txid_current()",
                SQL.identifier(self._table),
            )
        )
        # the consumers' cursor: WHERE (txid, id) > (position) ORDER BY txid, id
        create_index(
            self.env.cr,
            "telecom_event_txid_id_index",
            self._table,
            ["txid", "id"],
        )
        # a fact told once: the index decides between concurrent producers
        # (events without a key are NULL there, never in conflict)
        create_unique_index(
            self.env.cr, "telecom_event_fact_key_uniq", self._table, ["fact_key"]
        )

    @api.model
    def _emit(self, event_type, vals_list):
        """Record facts of ``event_type``; ``vals_list`` holds links and payloads."""
        # sudo: any user whose action produces a fact writes it; nobody edits it later
        return self.sudo().create(
            [
                {"event_type": event_type, "company_id": self.env.company.id, **vals}
                for vals in vals_list
            ]
        )

    @api.model
    def _emit_once(self, event_type, vals_list):
        """Record the facts of ``vals_list`` not recorded yet, each identified
        by its ``fact_key``: rerunning the producer, or two workers running it
        at once, records each fact once (``INSERT ... ON CONFLICT DO NOTHING``
        on the unique key; the second insert waits for the first to commit).

        ``vals_list`` holds ``fact_key``, the links (``partner_id``,
        ``service_id``, ``res_model``, ``res_id``), ``payload``, ``summary``
        and ``company_id`` (default: the current company). Returns the events
        recorded now.
        """
        vals_list = [dict(vals) for vals in vals_list if vals.get("fact_key")]
        if not vals_list:
            return self.browse()
        self._fill_regions(vals_list)
        columns = {
            "fact_key": "varchar",
            "partner_id": "integer",
            "service_id": "integer",
            "res_model": "varchar",
            "res_id": "integer",
            "payload": "jsonb",
            "summary": "varchar",
            "region_id": "integer",
            "company_id": "integer",
        }
        rows = [
            {
                **{name: vals.get(name) or None for name in columns},
                "company_id": vals.get("company_id") or self.env.company.id,
            }
            for vals in vals_list
        ]
        self.env.cr.execute(
            SQL(
                """INSERT INTO telecom_event
                          (date, event_type, user_id, txid, %(names)s)
                   SELECT %(now)s, %(type)s, %(uid)s, txid_current(), %(names)s
                     FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(%(record)s)
                   ON CONFLICT (fact_key) DO NOTHING
                   RETURNING id""",
                names=SQL(", ").join(SQL.identifier(name) for name in columns),
                now=fields.Datetime.now(),
                type=event_type,
                uid=self.env.uid,
                rows=json.dumps(rows, default=str),
                record=SQL(
                    ", ".join(f"{name} {kind}" for name, kind in columns.items())
                ),
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    @api.model_create_multi
    def create(self, vals_list):
        self._fill_regions(vals_list)
        # the writing transaction, whatever the caller passed: a made-up value
        # could place the event where a consumer has already passed
        txid = self._current_txid()
        for vals in vals_list:
            vals["txid"] = txid
        return super().create(vals_list)

    @api.model
    def _current_txid(self):
        """Id of the current transaction (assigned now if it has none yet)."""
        self.env.cr.execute("SELECT txid_current()")
        return self.env.cr.fetchone()[0]

    @api.model
    def _fill_regions(self, vals_list):
        """Give each event without a zone the zone of its request, service or
        subscriber, reading each kind of record once."""
        sources = (
            ("request_id", "telecom.request", "region_id"),
            ("service_id", "telecom.service", "region_id"),
            ("partner_id", "res.partner", "telecom_region_id"),
        )
        regions = {}
        for link, model, region_field in sources:
            ids = {vals[link] for vals in vals_list if vals.get(link)}
            # sudo: the zone of the fact is recorded whoever produced it
            records = self.env[model].sudo().browse(ids)
            regions[link] = {record.id: record[region_field].id for record in records}
        for vals in vals_list:
            if vals.get("region_id"):
                continue
            vals["region_id"] = next(
                (
                    regions[link][vals[link]]
                    for link, _model, _field in sources
                    if vals.get(link) and regions[link][vals[link]]
                ),
                False,
            )

    def write(self, vals):  # pylint: disable=method-required-super
        # append-only: nobody, the administrator included, rewrites history
        raise UserError(self.env._("Business events cannot be changed."))

    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(self.env._("Business events cannot be deleted."))
