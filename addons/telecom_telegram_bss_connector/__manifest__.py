{
    "name": "Telecom Telegram Channel - BSS Connector Bridge",
    "summary": "The Telegram bot answers /balance with the billing figures",
    "version": "18.0.1.0.0",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_telegram", "telecom_bss_connector"],
    "auto_install": True,
    "installable": True,
}
