"""Subscriber portal pages (filled in by the portal work)."""
