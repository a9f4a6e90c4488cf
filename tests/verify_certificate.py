# Checks a Bimtek certificate as a third party: fetch its public record
# and the published keys, check the Ed25519 signature, print the facts.
# Usage: python3 verify_certificate.py https://bimtek.example.go.id K7QM-P3XV-9TRA
import base64, json, sys, urllib.request
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

base, code = sys.argv[1].rstrip("/"), sys.argv[2]
answer = json.load(urllib.request.urlopen(f"{base}/api/v1/verify/{code}"))
signed = answer["signed"]  # absent (null) for an unknown or tampered code
keys = json.load(urllib.request.urlopen(f"{base}/api/v1/certificate-keys"))["keys"]
key = next(k for k in keys if k["kid"] == signed["kid"])
public = Ed25519PublicKey.from_public_bytes(b64url(key["x"]))
public.verify(b64url(signed["signature"]), signed["payload"].encode())  # raises if forged
record = json.loads(signed["payload"])
print(record["status"], record["number"], record["holder_name"], record["issued_on"])
