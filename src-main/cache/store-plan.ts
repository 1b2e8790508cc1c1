/**
 * What a deletion frees in a cache with huggingface_hub 2.x's shared store (#24.2), predicted by
 * the rule the sweep applies (store-write.ts): a payload goes only when every reference to it —
 * its manifest's valid lines and every link a scan saw, registered or not — is being removed. A
 * missing or unreadable manifest frees nothing.
 */
import path from 'node:path';
import type { CacheScan } from './scan';
import { validReferences } from './shared-store';

/** Payload → every repo blob link the scan saw leading to it (used by snapshots or not). */
export function linksByPayload(scan: CacheScan): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (payload: string, link: string) => out.set(payload, (out.get(payload) ?? new Set()).add(path.resolve(link)));
  for (const repo of scan.repos) for (const rev of repo.revisions) for (const f of rev.files) if (f.storePath) add(f.storePath, f.blobPath);
  for (const o of scan.orphans) if (o.storePath) add(o.storePath, o.path);
  return out;
}

export interface PayloadFate {
  payload: string;
  size: number;
  /** Freed when the plan runs (else kept, and why). */
  freed: boolean;
  why?: 'shared' | 'unknown-manifest';
  /** Links the scan saw that the plan leaves in place (they keep it; the sweep registers them). */
  remaining: string[];
}

/** The fate of each payload whose links the plan removes. */
export function payloadFates(scan: CacheScan, removedLinks: ReadonlySet<string>, touched: Iterable<string>): PayloadFate[] {
  const links = linksByPayload(scan);
  const sizes = new Map<string, number>();
  for (const repo of scan.repos) for (const rev of repo.revisions) for (const f of rev.files) if (f.storePath) sizes.set(f.storePath, f.size);
  for (const o of scan.orphans) if (o.storePath) sizes.set(o.storePath, o.size);
  for (const u of scan.store.unlinked) sizes.set(u.path, u.size);
  const out: PayloadFate[] = [];
  for (const payload of new Set(touched)) {
    const remaining = [...(links.get(payload) ?? [])].filter((l) => !removedLinks.has(l));
    const refs = validReferences(scan.root, payload);
    const size = sizes.get(payload) ?? 0;
    if (refs === null) out.push({ payload, size, freed: false, why: 'unknown-manifest', remaining });
    else if (remaining.length || [...refs].some((r) => !removedLinks.has(r))) out.push({ payload, size, freed: false, why: 'shared', remaining });
    else out.push({ payload, size, freed: true, remaining });
  }
  return out;
}
