from __future__ import annotations

import shutil

import pytest

from bin import stack as local
from modeling.grading import grade
from processors.runner import nightly
from shared.config import Settings
from tests.e2e.conftest import DAY

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def served(tmp_path_factory, sample_db):
    """The local stack (console included) after DAY's chain, graded: deliveries are drained
    by hand, so nothing runs behind a test's back."""
    home = tmp_path_factory.mktemp("console")
    shutil.copy(sample_db, home / "warehouse.duckdb")
    st = local.start(Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": TOKEN}),
                     start_dispatcher=False)
    assert all(e.status == "success" for e in nightly(st.warehouse, st.bus, DAY))
    st.bus.drain()
    grade(st.warehouse, DAY, DAY)
    yield st
    st.stop()


def sign_in(client, name: str = "ann", token: str = TOKEN):
    return client.post("/login", data={"name": name, "token": token, "next": "/slate"})


def csrf(client) -> str:
    """The session's CSRF token, as the pages embed it."""
    import re

    page = client.get("/actions").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
