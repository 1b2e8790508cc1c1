/** transferXet against a fakehub's Xet file, into a fresh temp file: the setup the transfer tests share. */
import fs from 'node:fs';
import path from 'node:path';
import { transferXet, type XetTransferOptions, type XetTransferRequest } from '../../src-main/downloads/xet-transfer';
import { sha256Of, type Content } from '../fakehub/content';
import type { FakeHub } from '../fakehub/server';
import { hubHttp } from './hub';
import { tmpDir } from './tmp';

/** File `file` (holding `content`) of repo `id`'s first commit (or the `nth`) on the fakehub, as transferXet is asked for it. */
export function xetRequest(hub: FakeHub, id: string, file: string, content: Content, nth = 0): XetTransferRequest {
  const repo = hub.repos.get(`model:${id}`);
  const commit = repo?.commits[nth];
  const entry = commit?.files.get(file);
  const x = repo && entry ? hub.xet?.fileOf(repo, entry) : undefined;
  if (!x || !commit) throw new Error(`no Xet file ${file} in ${id}`);
  return {
    xetHash: x.hash,
    refreshUrl: `${hub.url}/api/models/${id}/xet-read-token/${commit.sha}`,
    size: content.size,
    sha256: sha256Of(content),
    ctx: { repo: id, path: file },
  };
}

/** Runs the transfer into a new temp file (hashing inline, retries without waiting); the file is left for the test to read. */
export async function transferInto(hub: FakeHub, req: XetTransferRequest, extra: Partial<XetTransferOptions> = {}, token?: string) {
  const file = path.join(tmpDir(), 'blob.incomplete');
  const fh = await fs.promises.open(file, 'w+');
  try {
    const r = await transferXet(hubHttp(hub, token ? { token } : {}), fh, req, {
      signal: new AbortController().signal,
      hashOffThread: false,
      sleep: async () => {},
      ...extra,
    });
    return { r, file };
  } finally {
    await fh.close();
  }
}
