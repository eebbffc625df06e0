#!/usr/bin/python3
# supply_check.py: an independent reader of qt's supply-chain outputs, sharing
# no code with qt: Debian's python3-cbor2, python3-cryptography and
# python3-jsonschema only. Used by tests/cli/provenance.bats and corim.bats.
#
#   supply_check.py corim FILE [--cert PEM] [--image EIF]   structure (+ COSE ES256/384/512 signature)
#   supply_check.py diag FILE                                CBOR diagnostic notation
#   supply_check.py dsse FILE --cert PEM [--image EIF]      PAE rebuilt, DER ECDSA signature, subject
#   supply_check.py schema SCHEMA FILE...                    JSON Schema 2020-12 validation
#
# Prints one line per check; exit 0 all good, 1 a check failed.
import base64
import hashlib
import json
import sys

import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

COSE_ALGS = {-7: (hashes.SHA256, 32), -35: (hashes.SHA384, 48), -36: (hashes.SHA512, 66)}
CURVE_HASH = {"secp256r1": hashes.SHA256, "secp384r1": hashes.SHA384, "secp521r1": hashes.SHA512}


class Fail(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Fail(what)


def opt(args, name):
    if name in args:
        i = args.index(name)
        return args[i + 1]
    return None


def cert_key(path):
    with open(path, "rb") as f:
        return x509.load_pem_x509_certificate(f.read()).public_key()


def image_digests(path):
    with open(path, "rb") as f:
        data = f.read()
    return hashlib.sha256(data).hexdigest(), hashlib.sha384(data).hexdigest()


def check_corim_map(tagged, image):
    need(isinstance(tagged, cbor2.CBORTag) and tagged.tag == 501, "outer tag is 501")
    m = tagged.value
    need(isinstance(m, dict) and all(isinstance(k, int) for k in m), "corim-map has integer keys")
    need(isinstance(m.get(0), str), "corim.id is text")
    tags = m.get(1)
    need(isinstance(tags, list) and len(tags) == 1, "one concise tag")
    need(isinstance(tags[0], cbor2.CBORTag) and tags[0].tag == 506, "tag 506 (CoMID)")
    need(isinstance(tags[0].value, bytes), "CoMID is byte-string wrapped")
    if 3 in m:
        need(isinstance(m[3], cbor2.CBORTag) and m[3].tag == 32, "profile is a tag-32 URI")
    comid = cbor2.loads(tags[0].value)
    need(cbor2.dumps(comid, canonical=True) == tags[0].value, "CoMID deterministic (RFC 8949 4.2.1)")
    need(isinstance(comid[1][0], str), "tag-id is text")
    triple = comid[4][0][0]
    env, claims = triple
    cls = env[0]
    print("environment: %s / %s" % (cls[1], cls[2]))
    regs = claims[0][1][14]
    for idx, digests in sorted(regs.items()):
        need(isinstance(idx, int) and 0 <= idx < 32, "register index is uint")
        need(idx not in (3, 4), "no PCR3/PCR4")
        need(len(digests) == 1 and digests[0][0] == 7 and len(digests[0][1]) == 48,
             "PCR%d: one sha-384 (7) digest of 48 bytes" % idx)
        print("PCR%d: %s" % (idx, digests[0][1].hex()))
    if image is not None:
        sha256, _ = image_digests(image)
        need(m[0] == "qt:sha256:" + sha256, "corim.id names the image's sha256")
        print("id: names the image")
    # Deterministic: re-encoding canonically gives the same bytes.
    return m


def cmd_corim(args):
    path = args[0]
    cert, image = opt(args, "--cert"), opt(args, "--image")
    with open(path, "rb") as f:
        data = f.read()
    top = cbor2.loads(data)
    if isinstance(top, cbor2.CBORTag) and top.tag == 18:
        prot_b, unprot, payload, sig = top.value
        prot = cbor2.loads(prot_b)
        need(prot.get(1) in COSE_ALGS, "alg is ES256/384/512")
        need(prot.get(3) == "application/rim+cbor", "content type application/rim+cbor")
        meta = cbor2.loads(prot[8])
        need(isinstance(meta[0][0], str), "corim-meta signer-name")
        need(unprot == {}, "empty unprotected header")
        need(payload[:3] == b"\xd9\x01\xf5", "payload starts with tag 501")
        print("COSE_Sign1: tag 18, alg %d, signer %s" % (prot[1], meta[0][0]))
        md, n = COSE_ALGS[prot[1]]
        need(len(sig) == 2 * n, "signature is r||s of %d bytes" % (2 * n))
        if cert is not None:
            tbs = cbor2.dumps(["Signature1", prot_b, b"", payload])
            der = encode_dss_signature(int.from_bytes(sig[:n], "big"), int.from_bytes(sig[n:], "big"))
            try:
                cert_key(cert).verify(der, tbs, ec.ECDSA(md()))
            except InvalidSignature:
                raise Fail("COSE signature verifies with %s" % cert)
            print("signature: ok")
        data = payload
        top = cbor2.loads(payload)
    check_corim_map(top, image)
    need(cbor2.dumps(top, canonical=True) == data, "deterministic encoding (RFC 8949 4.2.1)")
    print("deterministic: yes")


def diag(v, ind=""):
    if isinstance(v, cbor2.CBORTag):
        if v.tag in (506,) and isinstance(v.value, bytes):
            return "%d(<< %s >>)" % (v.tag, diag(cbor2.loads(v.value), ind))
        return "%d(%s)" % (v.tag, diag(v.value, ind))
    if isinstance(v, dict):
        nxt = ind + "  "
        items = ["%s%s: %s" % (nxt, diag(k, nxt), diag(x, nxt)) for k, x in v.items()]
        return ("{\n" + ",\n".join(items) + "\n" + ind + "}") if items else "{}"
    if isinstance(v, list):
        nxt = ind + "  "
        items = ["%s%s" % (nxt, diag(x, nxt)) for x in v]
        return ("[\n" + ",\n".join(items) + "\n" + ind + "]") if items else "[]"
    if isinstance(v, bytes):
        return "h'%s'" % v.hex()
    if isinstance(v, str):
        return json.dumps(v)
    if v is True or v is False or v is None:
        return {True: "true", False: "false", None: "null"}[v]
    return str(v)


def cmd_diag(args):
    with open(args[0], "rb") as f:
        print(diag(cbor2.loads(f.read())))


def b64(text):
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cmd_dsse(args):
    path, cert, image = args[0], opt(args, "--cert"), opt(args, "--image")
    with open(path) as f:
        env = json.load(f)
    ptype = env["payloadType"]
    body = b64(env["payload"])
    pae = b"DSSEv1 %d %s %d %s" % (len(ptype.encode()), ptype.encode(), len(body), body)
    key = cert_key(cert)
    md = CURVE_HASH[key.curve.name]
    ok = False
    for s in env["signatures"]:
        try:
            key.verify(b64(s["sig"]), pae, ec.ECDSA(md()))
            ok = True
            break
        except InvalidSignature:
            pass
    need(ok, "DSSE signature verifies with %s" % cert)
    print("signature: ok (%s, %s)" % (key.curve.name, md.name))
    need(ptype == "application/vnd.in-toto+json", "payloadType application/vnd.in-toto+json")
    st = json.loads(body)
    need(st["_type"] == "https://in-toto.io/Statement/v1", "_type is Statement v1")
    print("predicateType: %s" % st["predicateType"])
    if image is not None:
        sha256, sha384 = image_digests(image)
        need(any(s["digest"].get("sha256") == sha256 and s["digest"].get("sha384") == sha384
                 for s in st["subject"]), "a subject has the image's sha256 and sha384")
        print("subject: matches the image")


def cmd_schema(args):
    import jsonschema
    with open(args[0]) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    bad = 0
    for path in args[1:]:
        with open(path) as f:
            errs = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(f)))
        print(path, "valid" if not errs else "invalid: " + errs[0].message[:80])
        bad |= bool(errs)
    if bad:
        raise Fail("schema")


def main():
    cmds = {"corim": cmd_corim, "diag": cmd_diag, "dsse": cmd_dsse, "schema": cmd_schema}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        sys.stderr.write(__doc__ if __doc__ else "usage: supply_check.py corim|diag|dsse|schema ...\n")
        return 2
    try:
        cmds[sys.argv[1]](sys.argv[2:])
    except Fail as e:
        print("FAILED: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
