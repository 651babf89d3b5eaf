{
    "name": "Telecom Campaigns - Inventory Bridge",
    "summary": "Devices recorded in the inventory feed the device type and 5G "
    "capability of the subscriber metrics",
    "version": "18.0.1.0.0",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_campaigns", "telecom_inventory"],
    "auto_install": True,
    "installable": True,
}
