import json
import os
import re
import shutil
import tempfile
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import config, mute_logger

from ..models.telecom_analytics_export import (
    DIRECTORY_ENVIRONMENT,
    SECRET_ENVIRONMENT,
    SECRET_OPTION,
)
from ..tools.pseudonymise import JsonLinesBatchWriter, normalise
from .common import TelecomCommon, make_msisdn

SECRET = "test-secret-of-the-pseudonyms-0123456789"
PSEUDONYM_KEYS = ("subscriber", "service", "request", "source", "user")
PSEUDONYM = re.compile(r"[0-9a-f]{32}")


@tagged("post_install", "-at_install")
class TestAnalyticsExport(TelecomCommon):
    """The event feed leaves the jurisdiction pseudonymised, exactly once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.zone_north.jurisdiction = "RU"
        cls.consumer = cls.env["telecom.event.consumer"].create(
            {
                "name": "Test analytics export",
                "code": "t_analytics_export",
                "event_type_filter": "t.pd.*",
            }
        )
        cls.subscribers = cls.env["res.partner"]
        for index in range(4):
            partner, _account = cls._create_subscriber(
                f"Svetlana Ivanova-{index}",
                email=f"svetlana{index}@example.ru",
                phone=make_msisdn(7_700_000 + index),
                mobile=make_msisdn(7_800_000 + index),
                street=f"Tverskaya {index + 10}",
                city="Arkhangelsk",
                zip=f"16300{index}",
                ref=f"CUST-{index:04d}",
                telecom_birthdate=f"198{index}-03-1{index}",
                telecom_document_type="passport",
                telecom_document_number=f"45 0{index} 61234{index}",
                telecom_document_issuer="GU MVD Arkhangelsk",
                telecom_document_issue_date=f"200{index}-05-20",
            )
            cls.subscribers |= partner
        cls.Export = cls.env["telecom.analytics.export"]

    def setUp(self):
        super().setUp()
        self.directory = tempfile.mkdtemp(prefix="telecom-export-")
        self.addCleanup(shutil.rmtree, self.directory, ignore_errors=True)
        secret = patch.dict(os.environ, {SECRET_ENVIRONMENT: SECRET})
        secret.start()
        self.addCleanup(secret.stop)

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _emit(self, count, first_txid=3):
        """``count`` events of the subscribers, produced by a front-office agent,
        as if their transactions had committed long ago; their payloads hold
        what producers put there, identifying data included."""
        Event = self.env["telecom.event"].with_user(self.front_office)
        vals_list = []
        for index in range(count):
            partner = self.subscribers[index % len(self.subscribers)]
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "res_model": "res.partner",
                    "res_id": partner.id,
                    "summary": f"{partner.name}: passport changed",
                    "payload": {
                        "msisdn": partner.mobile,
                        "account": partner.ref,
                        "customer": partner.name,
                        "contact": {"to": partner.email, "channel": "sms"},
                        "holder": partner.name.upper(),
                        "number": int(re.sub(r"\D", "", partner.phone)),
                        "identity": partner.sudo().telecom_document_number,
                        "born": str(partner.sudo().telecom_birthdate),
                        "where": f"{partner.street}, {partner.city}",
                        "state": "done",
                        "amount": 150.5,
                        "occurred_at": "2026-11-02 10:15:00",
                        "interaction_id": 4242,
                        "region_ids": [self.zone_north.id],
                    },
                }
            )
        events = Event._emit("t.pd.fact", vals_list)
        self.env.flush_all()
        for offset, event in enumerate(events):
            self.env.cr.execute(
                "UPDATE telecom_event SET txid = %s WHERE id = %s",
                [first_txid + offset, event.id],
            )
        events.invalidate_recordset(["txid"])
        return events

    def _export_all(self, directory=None, limit=4):
        writer = JsonLinesBatchWriter(directory or self.directory)
        total = 0
        for _batch in range(100):
            count = self.Export._export_batch(self.consumer, writer, limit=limit)
            total += count
            if not count:
                return total
        self.fail("the export never ended")

    def _lines(self, directory=None):
        """Every exported line, file by file, with the offset of its file."""
        lines = []
        for offset, path in JsonLinesBatchWriter(directory or self.directory).batches():
            with open(path, encoding="utf-8") as stream:
                batch = [json.loads(line) for line in stream]
            self.assertEqual(batch[0]["offset"], offset, path)
            lines.extend(batch)
        return lines

    def _personal_values(self):
        """The values of the declared personal fields and direct identifiers."""
        partners = self.subscribers.sudo()
        values = set()
        for name in partners._telecom_export_forbidden_fields():
            for value in partners.mapped(name):
                if value:
                    values.add(normalise(value))
        return values

    def _scalars(self, value, key=""):
        if isinstance(value, dict):
            for child_key, child in value.items():
                yield from self._scalars(child, child_key)
        elif isinstance(value, list):
            for child in value:
                yield from self._scalars(child, key)
        else:
            yield key, value

    # ------------------------------------------------------------------
    # tests
    # ------------------------------------------------------------------
    def test_export_holds_no_personal_data(self):
        events = self._emit(8)
        self.assertEqual(self._export_all(), 8)
        lines = self._lines()
        self.assertEqual([line["event_id"] for line in lines], events.ids)
        personal = self._personal_values()
        self.assertIn(
            normalise(self.subscribers[0].sudo().telecom_document_number), personal
        )
        checked = 0
        for line in lines:
            self.assertNotIn("summary", line)
            for key, value in self._scalars(line):
                if value is None or isinstance(value, bool):
                    continue
                text = normalise(value)
                self.assertNotIn(text, personal, f"{key}: {value!r}")
                if key in ("database", "offset", "event_id", "company_id"):
                    continue  # the database's uuid and internal ids
                if key in PSEUDONYM_KEYS or key.endswith(("_id", "_ids")):
                    self.assertRegex(str(value), PSEUDONYM)
                    continue
                digits = re.sub(r"\D", "", text)
                for known in personal:
                    known_digits = re.sub(r"\D", "", known)
                    self.assertFalse(
                        (len(known) >= 4 and known in text)
                        or (len(digits) >= 5 and digits in known_digits)
                        or (len(known_digits) >= 5 and known_digits in digits),
                        f"{key}: {value!r} holds {known!r}",
                    )
                checked += 1
        self.assertGreater(checked, 0)
        # what carries no identity is kept for the analytics
        payload = lines[0]["payload"]
        self.assertEqual(payload["state"], "done")
        self.assertEqual(payload["amount"], 150.5)
        self.assertEqual(payload["contact"], {"channel": "sms"})
        self.assertEqual(payload["occurred_at"], "2026-11-02 10:15:00")
        self.assertEqual((lines[0]["zone"], lines[0]["jurisdiction"]), ("T-NC", "RU"))
        self.assertNotIn(lines[0]["user"], (None, self.front_office.id))

    def test_interrupted_export_resumes_without_gap_or_duplicate(self):
        events = self._emit(10)
        writer = JsonLinesBatchWriter(self.directory)
        self.assertEqual(self.Export._export_batch(self.consumer, writer, limit=4), 4)

        # killed after the file of the second batch, before its commit
        original_write = JsonLinesBatchWriter.write_batch

        def write_then_die(writer_self, offset, lines):
            original_write(writer_self, offset, lines)
            raise RuntimeError("killed before the commit")

        with (
            patch.object(JsonLinesBatchWriter, "write_batch", write_then_die),
            self.assertRaises(RuntimeError),
        ):
            self.Export._export_batch(self.consumer, writer, limit=4)
        self.assertEqual([offset for offset, _path in writer.batches()], [0, 4])

        # killed in the middle of writing the next try
        original_encode = JsonLinesBatchWriter.encode
        written = []

        def encode_then_die(line):
            if len(written) == 2:
                raise RuntimeError("killed mid-batch")
            written.append(line)
            return original_encode(line)

        with (
            patch.object(JsonLinesBatchWriter, "encode", staticmethod(encode_then_die)),
            self.assertRaises(RuntimeError),
        ):
            self.Export._export_batch(self.consumer, writer, limit=5)

        # an event committed meanwhile joins the feed
        late = self._emit(1, first_txid=100)
        self.assertEqual(self._export_all(limit=3), 7)

        lines = self._lines()
        self.assertEqual([line["event_id"] for line in lines], (events | late).ids)
        self.assertEqual([line["offset"] for line in lines], list(range(11)))
        self.assertFalse(
            [name for name in os.listdir(self.directory) if name.endswith(".tmp")]
        )
        self.assertEqual(self.consumer.acknowledged_count, 11)

    def test_pseudonyms_are_stable_across_runs_and_keyed_by_the_secret(self):
        self._emit(6)
        self._export_all()
        first = {line["event_id"]: line["subscriber"] for line in self._lines()}
        self.assertEqual(len(set(first.values())), 4)

        # a replay into the same directory rewrites it identically
        self.consumer.action_reset_position()
        self._export_all(limit=5)
        lines = self._lines()
        self.assertEqual(len(lines), 6)
        self.assertEqual(
            {line["event_id"]: line["subscriber"] for line in lines}, first
        )

        other_directory = tempfile.mkdtemp(prefix="telecom-export-")
        self.addCleanup(shutil.rmtree, other_directory, ignore_errors=True)
        self.consumer.action_reset_position()
        with patch.dict(os.environ, {SECRET_ENVIRONMENT: SECRET[::-1]}):
            self._export_all(other_directory)
        other = {
            line["event_id"]: line["subscriber"]
            for line in self._lines(other_directory)
        }
        self.assertEqual(set(other), set(first))
        self.assertFalse(set(other.values()) & set(first.values()))

    def test_secret_is_required_and_never_stored(self):
        self._emit(2)
        with (
            patch.dict(os.environ, {SECRET_ENVIRONMENT: ""}),
            patch.dict(config.options, {SECRET_OPTION: ""}),
            self.assertRaises(UserError),
        ):
            self.Export._export_batch(
                self.consumer, JsonLinesBatchWriter(self.directory)
            )
        self.assertEqual(self.consumer.acknowledged_count, 0)
        self._export_all()
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT count(*) FROM ir_config_parameter WHERE value LIKE %s",
            [f"%{SECRET}%"],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_cron_exports_into_the_configured_directory(self):
        self._emit(3)
        consumer = self.Export._get_consumer()
        offset = consumer.acknowledged_count
        with patch.dict(os.environ, {DIRECTORY_ENVIRONMENT: self.directory}):
            self.assertGreaterEqual(self.Export._cron_export(batch_size=100000), 3)
        self.assertEqual(JsonLinesBatchWriter(self.directory).batches()[0][0], offset)
        with (
            patch.dict(os.environ, {DIRECTORY_ENVIRONMENT: ""}),
            mute_logger(
                "odoo.addons.telecom_subscriber.models.telecom_analytics_export"
            ),
        ):
            self.assertEqual(self.Export._cron_export(), 0)
