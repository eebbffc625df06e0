#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""verify_doc.py: the relying party of verify-doc.c in Python, through ctypes
(standard library only). It verifies an attestation document with
libqtverify and, only if every check passed, prints the public key the
enclave asked secrets to be encrypted to.

usage: verify_doc.py --root ROOT [--at now|doc|MS] [--manifest FILE]
                     [--pcr N=HEX]... [--nonce HEX] DOC
Exit 0: verified (key printed); 1: refused (failed checks printed);
2: could not check (one line on stderr). QTVERIFY_LIB names the library
(default: libqtverify.so.0 from the loader's search path).
"""
import argparse
import ctypes
import os
import sys

QTV_OK, QTV_MISMATCH = 0, 1
QTV_CHECK_FAIL = 1
QTV_AT_NOW = -(2**63)
QTV_AT_DOCUMENT = -(2**63) + 1
QTV_ERRMSG_MAX = 512
PCR_LEN = 48

u8p = ctypes.POINTER(ctypes.c_uint8)
sizep = ctypes.POINTER(ctypes.c_size_t)


def load(path):
    """The library with the prototypes of qt/verify.h this program uses."""
    lib = ctypes.CDLL(path)
    proto = {
        "qtv_status_name": (ctypes.c_char_p, [ctypes.c_int]),
        "qtv_expect_new": (ctypes.c_void_p, []),
        "qtv_expect_free": (None, [ctypes.c_void_p]),
        "qtv_expect_from_manifest": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_size_t,
                                                    ctypes.POINTER(ctypes.c_void_p),
                                                    ctypes.c_char_p, ctypes.c_size_t]),
        "qtv_expect_set_pcr": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_uint, ctypes.c_char_p,
                                              ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]),
        "qtv_expect_set_nonce": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p,
                                                ctypes.c_size_t, ctypes.c_char_p,
                                                ctypes.c_size_t]),
        "qtv_verify": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                      ctypes.c_size_t, ctypes.c_int64, ctypes.c_void_p,
                                      ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p,
                                      ctypes.c_size_t]),
        "qtv_result_free": (None, [ctypes.c_void_p]),
        "qtv_result_profile": (ctypes.c_char_p, [ctypes.c_void_p]),
        "qtv_result_module_id": (ctypes.c_char_p, [ctypes.c_void_p]),
        "qtv_result_timestamp_ms": (ctypes.c_uint64, [ctypes.c_void_p]),
        "qtv_result_check_count": (ctypes.c_size_t, [ctypes.c_void_p]),
        "qtv_result_check_name": (ctypes.c_char_p, [ctypes.c_void_p, ctypes.c_size_t]),
        "qtv_result_check_verdict": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t]),
        "qtv_result_check_detail": (ctypes.c_char_p, [ctypes.c_void_p, ctypes.c_size_t]),
        "qtv_result_public_key": (u8p, [ctypes.c_void_p, sizep]),
    }
    for name, (res, args) in proto.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args
    return lib


class Refused(Exception):
    """Could not check: the message of libqtverify."""


def expectations(lib, args):
    msg = ctypes.create_string_buffer(QTV_ERRMSG_MAX)
    e = ctypes.c_void_p()
    if args.manifest:
        with open(args.manifest, "rb") as f:
            data = f.read()
        if lib.qtv_expect_from_manifest(data, len(data), ctypes.byref(e), msg,
                                        len(msg)) != QTV_OK:
            raise Refused("%s: %s" % (args.manifest, msg.value.decode()))
    else:
        e = ctypes.c_void_p(lib.qtv_expect_new())
        if not e.value:
            raise MemoryError()
    for spec in args.pcr:
        index, _, value = spec.partition("=")
        v = bytes.fromhex(value)
        if lib.qtv_expect_set_pcr(e, int(index), v, len(v), msg, len(msg)) != QTV_OK:
            lib.qtv_expect_free(e)
            raise Refused(msg.value.decode())
    if args.nonce is not None:
        v = bytes.fromhex(args.nonce)
        if lib.qtv_expect_set_nonce(e, v, len(v), msg, len(msg)) != QTV_OK:
            lib.qtv_expect_free(e)
            raise Refused(msg.value.decode())
    return e


def main():
    p = argparse.ArgumentParser(prog="verify_doc.py")
    p.add_argument("--root", required=True)
    p.add_argument("--at", default="now")
    p.add_argument("--manifest")
    p.add_argument("--pcr", action="append", default=[])
    p.add_argument("--nonce")
    p.add_argument("doc")
    args = p.parse_args()
    at = {"now": QTV_AT_NOW, "doc": QTV_AT_DOCUMENT}.get(args.at)
    if at is None:
        at = int(args.at)

    lib = load(os.environ.get("QTVERIFY_LIB", "libqtverify.so.0"))
    with open(args.root, "rb") as f:
        root = f.read()
    with open(args.doc, "rb") as f:
        doc = f.read()
    try:
        e = expectations(lib, args)
    except (Refused, ValueError) as ex:
        print("verify_doc.py: %s" % ex, file=sys.stderr)
        return 2
    msg = ctypes.create_string_buffer(QTV_ERRMSG_MAX)
    r = ctypes.c_void_p()
    try:
        rc = lib.qtv_verify(doc, len(doc), root, len(root), at, e, ctypes.byref(r), msg,
                            len(msg))
        if rc not in (QTV_OK, QTV_MISMATCH):
            print("verify_doc.py: %s: %s (%s)" % (args.doc, msg.value.decode(),
                                                 lib.qtv_status_name(rc).decode()),
                  file=sys.stderr)
            return 2
        if rc == QTV_MISMATCH:
            for i in range(lib.qtv_result_check_count(r)):
                if lib.qtv_result_check_verdict(r, i) == QTV_CHECK_FAIL:
                    print("refused: %s: %s" % (lib.qtv_result_check_name(r, i).decode(),
                                               lib.qtv_result_check_detail(r, i).decode()))
            return 1
        print("verified: %s document of %s at %d ms" % (
            lib.qtv_result_profile(r).decode(), lib.qtv_result_module_id(r).decode(),
            lib.qtv_result_timestamp_ms(r)))
        n = ctypes.c_size_t()
        pk = lib.qtv_result_public_key(r, ctypes.byref(n))
        if not pk or n.value == 0:
            print("no public key: nothing to encrypt to")
            return 1
        print("encrypt to: " + ctypes.string_at(pk, n.value).hex())
        return 0
    finally:
        lib.qtv_result_free(r)
        lib.qtv_expect_free(e)


if __name__ == "__main__":
    sys.exit(main())
