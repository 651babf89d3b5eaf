{
    "name": "Telecom B2B: Corporate Customers and Contracts",
    "summary": "Corporate customers with their holding, legal entities and sites, "
    "contact roles, INN/KPP checks, B2B pipeline and quotations with volume "
    "discounts and approval, B2B contracts with renewal and SLA terms",
    "version": "18.0.1.1.0",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_subscriber", "crm", "sale_management", "resource"],
    "data": [
        "security/telecom_b2b_partner_groups.xml",
        "security/ir.model.access.csv",
        "security/telecom_b2b_partner_security.xml",
        "data/telecom_b2b_contact_role_data.xml",
        "data/telecom_b2b_contract_data.xml",
        "views/telecom_b2b_contact_role_views.xml",
        "views/telecom_b2b_contract_views.xml",
        "views/res_partner_views.xml",
        "views/crm_lead_views.xml",
        "views/sale_order_views.xml",
        "views/telecom_b2b_volume_discount_views.xml",
        "views/telecom_b2b_partner_menus.xml",
    ],
    "demo": [
        "demo/telecom_b2b_partner_demo.xml",
    ],
    "installable": True,
}
