"""Choices shared by the catalog, services, requests and the billing import."""

SERVICE_TYPES = [
    ("mobile", "Mobile Line"),
    ("broadband", "Fixed Broadband"),
    ("fixed_voice", "Fixed Voice"),
    ("iptv", "IPTV"),
    ("vas", "Value-Added Service"),
]

ACCESS_TECHNOLOGIES = [
    ("gsm", "2G GSM"),
    ("umts", "3G UMTS"),
    ("lte", "4G LTE"),
    ("nr", "5G NR"),
    ("ftth", "FTTH / GPON"),
    ("fttb", "FTTB Ethernet"),
    ("adsl", "ADSL / VDSL"),
    ("docsis", "DOCSIS Cable"),
    ("pstn", "Copper PSTN"),
    ("wireless", "Fixed Wireless"),
]

SERVICE_STATES = [
    ("pending", "Pending Activation"),
    ("active", "Active"),
    ("blocked", "Blocked"),
    ("terminated", "Terminated"),
]

BLOCK_REASONS = [
    ("voluntary", "Voluntary"),
    ("lost_sim", "Lost or Stolen SIM"),
    ("debt", "Debt"),
    ("fraud", "Suspected Fraud"),
]
