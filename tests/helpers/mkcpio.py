#!/usr/bin/env python3
# mkcpio.py OUT ENTRY...: a cpio newc archive written byte by byte (an
# independent writer for the tests of qt-measure ls/extract/diff, including
# entries no well-behaved tool writes: "../x", "/abs", links out of the tree).
# ENTRY is TYPE:PATH[:ARG], TYPE one of
#   f  regular file, ARG its content (default empty)
#   d  directory
#   l  symlink, ARG its target
#   c  character device, ARG "major,minor"
#   p  fifo
# TYPE may be followed by octal permission bits (f4755: a set-user-ID file);
# the default is 0755 (d), 0644 (f, c, p) or 0777 (l). uid/gid and mtime
# are 0, or $MKCPIO_UID (for both) and $MKCPIO_MTIME.
import os
import sys

out, specs = sys.argv[1], sys.argv[2:]
buf = bytearray()


def entry(ino, mode, name, data=b"", rmaj=0, rmin=0):
    name_b = name.encode() + b"\0"
    uid = int(os.environ.get("MKCPIO_UID", "0")) if mode else 0
    mtime = int(os.environ.get("MKCPIO_MTIME", "0")) if mode else 0
    fields = [ino, mode, uid, uid, 1, mtime, len(data), 0, 0, rmaj, rmin, len(name_b), 0]
    hdr = b"070701" + b"".join(b"%08x" % f for f in fields)
    buf.extend(hdr + name_b)
    buf.extend(b"\0" * (-len(buf) % 4))
    buf.extend(data)
    buf.extend(b"\0" * (-len(buf) % 4))


for i, spec in enumerate(specs, start=1):
    head, _, rest = spec.partition(":")
    path, _, arg = rest.partition(":")
    typ = head[0]
    perm = int(head[1:], 8) if len(head) > 1 else None
    if typ == "f":
        entry(i, 0o100000 | (perm if perm is not None else 0o644), path, arg.encode())
    elif typ == "d":
        entry(i, 0o040000 | (perm if perm is not None else 0o755), path)
    elif typ == "l":
        entry(i, 0o120777, path, arg.encode())
    elif typ == "c":
        maj, mnr = (int(x) for x in arg.split(","))
        entry(i, 0o020644, path, b"", maj, mnr)
    elif typ == "p":
        entry(i, 0o010644, path)
    else:
        sys.exit("mkcpio.py: unknown type " + typ)
entry(0, 0, "TRAILER!!!")
buf.extend(b"\0" * (-len(buf) % 512))
open(out, "wb").write(bytes(buf))
