"""Billing/OSS simulator of the telecom CRM: a small standalone HTTP service.

It plays the operator's billing and OSS for the CRM's connector, the docker-compose
demo and the end-to-end tests: REST/JSON and SOAP (real WSDL) APIs over an in-memory
state, knobs that inject latency, errors, outages and broken answers, and pushes of
alarms and billing events to Odoo. See README.md beside this file.

Run: python3 -m simulator --host 127.0.0.1 --port 8090 --seed simulator/seed.json
"""

__version__ = "1.0.0"
