#!/usr/bin/env python3
"""A clinic backend talking to vclinic with SMART Backend Services, in Python.

Python 3 with the `cryptography` package (Debian: python3-cryptography) and the standard library only.
It registers nothing: an operator registers the public keys with `./vclinic admin client create`.

    # the public key set to register (kid = RFC 7638 thumbprint of the key)
    python3 examples/smart-backend-client.py jwks --key backend.pem > backend.jwks.json
    CLIENT_ID=$(./vclinic admin client create --clinic default --jwks backend.jwks.json)
    # get an access token and assess one example request
    python3 examples/smart-backend-client.py assess --server http://127.0.0.1:8080 \
        --client-id "$CLIENT_ID" --key backend.pem [--example demo-001]
    # or only print the token response
    python3 examples/smart-backend-client.py token --server ... --client-id ... --key ...

The flow (hl7.org/fhir/smart-app-launch/backend-services.html): read the token endpoint from
/.well-known/smart-configuration; sign a client assertion (a JWT: iss = sub = client id, aud = the token
endpoint, exp at most 5 minutes ahead, a fresh jti) with the private key, ES384 for an EC P-384 key
(ES256 for P-256, RS384 for RSA); POST it with grant_type=client_credentials; call the API with the
access token as 'Authorization: Bearer ...'.
"""

import argparse
import base64
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DEFAULT_SCOPE = "system/triage.write"
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "triage-requests.jsonl")
TIMEOUT_S = 30


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def int_bytes(n, length=None):
    length = length or max(1, (n.bit_length() + 7) // 8)
    return n.to_bytes(length, "big")


def load_key(path):
    with open(path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in ("secp384r1", "secp256r1"):
        return key
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size >= 2048:
        return key
    sys.exit("the key must be EC P-384 (ES384), EC P-256 (ES256) or RSA of 2048 bits or more")


def public_jwk(key):
    """The public JWK of the key, with kid = its RFC 7638 thumbprint."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        size = (key.curve.key_size + 7) // 8
        numbers = key.public_key().public_numbers()
        crv = "P-384" if key.curve.name == "secp384r1" else "P-256"
        members = {"crv": crv, "kty": "EC", "x": b64url(int_bytes(numbers.x, size)),
                   "y": b64url(int_bytes(numbers.y, size))}
        alg = "ES384" if crv == "P-384" else "ES256"
    else:
        numbers = key.public_key().public_numbers()
        members = {"e": b64url(int_bytes(numbers.e)), "kty": "RSA", "n": b64url(int_bytes(numbers.n))}
        alg = "RS384"
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return dict(members, kid=b64url(hashlib.sha256(canonical).digest()), use="sig", alg=alg)


def sign(key, alg, data):
    if alg == "RS384":
        return key.sign(data, padding.PKCS1v15(), hashes.SHA384())
    # JWS wants r || s, each as long as the curve's order (RFC 7518 §3.4), not DER.
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA384() if alg == "ES384" else hashes.SHA256())))
    size = (key.curve.key_size + 7) // 8
    return int_bytes(r, size) + int_bytes(s, size)


def client_assertion(key, client_id, token_endpoint):
    jwk = public_jwk(key)
    header = {"alg": jwk["alg"], "typ": "JWT", "kid": jwk["kid"]}
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": token_endpoint, "iat": now, "exp": now + 240,
              "jti": str(uuid.uuid4())}
    signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode("ascii")
    return signing_input.decode("ascii") + "." + b64url(sign(key, jwk["alg"], signing_input))


def http_json(request):
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as res:
            return json.loads(res.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        sys.exit("%s %s: HTTP %d %s" % (request.get_method(), request.full_url, e.code, e.read().decode("utf-8")))


def get_token(server, client_id, key, scope):
    config = http_json(urllib.request.Request(server.rstrip("/") + "/.well-known/smart-configuration"))
    token_endpoint = config["token_endpoint"]
    form = urllib.parse.urlencode({
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(key, client_id, token_endpoint),
        "scope": scope,
    }).encode("ascii")
    return http_json(urllib.request.Request(token_endpoint, data=form, method="POST",
                                            headers={"Content-Type": "application/x-www-form-urlencoded"}))


def example(encounter_id):
    with open(EXAMPLES, encoding="utf-8") as f:
        for line in f:
            if line.strip() and (encounter_id is None or json.loads(line)["encounter_id"] == encounter_id):
                return line.strip()
    sys.exit("no example %s in %s" % (encounter_id, EXAMPLES))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("jwks", help="print the public JWKS of --key").add_argument("--key", required=True)
    for name in ("token", "assess"):
        p = commands.add_parser(name, help="print the token response" if name == "token"
                                else "get a token and assess an example request")
        p.add_argument("--server", required=True, help="vclinic's base URL, e.g. http://127.0.0.1:8080")
        p.add_argument("--client-id", required=True, help="what ./vclinic admin client create printed")
        p.add_argument("--key", required=True, help="the client's private key, PEM (PKCS#8 or traditional)")
        p.add_argument("--scope", default=DEFAULT_SCOPE, help="space-separated (default: %(default)s)")
        if name == "assess":
            p.add_argument("--example", help="encounter_id of the request in examples/triage-requests.jsonl"
                                             " (default: the first)")
    args = parser.parse_args(argv)
    key = load_key(args.key)
    if args.command == "jwks":
        print(json.dumps({"keys": [public_jwk(key)]}, indent=2))
        return
    token = get_token(args.server, args.client_id, key, args.scope)
    if args.command == "token":
        print(json.dumps(token))
        return
    assessment = http_json(urllib.request.Request(
        args.server.rstrip("/") + "/v1/triage:assess", data=example(args.example).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + token["access_token"]}))
    print(json.dumps(assessment))


if __name__ == "__main__":
    main(sys.argv[1:])
