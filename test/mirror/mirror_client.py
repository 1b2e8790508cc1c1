"""A Hub client on another machine: downloads through HF_ENDPOINT (the mirror) and prints what it got.

usage: mirror_client.py snapshot REPO CACHE [REVISION]   -> {"folder": ..., "files": {path: sha256}}
       mirror_client.py file REPO CACHE REVISION PATH    -> {"path": ..., "sha256": ...}
(MIRROR_REPO_TYPE=dataset for a dataset)
"""
import hashlib
import json
import os
import sys

from huggingface_hub import hf_hub_download, snapshot_download


def sha256(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


mode, repo, cache = sys.argv[1:4]
repo_type = os.environ.get("MIRROR_REPO_TYPE", "model")
if mode == "snapshot":
    revision = sys.argv[4] if len(sys.argv) > 4 else None
    folder = snapshot_download(repo, cache_dir=cache, revision=revision, repo_type=repo_type)
    files = {}
    for root, _, names in os.walk(folder):
        for n in names:
            full = os.path.join(root, n)
            files[os.path.relpath(full, folder).replace(os.sep, "/")] = sha256(full)
    print(json.dumps({"folder": folder, "files": files}))
else:
    revision, path = sys.argv[4:6]
    p = hf_hub_download(repo, path, cache_dir=cache, revision=revision, repo_type=repo_type)
    print(json.dumps({"path": p, "sha256": sha256(p)}))
