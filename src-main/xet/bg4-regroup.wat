;; The inner loop of bg4-regroup.ts: xet-core's byte grouping by 4 undone with 128-bit shuffles.
;; Compiled into bg4-regroup-wasm.ts (test/xet/bg4-regroup.test.ts checks they agree; its failure
;; prints the bytes to paste there).
(module
  ;; Five pages: a chunk's groups at 0, its words at 128 KiB (xet-core's largest chunk is 128 KiB).
  (memory (export "memory") 5 5)
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
)
