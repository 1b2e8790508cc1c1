"""huggingface_hub 2.0's own code, driven by the shared-store tests (test/cache/*).

  build CACHE SPEC_JSON   write repos as hf_hub_download does after a Xet download: the blob lands in
                          <repo>/blobs/<sha256>, then `publish_blob_to_shared_store` (or, when the payload
                          is already there, `try_link_from_shared_store`) and `_create_symlink`; refs as Python
                          writes them. SPEC: [{"folder", "commit", "refs": [...], "files": [{"path", "hex",
                          "xet": <xet hash or null>}]}]
  scan CACHE              scan_cache_dir as JSON: physical size, repos with their logical sizes, warnings
  load CACHE REPO FILE    offline hf_hub_download, then the sha256 of what it returns
  link CACHE FOLDER ETAG XET SIZE   try_link_from_shared_store only (a second repo reusing a payload)
  churn CACHE ROUNDS SHARED_HEX  a busy second machine: each round builds models--py--r<i%3> (a payload shared
                          with everyone and one of its own) as hf_hub_download does, deletes the next repo
                          with DeleteCacheStrategy, and every fifth round prunes unreferenced payloads
  write CACHE FOLDER COMMIT PATH HEX LOCK_ETAG   as hf_hub_download's last steps: under the blob lock
                          .locks/FOLDER/LOCK_ETAG.lock (WeakFileLock), the blob (temp + rename), its snapshot
                          link and refs/main; prints "waiting" before taking the lock and "done" after
"""
import hashlib
import json
import os
import sys

from huggingface_hub import hf_hub_download, scan_cache_dir
from huggingface_hub.file_download import _create_symlink
from huggingface_hub.utils import WeakFileLock, _shared_blobs


def build(cache, spec):
    for repo in spec:
        folder = os.path.join(cache, repo["folder"])
        for f in repo["files"]:
            data = bytes.fromhex(f["hex"])
            lfs = f.get("xet") is not None or f.get("lfs", False)
            etag = hashlib.sha256(data).hexdigest() if lfs else git_sha1(data)
            blob = os.path.join(folder, "blobs", etag)
            pointer = os.path.join(folder, "snapshots", repo["commit"], *f["path"].split("/"))
            os.makedirs(os.path.dirname(blob), exist_ok=True)
            os.makedirs(os.path.dirname(pointer), exist_ok=True)
            lock = os.path.join(cache, ".locks", repo["folder"], f"{etag}.lock")
            os.makedirs(os.path.dirname(lock), exist_ok=True)
            with WeakFileLock(lock):
                write_blob(cache, f, data, blob, pointer)
        for ref in repo.get("refs", []):
            path = os.path.join(folder, "refs", *ref.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as out:
                out.write(repo["commit"])


def write_blob(cache, f, data, blob, pointer):
    shared = False
    if f.get("xet") and not os.path.lexists(blob):
        shared = _shared_blobs.try_link_from_shared_store(
            blob_path=blob, xet_hash=f["xet"], cache_dir=cache, expected_size=len(data)
        )
    if not shared and not os.path.lexists(blob):
        with open(blob + ".tmp", "wb") as out:
            out.write(data)
        os.replace(blob + ".tmp", blob)
        if f.get("xet"):
            shared = _shared_blobs.publish_blob_to_shared_store(
                blob_path=blob, xet_hash=f["xet"], cache_dir=cache, expected_size=len(data)
            )
    if not os.path.lexists(pointer):
        _create_symlink(blob, pointer, new_blob=not shared)


def churn(cache, rounds, shared):
    for i in range(rounds):
        own = hashlib.sha256(f"py-{i}".encode()).digest() * 40
        files = [
            {"path": "shared.bin", "hex": shared.hex(), "xet": xet_of(shared)},
            {"path": f"own{i}.bin", "hex": own.hex(), "xet": xet_of(own)},
        ]
        build(cache, [{"folder": f"models--py--r{i % 3}", "commit": hashlib.sha1(f"py{i}".encode()).hexdigest(), "refs": ["main"], "files": files}])
        info = scan_quietly(cache)
        doomed = [r for r in info.repos if r.repo_id == f"py/r{(i + 1) % 3}"]
        if doomed:
            try:
                info.delete_revisions(*[rev.commit_hash for rev in doomed[0].revisions]).execute()
            except OSError:
                pass  # its rmtree meets a folder another machine is changing: the next round deletes it
        if i % 5 == 4:
            for store_path in _shared_blobs.unreferenced_shared_blobs(cache):
                _shared_blobs.sweep_shared_blob(store_path, cache_dir=cache)
        print(f"round {i}", flush=True)


def scan_quietly(cache):
    # scan_cache_dir itself fails when another machine deletes a repo folder while it walks it
    # (FileNotFoundError from its refs glob): the scan is simply done again, as a user would.
    for _ in range(20):
        try:
            return scan_cache_dir(cache)
        except FileNotFoundError:
            continue
    return scan_cache_dir(cache)


def xet_of(data):
    return hashlib.sha256(b"xet:" + data).hexdigest()


def git_sha1(data):
    h = hashlib.sha1()
    h.update(f"blob {len(data)}\0".encode())
    h.update(data)
    return h.hexdigest()


def scan(cache):
    info = scan_cache_dir(cache)
    print(
        json.dumps(
            {
                "size_on_disk": info.size_on_disk,
                "repos": {f"{r.repo_type}:{r.repo_id}": r.size_on_disk for r in info.repos},
                "revisions": sorted(rev.commit_hash for r in info.repos for rev in r.revisions),
                "warnings": [str(w) for w in info.warnings],
            }
        )
    )


def load(cache, repo, filename):
    path = hf_hub_download(repo, filename, cache_dir=cache)
    with open(path, "rb") as f:
        print(hashlib.sha256(f.read()).hexdigest())


def main():
    mode, cache = sys.argv[1], sys.argv[2]
    if mode == "build":
        build(cache, json.loads(sys.argv[3]))
    elif mode == "scan":
        scan(cache)
    elif mode == "load":
        load(cache, sys.argv[3], sys.argv[4])
    elif mode == "link":
        folder, etag, xet, size = sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
        blob = os.path.join(cache, folder, "blobs", etag)
        os.makedirs(os.path.dirname(blob), exist_ok=True)
        print(_shared_blobs.try_link_from_shared_store(blob_path=blob, xet_hash=xet, cache_dir=cache, expected_size=size))
    elif mode == "churn":
        churn(cache, int(sys.argv[3]), bytes.fromhex(sys.argv[4]))
    elif mode == "write":
        folder, commit, file, data, lock_etag = sys.argv[3], sys.argv[4], sys.argv[5], bytes.fromhex(sys.argv[6]), sys.argv[7]
        lock = os.path.join(cache, ".locks", folder, f"{lock_etag}.lock")
        print("waiting", flush=True)
        with WeakFileLock(lock):
            repo = os.path.join(cache, folder)
            blob = os.path.join(repo, "blobs", hashlib.sha256(data).hexdigest())
            os.makedirs(os.path.dirname(blob), exist_ok=True)
            with open(blob + ".tmp", "wb") as out:
                out.write(data)
            os.replace(blob + ".tmp", blob)
            pointer = os.path.join(repo, "snapshots", commit, file)
            os.makedirs(os.path.dirname(pointer), exist_ok=True)
            _create_symlink(blob, pointer, new_blob=True)
            os.makedirs(os.path.join(repo, "refs"), exist_ok=True)
            with open(os.path.join(repo, "refs", "main"), "w") as out:
                out.write(commit)
        print("done", flush=True)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
