"""SMPP 3.4 PDUs: the few the simulated SMSC speaks (standard library only).

A PDU is a 16-byte header (command_length, command_id, command_status,
sequence_number, big-endian) and a body of C-octet strings, integers and, for
submit_sm/deliver_sm, optional TLVs.
"""

import struct

HEADER = struct.Struct(">IIII")
MAX_PDU_BYTES = 64 * 1024

GENERIC_NACK = 0x80000000
BIND_RECEIVER = 0x00000001
BIND_TRANSMITTER = 0x00000002
SUBMIT_SM = 0x00000004
DELIVER_SM = 0x00000005
UNBIND = 0x00000006
BIND_TRANSCEIVER = 0x00000009
ENQUIRE_LINK = 0x00000015
RESP = 0x80000000

BINDS = {
    BIND_RECEIVER: "receiver",
    BIND_TRANSMITTER: "transmitter",
    BIND_TRANSCEIVER: "transceiver",
}

ESME_ROK = 0x00
ESME_RINVMSGLEN = 0x01
ESME_RINVCMDLEN = 0x02
ESME_RINVCMDID = 0x03
ESME_RINVBNDSTS = 0x04
ESME_RALYBND = 0x05
ESME_RSYSERR = 0x08
ESME_RINVDSTADR = 0x0B
ESME_RBINDFAIL = 0x0D
ESME_RINVPASWD = 0x0E
ESME_RINVSYSID = 0x0F
ESME_RMSGQFUL = 0x14
ESME_RTHROTTLED = 0x58

TLV_RECEIPTED_MESSAGE_ID = 0x001E
TLV_MESSAGE_STATE = 0x0427

ESM_CLASS_RECEIPT = 0x04
ESM_CLASS_UDHI = 0x40

# message_state TLV values (SMPP 3.4, 5.3.2.35)
MESSAGE_STATES = {
    "DELIVRD": 2,
    "EXPIRED": 3,
    "DELETED": 4,
    "UNDELIV": 5,
    "ACCEPTD": 6,
    "UNKNOWN": 7,
    "REJECTD": 8,
}

# GSM 03.38 default alphabet (unpacked: one septet per octet) and its extension
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = {
    0x0A: "\f",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}


class PduError(Exception):
    """A PDU that cannot be decoded; ``status`` is the error to answer."""

    def __init__(self, message, status=ESME_RINVCMDLEN):
        super().__init__(message)
        self.status = status


class Reader:
    """Reads the fields of a PDU body in order."""

    def __init__(self, body):
        self.body = body
        self.offset = 0

    def cstring(self, max_length=256):
        end = self.body.find(b"\x00", self.offset)
        if end < 0 or end - self.offset > max_length:
            raise PduError("unterminated or too long C-octet string")
        value = self.body[self.offset : end].decode("latin-1")
        self.offset = end + 1
        return value

    def integer(self, size=1):
        if self.offset + size > len(self.body):
            raise PduError("truncated PDU body")
        value = int.from_bytes(self.body[self.offset : self.offset + size], "big")
        self.offset += size
        return value

    def octets(self, length):
        if self.offset + length > len(self.body):
            raise PduError("truncated PDU body")
        value = self.body[self.offset : self.offset + length]
        self.offset += length
        return value

    def tlvs(self):
        values = {}
        while self.offset + 4 <= len(self.body):
            tag, length = struct.unpack_from(">HH", self.body, self.offset)
            self.offset += 4
            values[tag] = self.octets(length)
        return values


def cstring(value):
    return (value or "").encode("latin-1") + b"\x00"


def tlv(tag, value):
    return struct.pack(">HH", tag, len(value)) + value


def encode(command_id, sequence, body=b"", status=ESME_ROK):
    return HEADER.pack(HEADER.size + len(body), command_id, status, sequence) + body


def read_pdu(stream):
    """(command_id, status, sequence, body) from a file-like socket, or None at EOF."""
    header = stream.read(HEADER.size)
    if not header:
        return None
    if len(header) < HEADER.size:
        raise PduError("connection closed inside a PDU header")
    length, command_id, status, sequence = HEADER.unpack(header)
    if not HEADER.size <= length <= MAX_PDU_BYTES:
        raise PduError(f"bad command_length {length}")
    body = stream.read(length - HEADER.size)
    if len(body) < length - HEADER.size:
        raise PduError("connection closed inside a PDU body")
    return command_id, status, sequence, body


def decode_bind(body):
    reader = Reader(body)
    return {
        "system_id": reader.cstring(16),
        "password": reader.cstring(9),
        "system_type": reader.cstring(13),
        "interface_version": reader.integer(),
        "addr_ton": reader.integer(),
        "addr_npi": reader.integer(),
        "address_range": reader.cstring(41),
    }


def decode_sm(body):
    """The fields of a submit_sm / deliver_sm body."""
    reader = Reader(body)
    values = {
        "service_type": reader.cstring(6),
        "source_addr_ton": reader.integer(),
        "source_addr_npi": reader.integer(),
        "source_addr": reader.cstring(21),
        "dest_addr_ton": reader.integer(),
        "dest_addr_npi": reader.integer(),
        "destination_addr": reader.cstring(21),
        "esm_class": reader.integer(),
        "protocol_id": reader.integer(),
        "priority_flag": reader.integer(),
        "schedule_delivery_time": reader.cstring(17),
        "validity_period": reader.cstring(17),
        "registered_delivery": reader.integer(),
        "replace_if_present_flag": reader.integer(),
        "data_coding": reader.integer(),
        "sm_default_msg_id": reader.integer(),
    }
    values["short_message"] = reader.octets(reader.integer())
    values["tlvs"] = reader.tlvs()
    return values


def encode_sm(values):
    """A submit_sm / deliver_sm body from the fields of ``decode_sm``."""
    short_message = values.get("short_message", b"")
    body = b"".join(
        [
            cstring(values.get("service_type")),
            bytes([values.get("source_addr_ton", 0), values.get("source_addr_npi", 0)]),
            cstring(values.get("source_addr")),
            bytes([values.get("dest_addr_ton", 0), values.get("dest_addr_npi", 0)]),
            cstring(values.get("destination_addr")),
            bytes(
                [
                    values.get("esm_class", 0),
                    values.get("protocol_id", 0),
                    values.get("priority_flag", 0),
                ]
            ),
            cstring(values.get("schedule_delivery_time")),
            cstring(values.get("validity_period")),
            bytes(
                [
                    values.get("registered_delivery", 0),
                    values.get("replace_if_present_flag", 0),
                    values.get("data_coding", 0),
                    values.get("sm_default_msg_id", 0),
                    len(short_message),
                ]
            ),
            short_message,
        ]
    )
    for tag, value in (values.get("tlvs") or {}).items():
        body += tlv(tag, value)
    return body


def split_udh(esm_class, short_message):
    """(concatenation info or None, payload) of a short message.

    The info is ``{"reference", "total", "sequence"}`` from the 8-bit (IEI 0x00)
    or 16-bit (IEI 0x08) concatenation element of the user data header.
    """
    if not esm_class & ESM_CLASS_UDHI or not short_message:
        return None, short_message
    udh_length = short_message[0]
    udh = short_message[1 : 1 + udh_length]
    payload = short_message[1 + udh_length :]
    offset = 0
    while offset + 2 <= len(udh):
        iei, length = udh[offset], udh[offset + 1]
        data = udh[offset + 2 : offset + 2 + length]
        if iei == 0x00 and length == 3:
            return {
                "reference": data[0],
                "total": data[1],
                "sequence": data[2],
            }, payload
        if iei == 0x08 and length == 4:
            reference = int.from_bytes(data[:2], "big")
            return {
                "reference": reference,
                "total": data[2],
                "sequence": data[3],
            }, payload
        offset += 2 + length
    return None, payload


def decode_text(data_coding, payload):
    """The text of a payload: UCS-2 (0x08), GSM 03.38 unpacked (0x00), else Latin-1."""
    if data_coding == 0x08:
        return payload.decode("utf-16-be", errors="replace")
    if data_coding == 0x00:
        chars, escape = [], False
        for octet in payload:
            if escape:
                chars.append(GSM7_EXTENSION.get(octet, "?"))
                escape = False
            elif octet == 0x1B:
                escape = True
            else:
                chars.append(GSM7_BASIC[octet & 0x7F])
        return "".join(chars)
    return payload.decode("latin-1")
