import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("telecom_livechat_portal_tour", {
    steps: () => [
        {
            content: "Open the live chat from the portal",
            trigger: ".o-livechat-root:shadow .o-livechat-LivechatButton",
            run: "click",
        },
        {
            content: "Write to the operator",
            trigger: ".o-livechat-root:shadow .o-mail-Composer-input",
            run: "edit My internet is down since this morning",
        },
        {
            content: "Send the message",
            trigger: ".o-livechat-root:shadow .o-mail-Composer-input",
            run: "press Enter",
        },
        {
            content: "The message reached the server",
            trigger:
                ".o-livechat-root:shadow .o-mail-Message:contains('My internet is down since this morning') .o-mail-Message-content:not(.opacity-50)",
        },
        {
            content: "Close the chat window",
            trigger: ".o-livechat-root:shadow .o-mail-ChatWindow-command[title*=Close]",
            run: "click",
        },
        {
            content: "Leave the conversation",
            trigger: ".o-livechat-root:shadow .o-livechat-CloseConfirmation-leave",
            run: "click",
        },
        {
            content: "The conversation ended: the rating is asked",
            trigger: ".o-livechat-root:shadow p:contains('Did we correctly answer your question?')",
        },
    ],
});
