{
    "name": "Telecom BSS/OSS Connector",
    "summary": "Live billing data on the subscriber card, orders delivered to billing "
    "through an outbox that loses nothing, TM Forum inbound APIs and integration "
    "health",
    "version": "18.0.1.8.0",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_subscriber", "queue_job"],
    "external_dependencies": {"python": ["zeep", "requests", "lxml"]},
    "data": [
        "security/telecom_bss_connector_groups.xml",
        "security/ir.model.access.csv",
        "security/telecom_bss_connector_security.xml",
        "data/queue_job_data.xml",
        "data/telecom_bss_connector_data.xml",
        "wizards/telecom_api_key_wizard_views.xml",
        "views/telecom_backend_views.xml",
        "views/telecom_backend_call_views.xml",
        "views/telecom_outbox_views.xml",
        "views/telecom_billing_snapshot_views.xml",
        "views/telecom_alarm_views.xml",
        "views/res_partner_views.xml",
        "views/telecom_service_views.xml",
        "views/telecom_refund_views.xml",
        "views/telecom_bss_connector_menus.xml",
        "views/portal_templates.xml",
        "data/telecom_workspace_data.xml",
    ],
    "demo": [
        "demo/telecom_backend_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "telecom_bss_connector/static/src/components/**/*",
        ],
        "web.assets_tests": [
            "telecom_bss_connector/static/tests/tours/*.js",
        ],
    },
    "uninstall_hook": "uninstall_hook",
    "installable": True,
}
