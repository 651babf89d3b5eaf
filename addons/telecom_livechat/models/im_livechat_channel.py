from odoo import api, models


class ImLivechatChannel(models.Model):
    _inherit = "im_livechat.channel"

    @api.model
    def _telecom_portal_livechat_info(self):
        """The ``livechatData`` of the frontend session for a logged-in
        subscriber (a portal user whose company is a subscriber), else ``{}``:
        the button of their company's portal channel while it has operators."""
        user = self.env.user
        if user._is_public() or not user.share:
            return {}
        # sudo: the user's own partner and company settings, read for the
        # session of every portal page (portal users do not read company fields)
        user_sudo = user.sudo()
        if not user_sudo.partner_id.commercial_partner_id.telecom_is_subscriber:
            return {}
        channel = user_sudo.company_id.telecom_livechat_channel_id
        if not channel:
            return {}
        info = channel.get_livechat_info(username=user_sudo.partner_id.name)
        return {
            "isAvailable": bool(info["available"]),
            "serverUrl": info["server_url"],
            "options": info.get("options", {}),
        }
