import base64
import csv
import io
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.telecom_import import TelecomImport
from ..models.telecom_import_batch import TelecomImportBatch
from ..tools.billing_csv import COLUMNS
from ..tools.numbering import normalize_msisdn
from .common import TelecomCommon, make_iccid, make_msisdn

FIRST_SERIAL = 9_000_000


def number(index):
    return make_msisdn(FIRST_SERIAL + index)


def sim(index):
    return make_iccid(FIRST_SERIAL + index)


def bad_luhn(iccid):
    return iccid[:-1] + str((int(iccid[-1]) + 1) % 10)


@tagged("post_install", "-at_install")
class TestBillingImport(TelecomCommon):
    """Bulk import of subscribers, accounts and services from a billing CSV."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Import = cls.env["telecom.import"].with_user(cls.supervisor)
        # a live line already in the database, its number must not be imported again
        holder, holder_account = cls._create_subscriber("Existing Holder")
        cls.existing_line = cls._activate_line(holder_account)

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    @staticmethod
    def _row(**values):
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            customer_id="C-1",
            subscriber_name="Ivan Petrov",
            region_code="T-NC",
            account_number="A-1",
            service_type="mobile",
            tariff_code="T-TAR-BASIC",
            status="active",
        )
        row.update(values)
        return row

    def _good_rows(self):
        """Lines 2 to 5: one person with two accounts and three services, a company."""
        return [
            self._row(
                subscriber_type="person",
                phone="8 916 100-00-01",
                email="ivan@example.com",
                billing_id="B-1",
                msisdn=number(1),
                iccid=sim(1),
                imsi="250011234567890",
                access_technology="lte",
                option_codes="T-OPT-ROAM|T-OPT-DATA",
                activation_date="2024-01-15",
            ),
            self._row(
                msisdn=number(2),
                iccid=sim(2),
                tariff_code="T-TAR-UNLIM",
                option_codes="T-OPT-ROAM",
                status="blocked",
                block_reason="debt",
                activation_date="2023-05-01",
            ),
            self._row(
                account_number="A-2",
                service_type="broadband",
                installation_address="North City, Main st 1",
                access_technology="ftth",
                tariff_code="T-TAR-HOME",
                status="pending",
            ),
            self._row(
                customer_id="C-2",
                subscriber_name="Acme LLC",
                subscriber_type="company",
                region_code="T-N",
                account_number="A-3",
                msisdn=number(3),
                status="terminated",
                activation_date="2020-01-01",
            ),
        ]

    def _bad_rows(self):
        """Lines 6 to 22, each with the column and message expected."""
        live_msisdn = self.existing_line.msisdn
        return [
            (
                self._row(
                    customer_id="C-3",
                    region_code="XX",
                    account_number="A-5",
                    msisdn=number(13),
                ),
                "region_code",
                "Unknown zone code XX",
            ),
            (
                self._row(msisdn=number(4), tariff_code="NOPE"),
                "tariff_code",
                "Unknown tariff code NOPE",
            ),
            (
                self._row(
                    msisdn=number(5),
                    tariff_code="T-TAR-UNLIM",
                    option_codes="T-OPT-DATA",
                ),
                "option_codes",
                "Option T-OPT-DATA cannot be added to tariff T-TAR-UNLIM",
            ),
            (self._row(msisdn="12345"), "msisdn", "12345"),
            (
                self._row(msisdn=number(6), iccid=bad_luhn(sim(6))),
                "iccid",
                "check digit",
            ),
            (self._row(msisdn=number(1)), "msisdn", "already appears on line 2"),
            (self._row(), "msisdn", "A mobile line needs an MSISDN"),
            (
                self._row(msisdn=number(7), status="frozen"),
                "status",
                "is not a valid status",
            ),
            (
                self._row(msisdn=number(8), activation_date="2024-13-45"),
                "activation_date",
                "YYYY-MM-DD",
            ),
            (
                self._row(msisdn=number(9), subscriber_type="company"),
                "subscriber_type",
                "already registered as a person",
            ),
            (
                self._row(msisdn=live_msisdn),
                "msisdn",
                "already used by another service",
            ),
            (
                self._row(
                    customer_id="C-4",
                    region_code="T-S",
                    account_number="A-4",
                    msisdn=number(10),
                ),
                "region_code",
                "is not one of your zones",
            ),
            (
                self._row(
                    customer_id="C-5", account_number="A-6", service_type="satellite"
                ),
                "service_type",
                "is not a valid service_type",
            ),
            (
                self._row(
                    customer_id="C-6",
                    account_number="A-7",
                    phone="123",
                    msisdn=number(11),
                ),
                "phone",
                "123",
            ),
            (
                self._row(customer_id="C-7", account_number="A-3", msisdn=number(12)),
                "account_number",
                "Account A-3 belongs to another subscriber",
            ),
            (
                self._row(msisdn=number(14), tariff_code="T-OPT-ROAM"),
                "tariff_code",
                "T-OPT-ROAM is not a tariff plan",
            ),
            (
                self._row(
                    customer_id="C-8",
                    account_number="A-8",
                    msisdn="abc",
                    tariff_code="NOPE2",
                ),
                "tariff_code",
                "Unknown tariff code NOPE2",
            ),
        ]

    def _mixed_file(self):
        return self._good_rows() + [row for row, _column, _message in self._bad_rows()]

    @staticmethod
    def _csv(rows, delimiter=";", columns=COLUMNS, bom=False):
        stream = io.StringIO()
        writer = csv.writer(stream, delimiter=delimiter, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(column, "") for column in columns])
        data = stream.getvalue().encode()
        return (b"\xef\xbb\xbf" + data) if bom else data

    def _new_import(self, data, env_model=None):
        return (self.Import if env_model is None else env_model).create(
            {
                "name": "Pilot",
                "file": base64.b64encode(data),
                "file_name": "billing.csv",
            }
        )

    def _run_cron(self, chunk_size):
        """Call the cron method as ir.cron does: again while rows remain."""
        Import = self.env["telecom.import"]
        cron = self.env.ref("telecom_subscriber.ir_cron_telecom_import")
        for _call in range(100):
            cron, progress = cron._add_progress()
            Import.with_context(ir_cron_progress_id=progress.id)._cron_process_imports(
                chunk_size=chunk_size
            )
            if not progress.remaining:
                return
        self.fail("the cron never finished the import")

    def _import_result(self, job):
        """Everything an import produced, as plain data (to compare two runs)."""
        services = self.env["telecom.service"].search(
            [("partner_id.ref", "in", ["C-1", "C-2"])], order="id"
        )
        return {
            "counters": (job.imported_count, job.skipped_count, job.error_count),
            "errors": sorted(
                (error.line_number, error.column or "", error.message, error.level)
                for error in job.error_ids
            ),
            "services": [
                (
                    service.partner_id.ref,
                    service.account_id.name,
                    service.service_type,
                    service.state,
                    service.msisdn,
                    service.tariff_id.telecom_billing_code,
                    sorted(service.option_ids.mapped("telecom_billing_code")),
                )
                for service in services
            ],
        }

    # ------------------------------------------------------------------
    # tests
    # ------------------------------------------------------------------
    def test_good_rows_imported_bad_rows_reported(self):
        job = self._new_import(self._csv(self._mixed_file()))
        job.action_process_now()

        self.assertEqual(job.state, "done")
        self.assertEqual(job.row_count, 21)
        self.assertEqual(job.imported_count, 4)
        self.assertEqual(job.error_count, 17)
        self.assertEqual(job.skipped_count, 0)
        # every bad row is reported on its line, with its column and reason
        errors = {}
        for error in job.error_ids:
            self.assertEqual(error.level, "error")
            errors.setdefault(error.line_number, []).append(error)
        self.assertEqual(sorted(errors), list(range(6, 23)))
        for line_number, (row, column, message) in enumerate(self._bad_rows(), start=6):
            found = [(error.column, error.message) for error in errors[line_number]]
            self.assertTrue(
                any(col == column and message in text for col, text in found),
                f"line {line_number}: expected {column}: {message!r}, got {found}",
            )
            if column in row:
                match = next(
                    error for error in errors[line_number] if error.column == column
                )
                self.assertEqual(match.value or "", row[column])
        # a row with two bad columns gets one error per column
        self.assertEqual(
            sorted(error.column for error in errors[22]), ["msisdn", "tariff_code"]
        )

        # the subscriber of lines 2-4: once, two accounts, three services
        ivan = self.env["res.partner"].search([("ref", "=", "C-1")])
        self.assertEqual(len(ivan), 1)
        self.assertTrue(ivan.telecom_is_subscriber)
        self.assertFalse(ivan.is_company)
        self.assertEqual(ivan.telecom_segment, "mass")
        self.assertEqual(ivan.telecom_region_id, self.zone_north_city)
        self.assertEqual(ivan.phone, "+79161000001")
        self.assertEqual(ivan.email, "ivan@example.com")
        self.assertEqual(
            sorted(ivan.telecom_account_ids.mapped("name")), ["A-1", "A-2"]
        )
        account_1 = ivan.telecom_account_ids.filtered(
            lambda account: account.name == "A-1"
        )
        self.assertEqual(account_1.billing_reference, "B-1")
        self.assertEqual(account_1.company_id, self.company)
        services = ivan.telecom_service_ids.sorted("id")
        self.assertEqual(services.mapped("state"), ["active", "blocked", "pending"])
        line, blocked, access = services
        self.assertEqual(line.msisdn, number(1))
        self.assertEqual(line.iccid, sim(1))
        self.assertEqual(line.imsi, "250011234567890")
        self.assertEqual(line.tariff_id, self.tariff_basic)
        self.assertEqual(line.option_ids, self.option_roaming | self.option_data)
        self.assertEqual(str(line.activation_date), "2024-01-15")
        self.assertEqual(line.access_technology, "lte")
        self.assertEqual(line.region_id, self.zone_north_city)
        self.assertEqual(blocked.block_reason, "debt")
        self.assertEqual(blocked.tariff_id, self.tariff_unlimited)
        self.assertEqual(access.service_type, "broadband")
        self.assertEqual(access.installation_address, "North City, Main st 1")
        self.assertEqual(access.account_id.name, "A-2")
        self.assertTrue(line.reference and line.reference != blocked.reference)
        # the status history starts with the imported status
        for service in services:
            self.assertEqual(service.state_log_ids.mapped("state"), [service.state])
            self.assertEqual(service.state_log_ids.user_id, self.supervisor)

        acme = self.env["res.partner"].search([("ref", "=", "C-2")])
        self.assertTrue(acme.is_company)
        self.assertEqual(acme.telecom_segment, "b2b")
        self.assertEqual(acme.telecom_service_ids.state, "terminated")

        # nothing partial for a bad row: no subscriber, account or service of theirs
        bad_refs = ["C-3", "C-4", "C-5", "C-6", "C-7", "C-8"]
        self.assertFalse(self.env["res.partner"].search([("ref", "in", bad_refs)]))
        bad_accounts = ["A-4", "A-5", "A-6", "A-7", "A-8"]
        self.assertFalse(
            self.env["telecom.account"].search([("name", "in", bad_accounts)])
        )
        self.assertFalse(
            self.env["telecom.service"].search(
                [("msisdn", "in", [number(index) for index in range(4, 15)])]
            )
        )
        self.assertEqual(
            self.env["telecom.service"].search_count(
                [("msisdn", "=", self.existing_line.msisdn)]
            ),
            1,
        )
        self.assertIn("4 services imported", job.message_ids[0].body)

    def test_numbers_in_any_spelling_are_normalised_as_the_form_does(self):
        """The checks SQL makes on the staged rows give what numbering.py gives."""
        spellings = [
            ("8 (916) 100-00-21", "+79161000021"),
            ("+7 916 100 00 22", "+79161000022"),
            ("9161000023", "+79161000023"),
            ("0079161000024", "+79161000024"),
            ("79161000025", "+79161000025"),  # through phonenumbers
        ]
        rows = [
            self._row(
                customer_id=f"N-{index}",
                account_number=f"NA-{index}",
                msisdn=spelling,
                phone=spelling,
                iccid=" ".join(sim(30 + index)[i : i + 4] for i in range(0, 19, 4)),
                imsi=f"25001 {index:010d}",
                email=f"Person.{index}+Tag@Example.COM",
            )
            for index, (spelling, _e164) in enumerate(spellings)
        ]
        rows.append(
            self._row(customer_id="N-9", account_number="NA-9", msisdn="+7 000 1")
        )
        job = self._new_import(self._csv(rows))
        job.action_process_now()
        self.assertEqual((job.imported_count, job.error_count), (5, 1))
        self.assertIn("+7 000 1", job.error_ids.message)
        for index, (spelling, e164) in enumerate(spellings):
            self.assertEqual(normalize_msisdn(self.env, spelling), e164)
            partner = self.env["res.partner"].search([("ref", "=", f"N-{index}")])
            service = partner.telecom_service_ids
            self.assertEqual(service.msisdn, e164)
            self.assertEqual(service.name, e164)
            self.assertEqual(service.iccid, sim(30 + index))
            self.assertEqual(service.imsi, f"25001{index:010d}")
            self.assertEqual(partner.phone, e164)
            self.assertEqual(partner.phone_sanitized, e164)
            self.assertEqual(partner.email, f"Person.{index}+Tag@Example.COM")
            self.assertEqual(
                partner.email_normalized, f"person.{index}+tag@example.com"
            )
            self.assertEqual(partner.commercial_partner_id, partner)
            self.assertEqual(partner.complete_name, "Ivan Petrov")
            self.assertEqual(service.account_id.payer_id, partner)

    def test_every_row_is_imported_or_reported_across_chunks(self):
        """Nothing is lost: each line is imported, skipped or rejected, once."""
        rows, bad_lines = [], set()
        for index in range(120):
            values = {
                "customer_id": f"L-{index // 2}",
                "account_number": f"LA-{index // 2}",
                "msisdn": number(300 + index),
                "iccid": sim(300 + index),
            }
            if index % 7 == 3:
                values["iccid"] = bad_luhn(values["iccid"])
                bad_lines.add(index + 2)
            elif index % 11 == 5:
                values["tariff_code"] = "NOPE"
                bad_lines.add(index + 2)
            rows.append(self._row(**values))
        job = self._new_import(self._csv(rows))
        job.action_start()
        self._run_cron(chunk_size=25)
        self.assertEqual(job.state, "done")
        self.assertEqual(job.row_count, 120)
        self.assertEqual(
            job.imported_count + job.skipped_count + job.error_count, job.row_count
        )
        self.assertEqual(set(job.error_ids.mapped("line_number")), bad_lines)
        self.assertEqual(job.error_count, len(bad_lines))
        imported = self.env["telecom.service"].search(
            [("msisdn", "in", [number(300 + index) for index in range(120)])]
        )
        self.assertEqual(len(imported), 120 - len(bad_lines))
        self.assertEqual(
            sorted(int(msisdn[-3:]) - 300 + 2 for msisdn in imported.mapped("msisdn")),
            sorted(set(range(2, 122)) - bad_lines),
        )
        # the staged rows of a finished import are gone
        self.env.cr.execute(
            "SELECT count(*) FROM telecom_import_row WHERE import_id = %s", [job.id]
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_reimport_creates_no_duplicates(self):
        data = self._csv(self._mixed_file())
        self._new_import(data).action_process_now()
        partners = self.env["res.partner"].search_count([("ref", "in", ["C-1", "C-2"])])
        accounts = self.env["telecom.account"].search_count([("name", "like", "A-")])
        services = self.env["telecom.service"].search_count([])

        again = self._new_import(data)
        again.action_process_now()

        self.assertEqual(again.imported_count, 0)
        self.assertEqual(again.skipped_count, 4)
        self.assertEqual(again.error_count, 17)
        skipped = again.error_ids.filtered(lambda error: error.level == "skipped")
        self.assertEqual(sorted(skipped.mapped("line_number")), [2, 3, 4, 5])
        self.assertTrue(
            all("Already imported" in message for message in skipped.mapped("message"))
        )
        self.assertEqual(
            self.env["res.partner"].search_count([("ref", "in", ["C-1", "C-2"])]),
            partners,
        )
        self.assertEqual(
            self.env["telecom.account"].search_count([("name", "like", "A-")]), accounts
        )
        self.assertEqual(self.env["telecom.service"].search_count([]), services)

    def test_header_missing_column_fails_clearly(self):
        columns = [column for column in COLUMNS if column != "tariff_code"]
        job = self._new_import(self._csv(self._good_rows(), columns=columns))
        for action in (job.action_process_now, job.action_start):
            with self.assertRaisesRegex(UserError, "required columns: tariff_code"):
                action()
        self.assertEqual(job.state, "draft")
        self.assertFalse(
            self.env["res.partner"].search([("ref", "in", ["C-1", "C-2"])])
        )

    def test_unreadable_files_fail_clearly(self):
        latin1 = (
            self._csv([self._row(subscriber_name="Jérôme")]).decode().encode("latin-1")
        )
        with self.assertRaisesRegex(UserError, "not UTF-8"):
            self._new_import(latin1).action_process_now()
        with self.assertRaisesRegex(UserError, "empty"):
            self._new_import(b"\n\n").action_process_now()

    def test_comma_delimiter_and_bom(self):
        job = self._new_import(self._csv(self._good_rows(), delimiter=",", bom=True))
        job.action_process_now()
        self.assertEqual((job.imported_count, job.error_count), (4, 0))
        self.assertEqual(
            self.env["res.partner"].search([("ref", "=", "C-1")]).name, "Ivan Petrov"
        )

    def test_background_chunks_match_synchronous_import(self):
        data = self._csv(self._mixed_file())
        savepoint = self.env.cr.savepoint()
        job = self._new_import(data)
        job.action_process_now()
        synchronous = self._import_result(job)
        savepoint.close(rollback=True)
        self.assertFalse(self.env["res.partner"].search([("ref", "=", "C-1")]))

        job = self._new_import(data)
        job.action_start()
        self.assertEqual(job.state, "queued")
        self._run_cron(chunk_size=3)

        self.assertEqual(job.state, "done")
        self.assertEqual(job.next_row, job.row_count)
        self.assertEqual(self._import_result(job), synchronous)

    def test_cron_reports_progress_per_chunk(self):
        job = self._new_import(self._csv(self._mixed_file()))
        job.action_start()
        cron = self.env.ref("telecom_subscriber.ir_cron_telecom_import")
        cron, progress = cron._add_progress()
        self.env["telecom.import"].with_context(
            ir_cron_progress_id=progress.id
        )._cron_process_imports(chunk_size=5)
        self.assertEqual(job.state, "running")
        self.assertEqual(job.next_row, 5)
        self.assertEqual((progress.done, progress.remaining), (5, 16))
        self.assertAlmostEqual(job.progress, 100 * 5 / 21)

    def test_resume_after_lost_progress_skips_imported_rows(self):
        job = self._new_import(self._csv(self._mixed_file()))
        job.action_start()
        start = (job.next_offset, job.next_line)
        self.env["telecom.import"]._cron_process_imports(chunk_size=3)
        self.assertEqual(job.imported_count, 3)
        # a crash between the creation and the counter update: rows 2-4 run again
        job.sudo().write(
            {
                "next_row": 0,
                "next_offset": start[0],
                "next_line": start[1],
                "imported_count": 0,
            }
        )
        self._run_cron(chunk_size=3)

        self.assertEqual(job.imported_count, 1)
        skipped = job.error_ids.filtered(lambda error: error.level == "skipped")
        self.assertEqual(sorted(skipped.mapped("line_number")), [2, 3, 4])
        for index in (1, 2):
            self.assertEqual(
                self.env["telecom.service"].search_count(
                    [("msisdn", "=", number(index))]
                ),
                1,
            )
        self.assertEqual(len(self.env["res.partner"].search([("ref", "=", "C-1")])), 1)

    def test_failed_chunk_stops_the_job_and_resumes(self):
        job = self._new_import(self._csv(self._mixed_file()))
        job.action_start()
        self.env["telecom.import"]._cron_process_imports(chunk_size=3)
        with patch.object(
            TelecomImportBatch,
            "_create_from_chunk",
            side_effect=RuntimeError("disk full"),
        ):
            self.env["telecom.import"]._cron_process_imports(chunk_size=3)
        self.assertEqual(job.state, "failed")
        self.assertIn("disk full", job.failure_message)
        self.assertEqual(job.next_row, 3)  # the failed chunk left nothing behind
        self.assertFalse(self.env["res.partner"].search([("ref", "=", "C-2")]))

        job.action_start()
        self._run_cron(chunk_size=3)
        self.assertEqual(job.state, "done")
        self.assertEqual((job.imported_count, job.error_count), (4, 17))

    def test_row_rejected_by_the_database_costs_only_itself(self):
        """A row the validation lets through but the database refuses fails alone."""
        taken = self._row(
            customer_id="C-9",
            account_number="A-9",
            msisdn=self.existing_line.msisdn,
        )
        job = self._new_import(self._csv(self._good_rows() + [taken]))
        # the check of numbers held by live services misses the taken number:
        # the batch hits the database's live-number constraint
        with (
            patch.object(TelecomImportBatch, "_check_live_identifiers"),
            mute_logger("odoo.sql_db"),
        ):
            job.action_process_now()
        self.assertEqual((job.imported_count, job.error_count), (4, 1))
        self.assertEqual(job.error_ids.line_number, 6)
        self.assertIn("could not be saved", job.error_ids.message)
        self.assertIn("MSISDN", job.error_ids.message)
        self.assertEqual(
            len(
                self.env["res.partner"]
                .search([("ref", "=", "C-1")])
                .telecom_service_ids
            ),
            3,
        )
        self.assertFalse(self.env["res.partner"].search([("ref", "=", "C-9")]))

    def test_big_files_go_to_the_background(self):
        job = self._new_import(self._csv(self._good_rows()))
        with patch.object(TelecomImport, "_sync_row_limit", 3):
            with self.assertRaisesRegex(UserError, "Start in Background"):
                job.action_process_now()
            job.action_start()
        self.assertEqual(job.state, "queued")
        with self.assertRaises(UserError):
            job.write({"file": base64.b64encode(b"customer_id\n")})

    def test_queries_do_not_grow_with_rows(self):
        def queries_for(count, first):
            rows = [
                self._row(
                    customer_id=f"Q-{first + index}",
                    account_number=f"QA-{first + index}",
                    phone=number(100 + first + index),
                    msisdn=number(200 + first + index),
                    iccid=sim(200 + first + index),
                    option_codes="T-OPT-ROAM",
                )
                for index in range(count)
            ]
            job = self._new_import(self._csv(rows))
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            job.action_process_now()
            self.env.flush_all()
            self.assertEqual(job.imported_count, count)
            return self.env.cr.sql_log_count - before

        queries_for(2, 5000)  # warm the ORM caches (rules, access rights, sequences)
        small = queries_for(5, 0)
        large = queries_for(50, 1000)
        # one statement per kind of check or record, whatever the rows
        self.assertLessEqual(large - small, 2, f"{small} for 5 rows, {large} for 50")
        self.assertLess(large, 150)

    def test_only_supervisors_import(self):
        job = self._new_import(self._csv(self._good_rows()))
        Import = self.env["telecom.import"].with_user(self.front_office)
        with self.assertRaises(AccessError):
            self._new_import(self._csv(self._good_rows()), env_model=Import)
        with self.assertRaises(AccessError):
            job.with_user(self.front_office).action_process_now()
        with self.assertRaises(AccessError):
            job.with_user(self.front_office).read(["state"])
        self.assertFalse(self.env["res.partner"].search([("ref", "=", "C-1")]))

    def test_template_lists_every_column(self):
        template = self.env.ref("telecom_subscriber.telecom_import_template")
        header = template.raw.decode().splitlines()[0]
        self.assertEqual(header.split(";"), list(COLUMNS))
        self.assertTrue(template.public)
