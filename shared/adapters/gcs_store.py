"""ObjectStore on Cloud Storage. Generations and preconditions are GCS's own."""
from __future__ import annotations

from shared.ports import Blob, NotFound, PreconditionFailed, validate_key


class GCSStore:
    def __init__(self, bucket: str, client=None, project: str | None = None):
        import google.cloud.storage as storage  # this form: mypy resolves it beside bigquery's typed package

        self.client = client or storage.Client(project=project)
        self.bucket = self.client.bucket(bucket)

    def read(self, key: str) -> Blob:
        from google.api_core import exceptions

        validate_key(key)
        blob = self.bucket.blob(key)
        try:
            data = blob.download_as_bytes()
        except exceptions.NotFound:
            raise NotFound(key) from None
        if blob.generation is None:
            blob.reload()
        return Blob(key, data, int(blob.generation))

    def write(self, key: str, data: bytes, if_generation_match: int | None = None) -> int:
        from google.api_core import exceptions

        validate_key(key)
        blob = self.bucket.blob(key)
        try:
            # upload_from_string keeps small objects on the single-request path, where
            # the precondition is honoured (see EMULATORS.md on resumable uploads)
            blob.upload_from_string(data, content_type="application/octet-stream",
                                    if_generation_match=if_generation_match)
        except exceptions.PreconditionFailed:
            raise PreconditionFailed(f"{key}: if_generation_match={if_generation_match}") from None
        return int(blob.generation)

    def list(self, prefix: str = "") -> list[str]:
        return sorted(b.name for b in self.client.list_blobs(self.bucket, prefix=prefix or None))

    def delete(self, key: str) -> None:
        from google.api_core import exceptions

        validate_key(key)
        try:
            self.bucket.blob(key).delete()
        except exceptions.NotFound:
            raise NotFound(key) from None
