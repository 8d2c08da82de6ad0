"""gunicorn config for the emulator topology test only: bqemulator rejects the BigQuery
client's multipart content type (see EMULATORS.md), so the services' loads use the one it
accepts. Never used outside tests."""
import google.cloud.bigquery.client as _bq_client

_bq_client._GENERIC_CONTENT_TYPE = "application/octet-stream"
workers = 1
threads = 8
timeout = 0
