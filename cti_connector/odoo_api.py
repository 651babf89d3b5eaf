"""Odoo's side of the connector: the JSON endpoints of telecom_cti (stdlib)."""

import asyncio
import json
import urllib.error
import urllib.request


class OdooUnavailable(Exception):
    """Odoo did not answer, or answered with an error worth retrying."""


class OdooRefused(Exception):
    """Odoo refused the request for good (bad body): retrying will not help."""


class OdooApi:
    """The telecom_cti endpoints of one Odoo, authenticated per exchange."""

    def __init__(self, url, timeout=15.0):
        self.url = url.rstrip("/")
        self.timeout = timeout

    async def config(self, token):
        return (await self._call("GET", "/telecom_cti/config", token))["pbx"]

    async def send_events(self, token, events):
        return await self._call(
            "POST", "/telecom_cti/events", token, {"events": events}
        )

    async def claim_originates(self, token):
        answer = await self._call("POST", "/telecom_cti/originates/claim", token, {})
        return answer["originates"]

    async def _call(self, method, path, token, body=None):
        return await asyncio.to_thread(self._request, method, path, token, body)

    def _request(self, method, path, token, body):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read()[:500].decode("utf-8", "replace")
            # 400 and 413: the body itself is wrong; 401/403/404/409/5xx may pass
            # once Odoo or its configuration is back
            if error.code in (400, 413):
                raise OdooRefused(f"{error.code} {detail}") from error
            raise OdooUnavailable(f"{error.code} {detail}") from error
        except (OSError, ValueError) as error:
            raise OdooUnavailable(str(error)) from error
