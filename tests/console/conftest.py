from __future__ import annotations

import pytest

from bin import stack as local
from shared.config import Settings
from tests.support.prepared import copy_of

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def served(tmp_path_factory, night_home):
    """The local stack (console included) on a module's own copy of that home."""
    home = tmp_path_factory.mktemp("console")
    copy_of(night_home, home)
    st = local.start(_settings(home), start_dispatcher=False)
    yield st
    st.stop()


def _settings(home) -> Settings:
    return Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": TOKEN})


def sign_in(client, name: str = "ann", token: str = TOKEN):
    return client.post("/login", data={"name": name, "token": token, "next": "/slate"})


def csrf(client) -> str:
    """The session's CSRF token, as the pages embed it."""
    import re

    page = client.get("/actions").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
