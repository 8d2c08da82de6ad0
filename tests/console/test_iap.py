"""On Cloud Run the console sits behind IAP: the signed X-Goog-IAP-JWT-Assertion names the
person. Assertions are signed here with a local ES256 key whose public key the console
fetches over HTTP, as it fetches Google's IAP keys."""
from __future__ import annotations

import json
import threading
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from google.auth import crypt, jwt
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from console import actions
from console.app import create_app
from console.session import IAP_HEADER, IAP_ISSUER, Access, iap_identity
from shared.auth import bearer
from tests.console.conftest import TOKEN
from tests.support.stack import DAY

AUDIENCE = "/projects/123456789012/locations/us-central1/services/console"


def es256():
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


@pytest.fixture(scope="module")
def keys():
    good, other = es256(), es256()
    published = {"iap-1": good[1]}
    server = make_server("127.0.0.1", 0, lambda env, start: Response(json.dumps(published),
                                                                    mimetype="application/json")(env, start))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"good": good[0], "other": other[0], "url": f"http://127.0.0.1:{server.server_port}/public_key"}
    server.shutdown()


def assertion(private, **overrides) -> str:
    now = int(time.time())
    claims = {"iss": IAP_ISSUER, "aud": AUDIENCE, "email": "ops@example.com", "sub": "accounts.google.com:1",
              "iat": now, "exp": now + 600, **overrides}
    return jwt.encode(crypt.ES256Signer.from_string(private, key_id="iap-1"), claims).decode()


@pytest.fixture
def client(served, keys):
    access = Access(bearer(TOKEN), None, iap_identity(AUDIENCE, keys["url"]), "s" * 32, secure_cookie=True)
    return create_app(served.console, access).test_client()


def test_a_signed_iap_assertion_signs_the_person_in(client, keys):
    page = client.get(f"/tonight?date={DAY}", headers={IAP_HEADER: assertion(keys["good"])})
    assert page.status_code == 200 and 'id="user">ops@example.com<' in page.get_data(as_text=True)
    api = client.get(f"/v1/predictions?game_date={DAY}", headers={IAP_HEADER: assertion(keys["good"])})
    assert api.status_code == 200


@pytest.mark.parametrize("change", [{"aud": "/projects/1/locations/x/services/other"},
                                    {"iss": "https://accounts.google.com"}, {"exp": int(time.time()) - 60},
                                    {"email": ""}, "other key", "garbage"])
def test_an_assertion_that_is_not_iaps_for_this_service_is_refused(served, keys, change):
    access = Access(bearer(TOKEN), None, iap_identity(AUDIENCE, keys["url"]), "s" * 32, secure_cookie=True)
    fresh = create_app(served.console, access).test_client()
    if change == "other key":
        header = assertion(keys["other"])
    elif change == "garbage":
        header = "not.a.jwt"
    else:
        header = assertion(keys["good"], **change)
    assert fresh.get("/slate", headers={IAP_HEADER: header}).status_code == 302
    assert fresh.get(f"/v1/predictions?game_date={DAY}", headers={IAP_HEADER: header}).status_code == 401


def test_iap_people_still_need_the_csrf_token_to_change_anything(client, keys, served):
    before = len(actions.history(served.store))
    resp = client.post("/actions/run", data={"action": "check-stalled"},
                       headers={IAP_HEADER: assertion(keys["good"])})
    assert resp.status_code == 403 and len(actions.history(served.store)) == before
    assert client.get("/login", headers={IAP_HEADER: assertion(keys["good"])}).status_code == 200
