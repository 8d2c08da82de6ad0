"""OIDC verification with tokens signed by a local key whose certificate the verifier
fetches over HTTP, exactly as it fetches Google's."""
from __future__ import annotations

import datetime as dt
import json
import logging
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

AUDIENCE = "https://coordinator.example.run.app"
CALLER = "pipeline-pusher@proj.iam.gserviceaccount.com"


def keypair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return pem, cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture(scope="module")
def keys():
    good, other = keypair(), keypair()
    certs = {"kid-1": good[1]}
    server = make_server("127.0.0.1", 0, lambda env, start: Response(json.dumps(certs),
                                                                    mimetype="application/json")(env, start))
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"good": good[0], "other": other[0], "certs_url": f"http://127.0.0.1:{server.server_port}/certs"}
    server.shutdown()


def token(private_pem, kid="kid-1", **overrides) -> str:
    now = int(time.time())
    claims = {"iss": "https://accounts.google.com", "aud": AUDIENCE, "email": CALLER, "email_verified": True,
              "iat": now, "exp": now + 600, "sub": "123"}
    claims.update(overrides)
    return jwt.encode(crypt.RSASigner.from_string(private_pem, key_id=kid), claims).decode()


@pytest.fixture
def client(keys, tmp_path):
    from coordinator.app import create_app
    from coordinator.main import build_deps
    from shared.auth import make_verifier
    from shared.config import Settings

    deps = build_deps(Settings(home=tmp_path))
    return create_app(deps, make_verifier(AUDIENCE, {CALLER}, keys["certs_url"])).test_client()


def call(client, tok):
    headers = {"Authorization": f"Bearer {tok}"} if tok is not None else {}
    return client.post("/check-stalled", headers=headers)


def test_a_valid_google_style_token_is_accepted(client, keys):
    resp = call(client, token(keys["good"]))
    assert resp.status_code == 200 and resp.json == {"actions": {}}


@pytest.mark.parametrize("case", ["none", "garbage", "wrong_audience", "expired", "wrong_signer", "wrong_issuer",
                                  "wrong_caller", "unverified_email", "basic_scheme"])
def test_bad_credentials_are_401(client, keys, case, caplog):
    now = int(time.time())
    tok = {
        "none": None, "garbage": "not.a.jwt",
        "wrong_audience": token(keys["good"], aud="https://elsewhere.run.app"),
        "expired": token(keys["good"], iat=now - 7200, exp=now - 3600),
        "wrong_signer": token(keys["other"]),
        "wrong_issuer": token(keys["good"], iss="https://evil.example.com"),
        "wrong_caller": token(keys["good"], email="someone@else.iam.gserviceaccount.com"),
        "unverified_email": token(keys["good"], email_verified=False),
        "basic_scheme": None,
    }[case]
    if case == "basic_scheme":
        resp = client.post("/check-stalled", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    else:
        with caplog.at_level(logging.WARNING):
            resp = call(client, tok)
    assert resp.status_code == 401
    if tok:
        assert all(tok not in r.getMessage() and tok not in json.dumps(r.__dict__, default=str)
                   for r in caplog.records)


def test_auth_off_is_explicit_and_logged(caplog):
    from shared import auth
    from shared.config import Settings

    with caplog.at_level(logging.WARNING):
        assert auth.from_settings(Settings.from_env({"PIPELINE_AUTH": "off"}), "coordinator") is None
    assert any("authentication is OFF" in r.getMessage() for r in caplog.records)
    with pytest.raises(ValueError, match="PIPELINE_AUTH_TOKEN"):
        auth.from_settings(Settings.from_env({}), "coordinator")
