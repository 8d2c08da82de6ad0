"""Test-only: bqemulator rejects the BigQuery client's multipart content type (see the
team's EMULATORS.md), so processes talking to it send the one it accepts."""
import google.cloud.bigquery.client as _bq_client

_bq_client._GENERIC_CONTENT_TYPE = "application/octet-stream"
