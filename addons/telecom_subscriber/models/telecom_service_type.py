"""Service types shared by the catalog, services and requests."""

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
