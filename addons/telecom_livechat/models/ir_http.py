from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def get_frontend_session_info(self):
        """Odoo's live chat button on the frontend pages of a logged-in
        subscriber (``web.assets_frontend`` holds the button: it starts when the
        session carries ``livechatData``)."""
        session_info = super().get_frontend_session_info()
        livechat = self.env["im_livechat.channel"]._telecom_portal_livechat_info()
        if livechat:
            session_info["livechatData"] = livechat
        return session_info
