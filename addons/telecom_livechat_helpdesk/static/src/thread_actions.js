import { telecomChannelAction } from "@telecom_livechat/thread_actions";

import { threadActionsRegistry } from "@mail/core/common/thread_actions";

import { _t } from "@web/core/l10n/translation";

threadActionsRegistry.add(
    "telecom-create-ticket",
    telecomChannelAction("action_telecom_create_ticket", {
        icon: "fa-life-ring",
        name: _t("Create Ticket"),
        sequence: 43,
    })
);
