"""A second writer of the Hugging Face cache that behaves as huggingface_hub does, with the real
`filelock` package: it takes `.locks/<repo folder>/<etag>.lock` (filelock.FileLock: flock on
POSIX) and then writes the blob.

Modes (argv[1]):
  hold LOCK SECONDS            take the lock, print "locked", hold it, release
  new CACHE FOLDER ETAG URL    huggingface_hub >= 1.18: <etag>.<8 hex>.incomplete, renamed when done
  old CACHE FOLDER ETAG URL    huggingface_hub < 1.18: appends to the shared <etag>.incomplete
  stale CACHE FOLDER ETAG N    leave an abandoned <etag>.incomplete of N bytes (a crashed writer)
Prints one line per step, so a test can follow it.
"""
import os
import secrets
import sys
import time
import urllib.request

from filelock import FileLock


def lock_for(cache, folder, etag):
    path = os.path.join(cache, ".locks", folder, f"{etag}.lock")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return FileLock(path)


def fetch(url, out, start):
    req = urllib.request.Request(url, headers={"Range": f"bytes={start}-"} if start else {})
    with urllib.request.urlopen(req) as res:
        while True:
            chunk = res.read(1 << 16)
            if not chunk:
                break
            out.write(chunk)
            out.flush()


def main():
    mode = sys.argv[1]
    if mode == "hold":
        os.makedirs(os.path.dirname(sys.argv[2]), exist_ok=True)
        lock = FileLock(sys.argv[2])
        with lock:
            print("locked", flush=True)
            time.sleep(float(sys.argv[3]))
        print("released", flush=True)
        return
    cache, folder, etag = sys.argv[2], sys.argv[3], sys.argv[4]
    blobs = os.path.join(cache, folder, "blobs")
    os.makedirs(blobs, exist_ok=True)
    if mode == "stale":
        with open(os.path.join(blobs, f"{etag}.incomplete"), "wb") as f:
            f.write(b"\0" * int(sys.argv[5]))
        print("stale", flush=True)
        return
    url = sys.argv[5]
    with lock_for(cache, folder, etag):
        print("locked", flush=True)
        final = os.path.join(blobs, etag)
        if os.path.exists(final):
            print("present", flush=True)
            return
        if mode == "new":
            tmp = os.path.join(blobs, f"{etag}.{secrets.token_hex(4)}.incomplete")
            with open(tmp, "wb") as out:
                fetch(url, out, 0)
        else:
            tmp = os.path.join(blobs, f"{etag}.incomplete")
            start = os.path.getsize(tmp) if os.path.exists(tmp) else 0
            with open(tmp, "ab") as out:
                fetch(url, out, start)
        os.replace(tmp, final)
        print("done", flush=True)


if __name__ == "__main__":
    main()
