/**
 * Every test runs with freed read slabs poisoned (src-main/xet/read-slabs.ts): a xorb byte read
 * after its slab was given back reads 0xEE, and the download fails its checks instead of passing by
 * luck because the slab was not lent again yet.
 */
import { poisonFreedReads } from '../../src-main/xet/read-slabs';

poisonFreedReads(true);
