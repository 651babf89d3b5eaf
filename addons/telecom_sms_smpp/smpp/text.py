"""Short message bodies: GSM 03.38 or UCS-2, split into concatenated parts.

A text every character of which is in the GSM 03.38 default alphabet (or its
extension table, two septets each) leaves as data_coding 0x00, unpacked (one septet
per octet, as SMPP carries it): 160 septets in one message, 153 per part when it
must be split. Any other text (Cyrillic…) leaves as UCS-2, data_coding 0x08
(UTF-16 big-endian): 70 code units in one message, 67 per part. Parts carry an
8-bit concatenation element in their user data header (``05 00 03 ref total seq``)
and esm_class 0x40; an escape sequence or a surrogate pair is never cut in two.
"""

from .pdu import GSM7_BASIC, GSM7_EXTENSION

DATA_CODING_GSM7 = 0x00
DATA_CODING_UCS2 = 0x08
ESM_CLASS_UDHI = 0x40

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

_GSM7_BASIC = {char: code for code, char in enumerate(GSM7_BASIC) if code != 0x1B}
_GSM7_EXTENSION = {char: code for code, char in GSM7_EXTENSION.items()}


def is_gsm7(text):
    return all(char in _GSM7_BASIC or char in _GSM7_EXTENSION for char in text)


def _gsm7_units(text):
    """Encoded septets of each character (1 or 2)."""
    units = []
    for char in text:
        if char in _GSM7_BASIC:
            units.append(bytes([_GSM7_BASIC[char]]))
        else:
            units.append(bytes([0x1B, _GSM7_EXTENSION[char]]))
    return units


def _ucs2_units(text):
    """UTF-16BE of each character (2 octets, 4 for a surrogate pair)."""
    return [char.encode("utf-16-be") for char in text]


def _split(units, single, part, unit_size):
    """Group encoded characters in chunks of at most ``single`` (``part``) units."""
    total = sum(len(unit) for unit in units) // unit_size
    limit = single if total <= single else part
    chunks, current, size = [], [], 0
    for unit in units:
        length = len(unit) // unit_size
        if size + length > limit:
            chunks.append(b"".join(current))
            current, size = [], 0
        current.append(unit)
        size += length
    if current or not chunks:
        chunks.append(b"".join(current))
    return chunks


def encode_parts(text, reference):
    """(data_coding, [(esm_class, short_message)]) of ``text``.

    ``reference`` (0-255) identifies the concatenated message on the handset; it
    should differ between long messages to the same number sent close together.
    """
    text = text or ""
    if is_gsm7(text):
        data_coding = DATA_CODING_GSM7
        chunks = _split(_gsm7_units(text), GSM7_SINGLE, GSM7_PART, 1)
    else:
        data_coding = DATA_CODING_UCS2
        chunks = _split(_ucs2_units(text), UCS2_SINGLE, UCS2_PART, 2)
    if len(chunks) == 1:
        return data_coding, [(0, chunks[0])]
    if len(chunks) > 255:
        raise ValueError("a text of more than 255 parts cannot be concatenated")
    total = len(chunks)
    parts = [
        (ESM_CLASS_UDHI, bytes([5, 0, 3, reference % 256, total, sequence]) + chunk)
        for sequence, chunk in enumerate(chunks, start=1)
    ]
    return data_coding, parts


def count_parts(text):
    """How many short messages ``text`` takes."""
    return len(encode_parts(text, 0)[1])
