/**
 * How fast V8 copies into and out of shared memory (docs/performance.md, "The workers decode in
 * the arena"): 64 MiB in 64 KiB pieces, `set` from a plain Buffer into a SharedArrayBuffer and
 * back, with source and target at the same address mod 8 and not. The decode pool lays batches
 * out for the fast case (xet/decode-batch.ts, alignGap); this shows why.
 *
 *   npx tsx bench/shared-copy.ts [--rounds 6]
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '6' } } });
const ROUNDS = Number(values.rounds);
const TOTAL = 64 << 20;
const PIECE = 64 << 10;

const plain = Buffer.alloc(TOTAL + 64, 7);
const shared = Buffer.from(new SharedArrayBuffer(TOTAL + 64));
const plainTarget = Buffer.alloc(TOTAL + 64);

/** Best of the rounds, in ms, of copying every piece from `from + src` to `to + dst`. */
function best(from: Buffer, to: Buffer, src: number, dst: number): number {
  let ms = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < TOTAL; i += PIECE) to.set(from.subarray(i + src, i + src + PIECE), i + dst);
    ms = Math.min(ms, performance.now() - t0);
  }
  return ms;
}

console.log(`64 MiB in 64 KiB pieces, best of ${ROUNDS} (ms):`);
console.log('offsets (source, target)   plain→shared   shared→plain   plain→plain');
for (const [src, dst] of [
  [0, 0],
  [3, 3],
  [0, 8],
  [0, 3],
  [3, 0],
  [5, 1],
] as const) {
  const row = [best(plain, shared, src, dst), best(shared, plainTarget, src, dst), best(plain, plainTarget, src, dst)];
  console.log(`${`(${src}, ${dst})`.padEnd(27)}${row.map((ms) => ms.toFixed(1).padStart(12)).join('   ')}`);
}
