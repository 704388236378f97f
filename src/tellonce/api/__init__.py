"""What every domain's API shares: token authentication for agency system accounts,
the one JSON error format (`errors`), the request helpers (`requests`), the provenance
serializer and `urls.py`, which includes each app's `api/urls.py` under `api:`. Each
domain's own endpoints are in `<app>/api/`."""
