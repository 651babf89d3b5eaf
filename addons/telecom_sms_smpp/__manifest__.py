{
    "name": "Telecom SMS through the Operator's SMSC (SMPP)",
    "summary": "Odoo's SMS leave through the operator's own SMSC over SMPP 3.4: "
    "UCS-2 and long messages, throttling to the SMSC's window, delivery receipts",
    "version": "18.0.1.0.1",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["sms"],
    "data": [
        "security/ir.model.access.csv",
        "security/telecom_sms_smpp_security.xml",
        "data/ir_cron_data.xml",
        "views/telecom_smsc_account_views.xml",
        "views/telecom_smsc_message_views.xml",
        "views/telecom_sms_smpp_menus.xml",
    ],
    "demo": ["demo/telecom_smsc_account_demo.xml"],
    "installable": True,
}
