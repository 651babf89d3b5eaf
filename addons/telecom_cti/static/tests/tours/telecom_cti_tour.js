/** @odoo-module **/

import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

// the exchange and the agent of tests/test_cti_tour.py
const TOKEN = "tour-cti-token";
const LINKEDID = "1765000000.77";
const CALLER = "+79165557701";
const EXTENSION = "777";

function ringing() {
    const stamp = Date.now() / 1000;
    const caller = { Uniqueid: LINKEDID, Linkedid: LINKEDID, Channel: "PJSIP/trunk-1" };
    return [
        { Event: "Newchannel", ...caller, CallerIDNum: CALLER, Exten: "8800", Timestamp: stamp },
        { Event: "QueueCallerJoin", ...caller, Queue: "tour-support", Timestamp: stamp },
        {
            Event: "DialBegin",
            ...caller,
            DestChannel: `PJSIP/${EXTENSION}-2`,
            DestUniqueid: `${LINKEDID}.1`,
            DestCallerIDNum: EXTENSION,
            Timestamp: stamp + 1,
        },
    ];
}

/**
 * An incoming call pops the caller's card in the agent's browser, and the agent
 * registers a claim from it.
 *
 * The exchange's events are pushed to /telecom_cti/events as the connector
 * does. Odoo's test server has no websocket, so the agent's bus notification
 * is read with /websocket/peek_notifications (the same server-side polling the
 * websocket does) and handed to the screen-pop service.
 */
registry.category("web_tour.tours").add("telecom_cti_screen_pop", {
    steps: () => [
        {
            content: "The web client is ready: the exchange rings the agent",
            trigger: ".o_main_navbar",
            run: async () => {
                const answer = await fetch("/telecom_cti/events", {
                    method: "POST",
                    headers: {
                        "Content-Type": "application/json",
                        Authorization: `Bearer ${TOKEN}`,
                    },
                    body: JSON.stringify({ events: ringing() }),
                });
                if (!answer.ok) {
                    throw new Error(`events refused: ${answer.status}`);
                }
                const { notifications } = await rpc("/websocket/peek_notifications", {
                    channels: [],
                    last: 1,
                    is_first_poll: true,
                });
                const popped = notifications.find(
                    (notification) =>
                        notification.message.type === "telecom_cti/incoming_call" &&
                        notification.message.payload.linkedid === LINKEDID
                );
                if (!popped) {
                    throw new Error("no screen pop for the agent");
                }
                await odoo.__WOWL_DEBUG__.root.env.services.telecom_cti.pop(
                    popped.message.payload
                );
            },
        },
        {
            content: "The caller's card pops",
            trigger: ".o_breadcrumb:contains('Tour Caller')",
        },
        {
            content: "It is the 360° card",
            trigger: ".o_telecom_subscriber_card .o_form_statusbar",
        },
        {
            content: "Register a claim from the card",
            trigger: ".o_telecom_subscriber_card .o_form_statusbar button:contains('Register a Claim')",
            run: "click",
        },
        {
            content: "Choose the category of the claim",
            trigger: ".modal .o_field_widget[name=claim_category] select",
            run: "selectByLabel Service Quality",
        },
        {
            content: "Write the subscriber's statement",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Calls drop since yesterday",
        },
        {
            content: "Submit the claim",
            trigger: ".modal-footer button[name=action_submit]",
            run: "click",
        },
        {
            content: "The dialog closed on the card",
            trigger: "body:not(:has(.modal)) .o_telecom_subscriber_card",
        },
    ],
});
