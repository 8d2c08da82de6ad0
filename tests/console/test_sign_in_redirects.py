"""Where sign-in sends you: back to a path on this site, never to another host, never with
a credential from the query string, and never a 500 for a header it cannot carry."""
from __future__ import annotations

import pytest

from console.app import create_app
from console.main import access_from_settings
from tests.console.conftest import TOKEN

# (the query string as typed into the address bar, what the browser would then open)
BYPASSES = [
    "//evil.example/path", "/\\evil.example/path", "/%5Cevil.example/path", "/%09/evil.example/path",
    "/%2F/evil.example/path", "/%252F/evil.example/path", "%09//evil.example/path", "/%0d%0aSet-Cookie:%20a=b",
    "/x%0d%0aLocation:%20https://evil.example", "https://evil.example/path", "https:/evil.example",
    "javascript:alert(1)", "%20/evil.example", "/%00/evil.example",
]


@pytest.fixture
def client(served):
    return create_app(served.console, access_from_settings(served.settings, TOKEN)).test_client()


def sign_in_to(client, query: str):
    return client.post(f"/login?next={query}", data={"name": "ann", "token": TOKEN})


@pytest.mark.parametrize("query", BYPASSES)
def test_next_is_a_local_path_or_home(client, query):
    form = client.get(f"/login?next={query}")
    assert form.status_code == 200 and 'name="next" value="/"' in form.get_data(as_text=True)
    resp = sign_in_to(client, query)
    assert resp.status_code == 302 and resp.headers["Location"] == "/", resp.headers.get("Location")


@pytest.mark.parametrize("query, back", [("/slate", "/slate"), ("/tonight/progress", "/tonight/progress"),
                                         ("/slate%3Fdate%3D2024-01-16", "/slate"),
                                         ("/tonight%23@evil.example", "/tonight")])
def test_a_local_path_is_where_sign_in_returns(client, query, back):
    assert sign_in_to(client, query).headers["Location"] == back


def test_a_token_in_a_pages_query_string_never_reaches_the_sign_in_url(client):
    secret = "a-credential-pasted-into-a-link"
    resp = client.get(f"/tonight?token={secret}&date=2024-01-16")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login?next=/tonight"
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert secret not in page
