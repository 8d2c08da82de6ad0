"""The one place that turns Settings into concrete adapters."""
from __future__ import annotations

from collections.abc import Mapping

from shared.config import Settings
from shared.ports import ObjectStore, Publisher, Warehouse


def build_warehouse(settings: Settings, read_only: bool = False) -> Warehouse:
    if settings.backend == "gcp":
        from google.api_core.client_options import ClientOptions
        from google.cloud import bigquery

        from shared.adapters.bigquery_warehouse import BigQueryWarehouse

        options, credentials = None, None
        if settings.bigquery_api_endpoint:   # an emulator: no Google credentials to present
            from google.auth.credentials import AnonymousCredentials

            options, credentials = ClientOptions(api_endpoint=settings.bigquery_api_endpoint), AnonymousCredentials()
        client = bigquery.Client(project=settings.gcp_project, location=settings.bq_location, client_options=options,
                                 credentials=credentials)
        return BigQueryWarehouse(settings.need("gcp_project"), client=client, location=settings.bq_location)
    from shared.adapters.duckdb_warehouse import DuckDBWarehouse

    return DuckDBWarehouse(settings.warehouse_path, read_only=read_only)


def build_store(settings: Settings) -> ObjectStore:
    if settings.backend == "gcp":
        from shared.adapters.gcs_store import GCSStore

        return GCSStore(settings.need("gcs_bucket"), project=settings.gcp_project)
    from shared.adapters.directory_store import DirectoryStore

    return DirectoryStore(settings.objects_path)


def build_publisher(settings: Settings, endpoints: Mapping[str, str] | None = None) -> Publisher:
    if settings.backend == "gcp":
        from shared.adapters.pubsub_publisher import PubSubPublisher

        return PubSubPublisher(settings.need("gcp_project"))
    from shared.adapters.local_bus import LocalBus

    return LocalBus(settings.bus_path, endpoints=endpoints)
