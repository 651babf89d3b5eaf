{
    "name": "Telecom Phone (CTI)",
    "summary": "Asterisk telephony: screen pop of the caller's card, one timeline "
    "row per call, call-backs of missed calls, click-to-call",
    "version": "18.0.1.0.1",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_subscriber", "bus"],
    "external_dependencies": {"python": ["panoramisk"]},
    "data": [
        "security/ir.model.access.csv",
        "security/telecom_cti_security.xml",
        "data/telecom_cti_data.xml",
        "views/telecom_pbx_views.xml",
        "views/telecom_cti_call_views.xml",
        "views/res_users_views.xml",
        "views/res_partner_views.xml",
        "views/telecom_cti_menus.xml",
    ],
    "demo": ["demo/telecom_cti_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "telecom_cti/static/src/cti/*",
        ],
        "web.assets_tests": [
            "telecom_cti/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
