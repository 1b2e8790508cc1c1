/**
 * The Hub's half of a Xet upload (docs/hub-protocol.md §5.7; what @huggingface/hub's commit reads):
 * an LFS batch answered with `transfer: "xet"` gives each object to upload an `upload` action whose
 * href is the repo's write-token route (the client's refresh URL) and whose headers carry a first
 * CAS write token (`X-Xet-Cas-Url`, `X-Xet-Access-Token`, `X-Xet-Token-Expiration`,
 * `X-Xet-Session-Id`); the route itself answers a fresh token as JSON and as the same headers.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { XetUploads } from './upload';

export interface XetSide {
  uploads: XetUploads;
  casUrl: string;
}

/** One object of a `transfer: "xet"` batch answer. */
export function xetBatchObject(side: XetSide, o: { oid: string; size: number; writeTokenUrl: string; scope: string }) {
  const { accessToken, exp } = side.uploads.issueWriteToken(o.scope);
  return {
    oid: o.oid,
    size: o.size,
    authenticated: true,
    actions: {
      upload: {
        href: o.writeTokenUrl,
        header: {
          'X-Xet-Cas-Url': side.casUrl,
          'X-Xet-Access-Token': accessToken,
          'X-Xet-Token-Expiration': String(exp),
          'X-Xet-Session-Id': randomUUID(),
        },
      },
    },
  };
}

/** Answers GET /api/{type}s/{repo}/xet-write-token/{rev} once the caller may write there. */
export function xetWriteToken(res: http.ServerResponse, side: XetSide, scope: string): void {
  const { accessToken, exp } = side.uploads.issueWriteToken(scope);
  const body = JSON.stringify({ accessToken, casUrl: side.casUrl, exp });
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'X-Xet-Cas-Url': side.casUrl,
    'X-Xet-Access-Token': accessToken,
    'X-Xet-Token-Expiration': String(exp),
  });
  res.end(body);
}
