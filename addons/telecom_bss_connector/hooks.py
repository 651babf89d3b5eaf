def uninstall_hook(env):
    """Requests billing was to fulfil go back to the base flow: none stays stuck.

    Without the connector nothing delivers their orders any more: the waiting
    requests are released (the scheduled-request cron completes the due ones, an
    agent the others) and the failed ones keep their error for an agent to act on.
    """
    held = env["telecom.request"].search(
        [("fulfilment_status", "in", ("waiting", "failed"))]
    )
    held.write({"fulfilment_status": "none"})
