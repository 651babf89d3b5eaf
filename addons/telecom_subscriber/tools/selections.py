"""Selections of the telecom vocabulary, public for the other telecom addons.

Fields of other addons that hold the same values (a ticket's service type, an
incident's technology, a helpdesk channel's timeline channel...) reuse these lists
so that the values stay the same everywhere.
"""

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

CHANNELS = [
    ("call", "Call"),
    ("chat", "Chat"),
    ("messenger", "Messenger"),
    ("email", "Email"),
    ("sms", "SMS"),
    ("portal", "Portal / App"),
    ("shop", "Shop Visit"),
    ("system", "Process Step"),
]

OUTCOMES = [
    ("resolved", "Resolved"),
    ("information", "Information Given"),
    ("request_created", "Request Created"),
    ("follow_up", "Follow-up Needed"),
    ("escalated", "Escalated"),
    ("sale", "Sale"),
    ("retained", "Retained"),
    ("no_answer", "No Answer"),
    ("complaint", "Complaint"),
]

DEVICE_TYPES = [
    ("smartphone", "Smartphone"),
    ("feature_phone", "Feature Phone"),
    ("tablet", "Tablet"),
    ("router", "Router"),
    ("modem", "Modem"),
    ("set_top_box", "Set-Top Box"),
    ("other", "Other Device"),
]
