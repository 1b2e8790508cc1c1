;; A chunk's decoding, the two loops that run over every byte of a Xet download: LZ4 blocks and
;; xet-core's byte grouping by 4 undone. Compiled into chunk-decode-wasm.ts
;; (test/xet/chunk-decode-wasm.test.ts checks they agree; its failure prints the bytes to paste there).
(module
  ;; Nine pages: a chunk's decoded bytes (its groups) at 0, its words at 128 KiB (xet-core's largest
  ;; chunk is 128 KiB), its stored frame at 256 KiB (at most twice that), and 64 KiB that reads past
  ;; a frame's end may touch. The 128-bit copies below spill up to 32 bytes past a block's output,
  ;; into the next region, which is written after (words) or never read (past the frame).
  ;; The decode workers' build replaces the next line with an import of the pool's shared arena,
  ;; `(import "env" "memory" (memory 1 65536 shared))` (chunk-decode-wasm.ts): there a batch is read
  ;; and decoded where the arena holds it, at addresses the pool chose, with room for the spill.
  (memory (export "memory") 9 9)
  ;; Interleaves the four byte groups at src, src+s1, src+s2 and src+s3 into 4-byte words at dst:
  ;; `blocks` steps, each 16 bytes of every group into 64 bytes of words.
  (func (export "regroup") (param $src i32) (param $dst i32) (param $blocks i32) (param $s1 i32) (param $s2 i32) (param $s3 i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $ab v128) (local $cd v128) (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $blocks) (i32.const 4))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $a (v128.load (local.get $src)))
        (local.set $b (v128.load (i32.add (local.get $src) (local.get $s1))))
        (local.set $c (v128.load (i32.add (local.get $src) (local.get $s2))))
        (local.set $d (v128.load (i32.add (local.get $src) (local.get $s3))))
        ;; Low halves: a0 b0 a1 b1 … and c0 d0 c1 d1 …, then pairs of pairs: a0 b0 c0 d0 a1 b1 c1 d1 …
        (local.set $ab (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $a) (local.get $b)))
        (local.set $cd (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $c) (local.get $d)))
        (v128.store (local.get $dst) (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $ab) (local.get $cd)))
        (v128.store offset=16 (local.get $dst) (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $ab) (local.get $cd)))
        ;; High halves, the same way.
        (local.set $ab (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $a) (local.get $b)))
        (local.set $cd (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $c) (local.get $d)))
        (v128.store offset=32 (local.get $dst) (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $ab) (local.get $cd)))
        (v128.store offset=48 (local.get $dst) (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $ab) (local.get $cd)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
        (br $next))))
  ;; Decodes the LZ4 block at [src, src+slen) into [dst, dst+dlen) and returns the bytes written, or
  ;; -1 when the block is malformed or does not fit. Every length and offset is checked before it is
  ;; used (the bytes come from the network); copies of up to 16 literals or 32 match bytes run as
  ;; 128-bit loads and stores, the rest as memory.copy, which made it ~1.4x lz4-napi here.
  (func (export "lz4block") (param $src i32) (param $slen i32) (param $dst i32) (param $dlen i32) (result i32)
    (local $ip i32) (local $iend i32) (local $op i32) (local $oend i32)
    (local $token i32) (local $lit i32) (local $b i32) (local $off i32) (local $ml i32) (local $step i32) (local $n i32)
    (local.set $ip (local.get $src))
    (local.set $iend (i32.add (local.get $src) (local.get $slen)))
    (local.set $op (local.get $dst))
    (local.set $oend (i32.add (local.get $dst) (local.get $dlen)))
    (block $bad
      (block $done
        (loop $seq
          (br_if $bad (i32.ge_u (local.get $ip) (local.get $iend)))
          (local.set $token (i32.load8_u (local.get $ip)))
          (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
          (local.set $lit (i32.shr_u (local.get $token) (i32.const 4)))
          (if (i32.eq (local.get $lit) (i32.const 15))
            (then
              (loop $more
                (br_if $bad (i32.ge_u (local.get $ip) (local.get $iend)))
                (local.set $b (i32.load8_u (local.get $ip)))
                (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
                (local.set $lit (i32.add (local.get $lit) (local.get $b)))
                (br_if $more (i32.eq (local.get $b) (i32.const 255))))))
          ;; The literals must lie in the input and fit the output (unsigned: no wrap past 4 GiB here).
          (br_if $bad (i32.gt_u (local.get $lit) (i32.sub (local.get $iend) (local.get $ip))))
          (br_if $bad (i32.gt_u (local.get $lit) (i32.sub (local.get $oend) (local.get $op))))
          ;; Up to 16 literals in one 128-bit copy: both regions are followed by slack it may spill into.
          (if (i32.le_u (local.get $lit) (i32.const 16))
            (then (v128.store (local.get $op) (v128.load (local.get $ip))))
            (else (memory.copy (local.get $op) (local.get $ip) (local.get $lit))))
          (local.set $op (i32.add (local.get $op) (local.get $lit)))
          (local.set $ip (i32.add (local.get $ip) (local.get $lit)))
          ;; The last sequence is literals only.
          (br_if $done (i32.eq (local.get $ip) (local.get $iend)))
          (br_if $bad (i32.lt_u (i32.sub (local.get $iend) (local.get $ip)) (i32.const 2)))
          (local.set $off (i32.load16_u (local.get $ip)))
          (local.set $ip (i32.add (local.get $ip) (i32.const 2)))
          (br_if $bad (i32.eqz (local.get $off)))
          (br_if $bad (i32.gt_u (local.get $off) (i32.sub (local.get $op) (local.get $dst))))
          (local.set $ml (i32.and (local.get $token) (i32.const 15)))
          (if (i32.eq (local.get $ml) (i32.const 15))
            (then
              (loop $more
                (br_if $bad (i32.ge_u (local.get $ip) (local.get $iend)))
                (local.set $b (i32.load8_u (local.get $ip)))
                (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
                (local.set $ml (i32.add (local.get $ml) (local.get $b)))
                (br_if $more (i32.eq (local.get $b) (i32.const 255))))))
          (local.set $ml (i32.add (local.get $ml) (i32.const 4)))
          (br_if $bad (i32.gt_u (local.get $ml) (i32.sub (local.get $oend) (local.get $op))))
          (if (i32.and (i32.ge_u (local.get $off) (i32.const 16)) (i32.le_u (local.get $ml) (i32.const 32)))
            (then
              (v128.store (local.get $op) (v128.load (i32.sub (local.get $op) (local.get $off))))
              (v128.store offset=16 (local.get $op) (v128.load offset=16 (i32.sub (local.get $op) (local.get $off))))
              (local.set $op (i32.add (local.get $op) (local.get $ml)))
              (br $seq)))
          (if (i32.ge_u (local.get $off) (local.get $ml))
            (then
              (memory.copy (local.get $op) (i32.sub (local.get $op) (local.get $off)) (local.get $ml))
              (local.set $op (i32.add (local.get $op) (local.get $ml))))
            (else
              ;; An overlapping match repeats the last `off` bytes: copy them, then copy the doubled
              ;; run, whose length stays a multiple of the period, until the match is filled.
              (local.set $step (local.get $off))
              (loop $rep
                (local.set $n (select (local.get $step) (local.get $ml) (i32.lt_u (local.get $step) (local.get $ml))))
                (memory.copy (local.get $op) (i32.sub (local.get $op) (local.get $step)) (local.get $n))
                (local.set $op (i32.add (local.get $op) (local.get $n)))
                (local.set $ml (i32.sub (local.get $ml) (local.get $n)))
                (local.set $step (i32.shl (local.get $step) (i32.const 1)))
                (br_if $rep (local.get $ml)))))
          (br $seq)))
      (return (i32.sub (local.get $op) (local.get $dst))))
    (i32.const -1))
)
