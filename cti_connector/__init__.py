"""The telephony connector: Asterisk Manager Interface ⇄ Odoo (telecom_cti)."""
