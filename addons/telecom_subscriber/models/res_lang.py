from odoo import Command, api, models


class ResLang(models.Model):
    _inherit = "res.lang"

    @api.model
    def _telecom_install_language(self, code):
        """Activate the language ``code`` with the translations of every installed
        module, as Settings > Languages > Add does (the demo operator speaks Russian
        even when the database was created with English only); a no-op when the
        language is already active."""
        lang = self.with_context(active_test=False).search([("code", "=", code)])
        if lang and not lang.active:
            installer = self.env["base.language.install"].create(
                {"lang_ids": [Command.set(lang.ids)]}
            )
            installer.lang_install()
        return lang
