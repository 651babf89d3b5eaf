"""Pseudonymised export of the event feed: pseudonyms, payload filter, files.

Plain Python, no Odoo: ``telecom.analytics.export`` feeds it the events.

- :class:`Pseudonymiser`: a stable pseudonym per (kind, id), a keyed HMAC
  (SHA-256) whose secret comes from the environment or odoo.conf, never from
  the database: whoever reads the export or the database alone cannot go back
  to the person.
- :func:`sanitise_payload`: keeps the values of an event's payload that carry
  no identity (numbers, booleans, dates, lowercase codes), pseudonymises the
  ids, and drops everything else, and every value equal to a personal value of
  the subscribers concerned.
- :class:`JsonLinesBatchWriter`: one JSON lines file per batch, named by the
  offset of its first event in the feed, written atomically.
"""

import hashlib
import hmac
import json
import os
import re

PSEUDONYM_LENGTH = 32
MIN_SECRET_LENGTH = 32

# values kept as they are: identifiers of states, types, channels ("done",
# "sms", "request.done"), ISO dates, currency and country codes
CODE_VALUE = re.compile(r"[a-z][a-z0-9_.:-]{0,63}|[A-Z]{2,3}")
DATE_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?")
# integers this long may be phone or document numbers
MAX_INTEGER_DIGITS = 9
# payload keys whose values are dropped, whatever they look like
IDENTIFYING_KEY_TOKENS = frozenset(
    {
        "msisdn",
        "iccid",
        "imsi",
        "imei",
        "phone",
        "mobile",
        "email",
        "mail",
        "name",
        "address",
        "street",
        "city",
        "zip",
        "account",
        "document",
        "passport",
        "birthdate",
        "birthday",
        "birth",
        "summary",
        "comment",
        "note",
        "ip",
        "login",
        "ref",
        "reference",
        "description",
        "text",
        "body",
        "subject",
        "vat",
        "inn",
        "snils",
    }
)


def normalise(value):
    """Comparable form of a personal value: lowercase text without spaces."""
    return re.sub(r"\s+", "", str(value)).lower()


def digits(value):
    return re.sub(r"\D", "", str(value))


class ForbiddenValues:
    """The personal values of the subscribers of a batch, to compare with."""

    MIN_DIGITS = 5

    def __init__(self, values):
        values = [value for value in values if value not in (None, False, "")]
        self._texts = {normalise(value) for value in values}
        self._digits = {
            digits(value) for value in values if len(digits(value)) >= self.MIN_DIGITS
        }

    def __contains__(self, value):
        if normalise(value) in self._texts:
            return True
        value_digits = digits(value)
        return len(value_digits) >= self.MIN_DIGITS and value_digits in self._digits


class Pseudonymiser:
    """Stable pseudonyms: HMAC-SHA256(secret, namespace|kind|id), truncated."""

    def __init__(self, secret, namespace):
        if not secret or len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"the pseudonym secret needs at least {MIN_SECRET_LENGTH} characters"
            )
        self._key = secret.encode()
        self.namespace = namespace or ""

    def pseudonym(self, kind, value):
        if not value:
            return None
        message = f"{self.namespace}|{kind}|{value}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).hexdigest()
        return digest[:PSEUDONYM_LENGTH]


def _is_identifying_key(key):
    tokens = re.split(r"[^a-z0-9]+", key.lower())
    return any(token in IDENTIFYING_KEY_TOKENS for token in tokens)


def _scalar(value, forbidden):
    """``value`` if it carries no identity, else None."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if len(str(abs(value))) > MAX_INTEGER_DIGITS or value in forbidden:
            return None
        return value
    if isinstance(value, float):
        return None if value in forbidden else value
    if isinstance(value, str):
        safe = CODE_VALUE.fullmatch(value) or DATE_VALUE.fullmatch(value)
        return value if safe and value not in forbidden else None
    return None


def sanitise_payload(payload, forbidden, pseudonymiser):
    """A copy of the JSON ``payload`` without identity: see the module."""
    if not isinstance(payload, dict):
        return {}
    result = {}
    for key, value in payload.items():
        key = str(key)
        if _is_identifying_key(key):
            continue
        clean = _sanitise_value(key, value, forbidden, pseudonymiser)
        if clean is not None:
            result[key] = clean
    return result


def _sanitise_value(key, value, forbidden, pseudonymiser):
    if isinstance(value, dict):
        return sanitise_payload(value, forbidden, pseudonymiser) or None
    if key.endswith("_id") and isinstance(value, int) and not isinstance(value, bool):
        return pseudonymiser.pseudonym(key, value)
    if isinstance(value, list):
        if key.endswith("_ids"):
            return [
                pseudonymiser.pseudonym(key, item)
                for item in value
                if isinstance(item, int) and not isinstance(item, bool)
            ]
        items = [_sanitise_value(key, item, forbidden, pseudonymiser) for item in value]
        return [item for item in items if item is not None]
    return _scalar(value, forbidden)


class JsonLinesBatchWriter:
    """Batches as ``events-<offset>.jsonl`` files in ``directory``.

    ``offset`` is the position of the batch's first event in the consumer's
    feed (its count of delivered events). A batch is written to a hidden
    temporary file, synced, then renamed: a reader never sees half a file.
    Writing the batch of ``offset`` first removes the files from ``offset``
    on: they come from a run whose transaction did not commit (killed between
    the file and the position) or from before a replay, and the directory
    always holds the feed from offset 0 without gap or duplicate.
    """

    PREFIX = "events-"
    SUFFIX = ".jsonl"
    TEMPORARY_PREFIX = "."

    def __init__(self, directory):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)

    def file_name(self, offset):
        return f"{self.PREFIX}{offset:016d}{self.SUFFIX}"

    def write_batch(self, offset, lines):
        self._discard_from(offset)
        final = os.path.join(self.directory, self.file_name(offset))
        temporary = os.path.join(
            self.directory, f"{self.TEMPORARY_PREFIX}{self.file_name(offset)}.tmp"
        )
        with open(temporary, "w", encoding="utf-8") as stream:
            for line in lines:
                stream.write(self.encode(line))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, final)
        self._sync_directory()
        return final

    @staticmethod
    def encode(line):
        return json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"

    def batches(self):
        """[(offset, path)] of the finished files, in feed order."""
        found = []
        for entry in os.scandir(self.directory):
            offset = self._offset_of(entry.name)
            if offset is not None:
                found.append((offset, entry.path))
        return sorted(found)

    def _offset_of(self, name):
        if not (name.startswith(self.PREFIX) and name.endswith(self.SUFFIX)):
            return None
        number = name[len(self.PREFIX) : -len(self.SUFFIX)]
        return int(number) if number.isdigit() else None

    def _discard_from(self, offset):
        for entry in os.scandir(self.directory):
            stale_offset = self._offset_of(entry.name)
            temporary = entry.name.startswith(self.TEMPORARY_PREFIX + self.PREFIX)
            if temporary or (stale_offset is not None and stale_offset >= offset):
                os.remove(entry.path)

    def _sync_directory(self):
        descriptor = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
