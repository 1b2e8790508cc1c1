/**
 * The Xet shard format (xet-core xet_core_structures/metadata_shard/shard_format.rs, file_structs.rs,
 * xorb_structs.rs; what @huggingface/hub's uploadShards writes): a 48-byte header (32-byte magic tag,
 * version u64 = 2, footer size u64), the file-info section, a bookend, the xorb-info section, a
 * bookend, then an optional 200-byte footer. Every record is 48 bytes; hashes are 32 bytes, their hex
 * xet's (each 8-byte word reversed, as `hashToHex`). Pure functions on bytes: parsing reads the two
 * sections in order (as xet-core's streaming parser does, so a shard without its footer is fine) and
 * checks every count against the bytes left before it sizes anything.
 */
import { hashToHex, hexToBytes } from '@huggingface/xetchunk-wasm';

export const SHARD_MAGIC = Buffer.from([
  72, 70, 82, 101, 112, 111, 77, 101, 116, 97, 68, 97, 116, 97, 0, 85, 105, 103, 69, 106, 123, 129, 87, 131, 165, 189, 217, 92, 205, 209, 74, 169,
]);
const HEADER_BYTES = 48;
const RECORD = 48;
const FOOTER_BYTES = 200;
const BOOKEND = 'f'.repeat(64);
export const FILE_FLAG_VERIFICATION = 0x80000000;
export const FILE_FLAG_METADATA_EXT = 0x40000000;

export interface ShardTerm {
  xorb: string;
  /** Chunk indices, end-exclusive. */
  start: number;
  end: number;
  unpacked: number;
  /** The term's verification (range) hash, when the shard carries them. */
  rangeHash: string | null;
}

export interface ShardFile {
  hash: string;
  terms: ShardTerm[];
  sha256: string | null;
}

export interface ShardXorb {
  hash: string;
  unpacked: number;
  packed: number;
  chunks: { hash: string; offset: number; length: number }[];
}

export interface Shard {
  files: ShardFile[];
  xorbs: ShardXorb[];
}

export class ShardError extends Error {}

class Reader {
  at = 0;
  constructor(readonly buf: Buffer) {}
  need(n: number, what: string): void {
    if (this.at + n > this.buf.length) throw new ShardError(`the shard ends inside ${what}`);
  }
  hash(): string {
    const h = hashToHex(this.buf.subarray(this.at, this.at + 32));
    this.at += 32;
    return h;
  }
  u32(): number {
    const v = this.buf.readUInt32LE(this.at);
    this.at += 4;
    return v;
  }
  skip(n: number): void {
    this.at += n;
  }
}

function readFile(r: Reader): ShardFile | null {
  r.need(RECORD, 'a file header');
  const hash = r.hash();
  const flags = r.u32();
  const n = r.u32();
  r.skip(8);
  if (hash === BOOKEND) return null;
  const withVerification = (flags & FILE_FLAG_VERIFICATION) !== 0;
  const withMeta = (flags & FILE_FLAG_METADATA_EXT) !== 0;
  r.need(n * RECORD * (withVerification ? 2 : 1) + (withMeta ? RECORD : 0), `the entries of file ${hash}`);
  const terms: ShardTerm[] = [];
  for (let i = 0; i < n; i++) {
    const xorb = r.hash();
    r.skip(4); // xorb flags
    const unpacked = r.u32();
    const start = r.u32();
    const end = r.u32();
    terms.push({ xorb, start, end, unpacked, rangeHash: null });
  }
  if (withVerification)
    for (const t of terms) {
      t.rangeHash = r.hash();
      r.skip(16);
    }
  let sha256: string | null = null;
  if (withMeta) {
    // The sha256 is raw bytes in the shard: xet-core writes it as a MerkleHash, so the same word order.
    sha256 = r.hash();
    r.skip(16);
  }
  return { hash, terms, sha256 };
}

function readXorb(r: Reader): ShardXorb | null {
  r.need(RECORD, 'a xorb header');
  const hash = r.hash();
  r.skip(4); // flags
  const n = r.u32();
  const unpacked = r.u32();
  const packed = r.u32();
  if (hash === BOOKEND) return null;
  r.need(n * RECORD, `the chunks of xorb ${hash}`);
  const chunks: ShardXorb['chunks'] = [];
  for (let i = 0; i < n; i++) {
    const h = r.hash();
    const offset = r.u32();
    const length = r.u32();
    r.skip(8);
    chunks.push({ hash: h, offset, length });
  }
  return { hash, unpacked, packed, chunks };
}

export function parseShard(buf: Buffer): Shard {
  if (buf.length < HEADER_BYTES || !buf.subarray(0, 32).equals(SHARD_MAGIC)) throw new ShardError('not a shard (bad magic tag)');
  const version = buf.readBigUInt64LE(32);
  if (version !== 2n) throw new ShardError(`shard header version ${version} (expected 2)`);
  const r = new Reader(buf);
  r.at = HEADER_BYTES;
  const files: ShardFile[] = [];
  for (let f = readFile(r); f; f = readFile(r)) files.push(f);
  const xorbs: ShardXorb[] = [];
  for (let x = readXorb(r); x; x = readXorb(r)) xorbs.push(x);
  const rest = buf.length - r.at;
  if (rest !== 0 && rest !== FOOTER_BYTES) throw new ShardError(`${rest} bytes after the xorb section (a footer is ${FOOTER_BYTES})`);
  if (rest === FOOTER_BYTES && buf.readBigUInt64LE(r.at) !== 1n) throw new ShardError('shard footer version is not 1');
  return { files, xorbs };
}

function writeHash(out: Buffer, at: number, hex: string): void {
  out.set(hexToBytes(hex), at);
}

/**
 * A shard of xorb records only, as the CAS answers a global-dedup query (xet-core
 * serialize_xorb_subset_with_expiry): chunk hashes keyed with `hmacKey` (the client keys its own
 * chunk hashes the same way to match them), the key and an expiry in the footer.
 */
export function dedupShard(xorbs: ShardXorb[], hmacKey: Uint8Array, expiry: number, hmac: (hash: string) => string): Buffer {
  const xorbBytes = xorbs.reduce((a, x) => a + RECORD * (1 + x.chunks.length), 0);
  const out = Buffer.alloc(HEADER_BYTES + RECORD + xorbBytes + RECORD + FOOTER_BYTES);
  SHARD_MAGIC.copy(out, 0);
  out.writeBigUInt64LE(2n, 32);
  out.writeBigUInt64LE(BigInt(FOOTER_BYTES), 40);
  let at = HEADER_BYTES;
  out.fill(0xff, at, at + 32); // empty file section: its bookend
  at += RECORD;
  const xorbStart = at;
  for (const x of xorbs) {
    writeHash(out, at, x.hash);
    out.writeUInt32LE(x.chunks.length, at + 36);
    out.writeUInt32LE(x.unpacked, at + 40);
    out.writeUInt32LE(x.packed, at + 44);
    at += RECORD;
    for (const c of x.chunks) {
      writeHash(out, at, hmac(c.hash));
      out.writeUInt32LE(c.offset, at + 32);
      out.writeUInt32LE(c.length, at + 36);
      at += RECORD;
    }
  }
  out.fill(0xff, at, at + 32);
  at += RECORD;
  const footer = at;
  out.writeBigUInt64LE(1n, footer);
  out.writeBigUInt64LE(BigInt(HEADER_BYTES), footer + 8);
  out.writeBigUInt64LE(BigInt(xorbStart), footer + 16);
  // No lookup tables: their offsets point at the footer, with no entries.
  for (const o of [24, 40, 56]) out.writeBigUInt64LE(BigInt(footer), footer + o);
  out.set(hmacKey, footer + 72);
  out.writeBigUInt64LE(BigInt(Math.floor(Date.now() / 1000)), footer + 104);
  out.writeBigUInt64LE(BigInt(expiry), footer + 112);
  out.writeBigUInt64LE(BigInt(footer), footer + 192);
  return out;
}
