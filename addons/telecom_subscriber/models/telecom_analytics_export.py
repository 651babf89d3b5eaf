import logging
import os

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import config

from ..tools.pseudonymise import (
    MIN_SECRET_LENGTH,
    ForbiddenValues,
    JsonLinesBatchWriter,
    Pseudonymiser,
    sanitise_payload,
)

_logger = logging.getLogger(__name__)

CONSUMER_CODE = "analytics_export"
# the secret of the pseudonyms: environment first, then odoo.conf; never the DB
SECRET_ENVIRONMENT = "TELECOM_PSEUDONYM_SECRET"
SECRET_OPTION = "telecom_pseudonym_secret"
DIRECTORY_ENVIRONMENT = "TELECOM_ANALYTICS_EXPORT_DIR"
DIRECTORY_OPTION = "telecom_analytics_export_dir"


class TelecomAnalyticsExport(models.AbstractModel):
    """Pseudonymised export of the event feed for an analytics database.

    The hybrid deployment of 152-FZ: each jurisdiction keeps its personal data
    in its own database; a head-office or cloud analytics database receives
    the business events of every one of them, pseudonymised, through this
    export. The export reads ``telecom.event`` through the consumer
    ``analytics_export`` (lossless, see ``telecom.event.consumer``) and writes
    each batch as a JSON lines file whose name is the offset of its first event
    in the feed, before acknowledging it in the same transaction: a run killed
    or failing between the file and the commit leaves a file the next run
    writes again, from the same offset, with the batch that was not
    acknowledged (``tools/pseudonymise.py``). Nothing is skipped or told twice.

    A line carries the event's type and date, the zone and jurisdiction,
    pseudonyms of the subscriber, service, request, source record and user
    (stable across runs: a keyed HMAC with a secret kept out of the database)
    and the payload without identity; never names, documents, phone numbers,
    e-mails, addresses or the event's summary. Every value is compared with
    the personal fields and direct identifiers declared by the personal data
    mixin (``_telecom_export_forbidden_fields``) of the subscribers concerned.
    """

    _name = "telecom.analytics.export"
    _description = "Pseudonymised Event Export"

    @api.model
    def _cron_export(self, batch_size=1000):
        """One batch per call (the cron calls again while some remain)."""
        if not self._is_configured():
            _logger.warning(
                "Analytics export not configured: set %s and %s (or %s and %s "
                "in odoo.conf)",
                SECRET_ENVIRONMENT,
                DIRECTORY_ENVIRONMENT,
                SECRET_OPTION,
                DIRECTORY_OPTION,
            )
            return 0
        count = self._export_batch(
            self._get_consumer(), self._get_writer(), limit=batch_size
        )
        self.env["ir.cron"]._notify_progress(
            done=count, remaining=1 if count == batch_size else 0
        )
        return count

    @api.model
    def _export_batch(self, consumer, writer, limit=1000):
        """Export the next batch of ``consumer`` through ``writer``; return the
        number of events exported. The caller's transaction commits the new
        position (a cron, the command line)."""
        pseudonymiser = self._get_pseudonymiser()
        events = consumer._fetch_batch(limit=limit)
        if not events:
            return 0
        # the position of the batch's first event in the feed names its file
        offset = consumer.acknowledged_count
        writer.write_batch(offset, self._prepare_lines(events, offset, pseudonymiser))
        consumer._acknowledge(events)
        return len(events)

    # ------------------------------------------------------------------
    # lines
    # ------------------------------------------------------------------
    @api.model
    def _prepare_lines(self, events, offset, pseudonymiser):
        """The pseudonymised lines of ``events`` (read together)."""
        forbidden = self._forbidden_values(events)
        jurisdictions = self._event_jurisdictions(events)
        return [
            self._prepare_line(
                event, offset + index, pseudonymiser, forbidden, jurisdictions
            )
            for index, event in enumerate(events)
        ]

    @api.model
    def _prepare_line(self, event, offset, pseudonymiser, forbidden, jurisdictions):
        pseudonym = pseudonymiser.pseudonym
        return {
            "offset": offset,
            "database": pseudonymiser.namespace,
            "event_id": event.id,
            "event_type": event.event_type,
            "date": fields.Datetime.to_string(event.date),
            "subscriber": pseudonym("res.partner", event.partner_id.id),
            "service": pseudonym("telecom.service", event.service_id.id),
            "request": pseudonym("telecom.request", event.request_id.id),
            "source_model": event.res_model or None,
            "source": pseudonym(event.res_model, event.res_id),
            "user": pseudonym("res.users", event.user_id.id),
            "zone": event.region_id.code or None,
            "jurisdiction": jurisdictions.get(event.id) or None,
            "company_id": event.company_id.id or None,
            "payload": sanitise_payload(event.payload or {}, forbidden, pseudonymiser),
        }

    @api.model
    def _forbidden_values(self, events):
        """The personal values of the subscribers of ``events``."""
        # sudo: the values are read to be kept out of the export, never written
        partners = (events.partner_id | events.service_id.partner_id).sudo()
        values = []
        for field_name in partners._telecom_export_forbidden_fields():
            field = partners._fields.get(field_name)
            if not field:
                continue
            for value in partners.mapped(field_name):
                if field.type == "date" and value:
                    value = fields.Date.to_string(value)
                elif field.type == "datetime" and value:
                    values.append(fields.Date.to_string(value.date()))
                    value = fields.Datetime.to_string(value)
                values.append(value)
        return ForbiddenValues(values)

    @api.model
    def _event_jurisdictions(self, events):
        """{event id: jurisdiction}: of its zone, else of its company."""
        region_codes = self.env["telecom.residency"]._region_jurisdictions(
            events.region_id, self.env["res.company"]
        )
        return {
            event.id: region_codes.get(event.region_id.id)
            or event.company_id.country_id.code
            for event in events
        }

    # ------------------------------------------------------------------
    # configuration (environment or odoo.conf, never the database)
    # ------------------------------------------------------------------
    @api.model
    def _is_configured(self):
        return bool(self._secret() and self._directory())

    @api.model
    def _secret(self):
        return os.environ.get(SECRET_ENVIRONMENT) or config.get(SECRET_OPTION) or ""

    @api.model
    def _directory(self):
        return os.environ.get(DIRECTORY_ENVIRONMENT) or config.get(DIRECTORY_OPTION)

    @api.model
    def _get_pseudonymiser(self):
        secret = self._secret()
        if len(secret) < MIN_SECRET_LENGTH:
            raise UserError(
                self.env._(
                    "The pseudonymised export needs a secret of at least %(length)s "
                    "characters in the environment variable %(variable)s or the "
                    "option %(option)s of odoo.conf.",
                    length=MIN_SECRET_LENGTH,
                    variable=SECRET_ENVIRONMENT,
                    option=SECRET_OPTION,
                )
            )
        # sudo: the database's identity keeps the pseudonyms of two databases
        # apart; users may not read system parameters
        namespace = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        return Pseudonymiser(secret, namespace)

    @api.model
    def _get_writer(self, directory=None):
        directory = directory or self._directory()
        if not directory:
            raise UserError(
                self.env._(
                    "The pseudonymised export needs a directory: the environment "
                    "variable %(variable)s or the option %(option)s of odoo.conf.",
                    variable=DIRECTORY_ENVIRONMENT,
                    option=DIRECTORY_OPTION,
                )
            )
        return JsonLinesBatchWriter(directory)

    @api.model
    def _get_consumer(self):
        return self.env["telecom.event.consumer"]._get_consumer(CONSUMER_CODE)
