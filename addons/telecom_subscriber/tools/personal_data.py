"""The vocabulary of the personal-data declarations (152-FZ), public for the
other telecom addons.

A model inheriting ``telecom.personal.data.mixin`` declares its personal-data
fields with these keys (see the mixin); the processing register, the
retention policies and the subject-request exports read them through
``env["telecom.personal.data.mixin"]._telecom_register_entries()``.
"""

from collections import namedtuple

# what kind of personal data a field holds; retention policies are per category
PERSONAL_DATA_CATEGORIES = [
    ("identity", "Identity"),
    ("document", "Identity Document"),
    ("contact", "Contact Details"),
    ("address", "Address"),
    ("billing", "Billing and Payments"),
    ("communication", "Communication Service Records"),
    ("interaction", "Contact History"),
    ("other", "Other Personal Data"),
]

# why it is processed
PERSONAL_DATA_PURPOSES = [
    ("service", "Provision of Communication Services (Contract)"),
    ("identification", "Subscriber Identification Required by Law"),
    ("billing", "Billing and Settlements"),
    ("legal_storage", "Storage of Communication Records Required by Law"),
    ("support", "Customer Service and Claims"),
    ("marketing", "Marketing with Consent"),
]

# on which ground (152-FZ art. 6 part 1)
PERSONAL_DATA_LEGAL_BASES = [
    ("contract", "Performance of a Contract (art. 6 p. 1.5)"),
    ("law", "Obligation under Federal Law (art. 6 p. 1.2)"),
    ("consent", "Consent of the Subject (art. 6 p. 1.1)"),
    ("legitimate_interest", "Legitimate Interest of the Operator (art. 6 p. 1.7)"),
]

# where it is kept
PERSONAL_DATA_STORAGES = [
    ("database", "Database of this Deployment"),
    ("filestore", "File Store of this Deployment"),
    ("billing", "External Billing System"),
]

RETENTION_ACTIONS = [
    ("anonymise", "Anonymise"),
    ("delete", "Delete"),
    ("keep", "Keep"),
]

# how a field is anonymised: emptied, or replaced by the neutral label (a
# required text, a name)
ANONYMISE_CLEAR = "clear"
ANONYMISE_LABEL = "label"

DEFAULT_DECLARATION = {
    "category": "other",
    "purpose": "service",
    "legal_basis": "contract",
    "storage": "database",
    "access_groups": None,  # None: the field's groups, else who may read the model
    "retention": None,  # None: the policy of the field's category
    "anonymise": ANONYMISE_CLEAR,
}

# default retention after the end of the last contract, per category:
# (years, action, legal minimum years). Communication service records are kept
# three years by law (126-FZ "On Communications" art. 64), accounting records
# five years (402-FZ "On Accounting" art. 29): a policy cannot go below.
DEFAULT_RETENTION = {
    "identity": (3, "anonymise", 0),
    "document": (3, "anonymise", 0),
    "contact": (3, "anonymise", 0),
    "address": (3, "anonymise", 0),
    "billing": (5, "anonymise", 5),
    "communication": (3, "anonymise", 3),
    "interaction": (3, "delete", 0),
    "other": (3, "anonymise", 0),
}

RegisterEntry = namedtuple(
    "RegisterEntry",
    [
        "model",  # technical model name
        "field",  # field name
        "category",  # key of PERSONAL_DATA_CATEGORIES
        "purpose",  # key of PERSONAL_DATA_PURPOSES
        "legal_basis",  # key of PERSONAL_DATA_LEGAL_BASES
        "storage",  # key of PERSONAL_DATA_STORAGES
        "access_groups",  # tuple of res.groups xml ids that may read it
        "retention",  # category whose retention policy applies
        "anonymise",  # ANONYMISE_CLEAR | ANONYMISE_LABEL
        "subject_field",  # path to the subscriber (res.partner): "id", "partner_id"
        "audited",  # reads are journaled (listed in _telecom_personal_fields)
    ],
)
