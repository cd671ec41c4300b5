;; The hot loops of src/segmentation/kmeans.ts, in WebAssembly with f64x2 SIMD.
;; Compiled by scripts/build-wasm.mjs into kmeans-kernel.wasm and kmeans-kernel-bytes.ts (both
;; committed; test/segmentation/kmeans.test.ts rebuilds them and checks the bytes agree).
;;
;; Every pointer is a byte offset into the imported (shared) memory; f64 arrays are 8-byte aligned.
;; Squared distances add in exactly the order of sqDist in kmeans.ts: four running sums s0..s3 over
;; coordinates j ≡ 0, 1, 2, 3 (mod 4) — here two f64x2 accumulators, (s0, s1) and (s2, s3) — the
;; leftover coordinates into s0, and (s0 + s1) + (s2 + s3) at the end; no fused multiply-add. So
;; every distance is bit-for-bit the JavaScript one.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Squared distance between the d coordinates at $a and at $b.
  (func $sq (export "sqDist") (param $a i32) (param $b i32) (param $d i32) (result f64)
    (local $acc0 v128) (local $acc1 v128) (local $t v128) (local $nb i32) (local $s0 f64) (local $x f64)
    (local.set $nb (i32.shr_u (local.get $d) (i32.const 2)))
    (if (local.get $nb)
      (then
        (loop $blk
          (local.set $t (f64x2.sub (v128.load (local.get $a)) (v128.load (local.get $b))))
          (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $t (f64x2.sub (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b))))
          (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $a (i32.add (local.get $a) (i32.const 32)))
          (local.set $b (i32.add (local.get $b) (i32.const 32)))
          (br_if $blk (local.tee $nb (i32.sub (local.get $nb) (i32.const 1)))))))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $acc0)))
    (local.set $nb (i32.and (local.get $d) (i32.const 3)))
    (if (local.get $nb)
      (then
        (loop $tail
          (local.set $x (f64.sub (f64.load (local.get $a)) (f64.load (local.get $b))))
          (local.set $s0 (f64.add (local.get $s0) (f64.mul (local.get $x) (local.get $x))))
          (local.set $a (i32.add (local.get $a) (i32.const 8)))
          (local.set $b (i32.add (local.get $b) (i32.const 8)))
          (br_if $tail (local.tee $nb (i32.sub (local.get $nb) (i32.const 1)))))))
    (f64.add
      (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $acc0)))
      (f64.add (f64x2.extract_lane 0 (local.get $acc1)) (f64x2.extract_lane 1 (local.get $acc1)))))

  ;; The same distance, abandoned once the partial sum (s0 + s1) + (s2 + s3), checked after every
  ;; four coordinates as sqDistBelow in kmeans.ts, reaches $limit; the partial sum is then returned.
  (func $below (export "sqDistBelow") (param $a i32) (param $b i32) (param $d i32) (param $limit f64) (result f64)
    (local $acc0 v128) (local $acc1 v128) (local $t v128) (local $nb i32) (local $s0 f64) (local $x f64) (local $p f64)
    (local.set $nb (i32.shr_u (local.get $d) (i32.const 2)))
    (if (local.get $nb)
      (then
        (loop $blk
          (local.set $t (f64x2.sub (v128.load (local.get $a)) (v128.load (local.get $b))))
          (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $t (f64x2.sub (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b))))
          (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $p
            (f64.add
              (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))
              (f64.add (f64x2.extract_lane 0 (local.get $acc1)) (f64x2.extract_lane 1 (local.get $acc1)))))
          (if (f64.ge (local.get $p) (local.get $limit)) (then (return (local.get $p))))
          (local.set $a (i32.add (local.get $a) (i32.const 32)))
          (local.set $b (i32.add (local.get $b) (i32.const 32)))
          (br_if $blk (local.tee $nb (i32.sub (local.get $nb) (i32.const 1)))))))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $acc0)))
    (local.set $nb (i32.and (local.get $d) (i32.const 3)))
    (if (local.get $nb)
      (then
        (loop $tail
          (local.set $x (f64.sub (f64.load (local.get $a)) (f64.load (local.get $b))))
          (local.set $s0 (f64.add (local.get $s0) (f64.mul (local.get $x) (local.get $x))))
          (local.set $a (i32.add (local.get $a) (i32.const 8)))
          (local.set $b (i32.add (local.get $b) (i32.const 8)))
          (br_if $tail (local.tee $nb (i32.sub (local.get $nb) (i32.const 1)))))))
    (f64.add
      (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $acc0)))
      (f64.add (f64x2.extract_lane 0 (local.get $acc1)) (f64x2.extract_lane 1 (local.get $acc1)))))

  ;; Four candidates' distances from the point at $x in one pass (each coordinate of the point read
  ;; once; eight independent sums, so that the additions do not wait on each other). Each distance is
  ;; added in the order of $sq. Abandoned once all four partial sums reach $limit (checked after every
  ;; eight coordinates); a returned value is then a partial sum: at least $limit, at most the distance.
  (func $below4 (param $x i32) (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $c3 i32) (param $d i32) (param $limit f64)
        (result f64 f64 f64 f64)
    (local $a0 v128) (local $b0 v128) (local $a1 v128) (local $b1 v128) (local $a2 v128) (local $b2 v128) (local $a3 v128) (local $b3 v128)
    (local $xl v128) (local $xh v128) (local $t v128) (local $nb i32) (local $v f64)
    (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $s3 f64)
    (local.set $nb (i32.shr_u (local.get $d) (i32.const 2)))
    (if (local.get $nb)
      (then
        (loop $blk
          (local.set $xl (v128.load (local.get $x)))
          (local.set $xh (v128.load offset=16 (local.get $x)))
          (local.set $t (f64x2.sub (local.get $xl) (v128.load (local.get $c0))))
          (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $t (f64x2.sub (local.get $xh) (v128.load offset=16 (local.get $c0))))
          (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $c0 (i32.add (local.get $c0) (i32.const 32)))
          (local.set $t (f64x2.sub (local.get $xl) (v128.load (local.get $c1))))
          (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $t (f64x2.sub (local.get $xh) (v128.load offset=16 (local.get $c1))))
          (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $c1 (i32.add (local.get $c1) (i32.const 32)))
          (local.set $t (f64x2.sub (local.get $xl) (v128.load (local.get $c2))))
          (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $t (f64x2.sub (local.get $xh) (v128.load offset=16 (local.get $c2))))
          (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $c2 (i32.add (local.get $c2) (i32.const 32)))
          (local.set $t (f64x2.sub (local.get $xl) (v128.load (local.get $c3))))
          (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $t (f64x2.sub (local.get $xh) (v128.load offset=16 (local.get $c3))))
          (local.set $b3 (f64x2.add (local.get $b3) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $c3 (i32.add (local.get $c3) (i32.const 32)))
          (local.set $x (i32.add (local.get $x) (i32.const 32)))
          (local.set $nb (i32.sub (local.get $nb) (i32.const 1)))
          (if (i32.eqz (i32.and (local.get $nb) (i32.const 1)))
            (then
              (if (f64.ge (local.tee $s0 (f64.add (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))) (f64.add (f64x2.extract_lane 0 (local.get $b0)) (f64x2.extract_lane 1 (local.get $b0))))) (local.get $limit))
                (then
                  (if (f64.ge (local.tee $s1 (f64.add (f64.add (f64x2.extract_lane 0 (local.get $a1)) (f64x2.extract_lane 1 (local.get $a1))) (f64.add (f64x2.extract_lane 0 (local.get $b1)) (f64x2.extract_lane 1 (local.get $b1))))) (local.get $limit))
                    (then
                      (if (f64.ge (local.tee $s2 (f64.add (f64.add (f64x2.extract_lane 0 (local.get $a2)) (f64x2.extract_lane 1 (local.get $a2))) (f64.add (f64x2.extract_lane 0 (local.get $b2)) (f64x2.extract_lane 1 (local.get $b2))))) (local.get $limit))
                        (then
                          (if (f64.ge (local.tee $s3 (f64.add (f64.add (f64x2.extract_lane 0 (local.get $a3)) (f64x2.extract_lane 1 (local.get $a3))) (f64.add (f64x2.extract_lane 0 (local.get $b3)) (f64x2.extract_lane 1 (local.get $b3))))) (local.get $limit))
                            (then
                              (return (local.get $s0) (local.get $s1) (local.get $s2) (local.get $s3))))))))))))
          (br_if $blk (local.get $nb)))))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $a0)))
    (local.set $s1 (f64x2.extract_lane 0 (local.get $a1)))
    (local.set $s2 (f64x2.extract_lane 0 (local.get $a2)))
    (local.set $s3 (f64x2.extract_lane 0 (local.get $a3)))
    (local.set $nb (i32.and (local.get $d) (i32.const 3)))
    (if (local.get $nb)
      (then
        (loop $tail
          (local.set $v (f64.sub (f64.load (local.get $x)) (f64.load (local.get $c0))))
          (local.set $s0 (f64.add (local.get $s0) (f64.mul (local.get $v) (local.get $v))))
          (local.set $c0 (i32.add (local.get $c0) (i32.const 8)))
          (local.set $v (f64.sub (f64.load (local.get $x)) (f64.load (local.get $c1))))
          (local.set $s1 (f64.add (local.get $s1) (f64.mul (local.get $v) (local.get $v))))
          (local.set $c1 (i32.add (local.get $c1) (i32.const 8)))
          (local.set $v (f64.sub (f64.load (local.get $x)) (f64.load (local.get $c2))))
          (local.set $s2 (f64.add (local.get $s2) (f64.mul (local.get $v) (local.get $v))))
          (local.set $c2 (i32.add (local.get $c2) (i32.const 8)))
          (local.set $v (f64.sub (f64.load (local.get $x)) (f64.load (local.get $c3))))
          (local.set $s3 (f64.add (local.get $s3) (f64.mul (local.get $v) (local.get $v))))
          (local.set $c3 (i32.add (local.get $c3) (i32.const 8)))
          (local.set $x (i32.add (local.get $x) (i32.const 8)))
          (br_if $tail (local.tee $nb (i32.sub (local.get $nb) (i32.const 1)))))))
    (f64.add (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $a0))) (f64.add (f64x2.extract_lane 0 (local.get $b0)) (f64x2.extract_lane 1 (local.get $b0))))
    (f64.add (f64.add (local.get $s1) (f64x2.extract_lane 1 (local.get $a1))) (f64.add (f64x2.extract_lane 0 (local.get $b1)) (f64x2.extract_lane 1 (local.get $b1))))
    (f64.add (f64.add (local.get $s2) (f64x2.extract_lane 1 (local.get $a2))) (f64.add (f64x2.extract_lane 0 (local.get $b2)) (f64x2.extract_lane 1 (local.get $b2))))
    (f64.add (f64.add (local.get $s3) (f64x2.extract_lane 1 (local.get $a3))) (f64.add (f64x2.extract_lane 0 (local.get $b3)) (f64x2.extract_lane 1 (local.get $b3)))))

  ;; Seeding, first centre (the row at $c): every point's squared distance to it (near), its root
  ;; (nearRoot, also the lower bound lower[i·k]), nearest index 0.
  (func (export "seedFirst") (param $data i32) (param $n i32) (param $d i32) (param $k i32) (param $c i32)
        (param $near i32) (param $nearRoot i32) (param $nearIdx i32) (param $lower i32)
    (local $i i32) (local $row i32) (local $x f64) (local $r f64) (local $rowBytes i32) (local $kBytes i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    (local.set $kBytes (i32.shl (local.get $k) (i32.const 3)))
    (local.set $row (local.get $data))
    (if (i32.gt_s (local.get $n) (i32.const 0))
      (then
        (loop $pts
          (local.set $x (call $sq (local.get $row) (local.get $c) (local.get $d)))
          (local.set $r (f64.sqrt (local.get $x)))
          (f64.store (local.get $near) (local.get $x))
          (f64.store (local.get $nearRoot) (local.get $r))
          (i32.store (local.get $nearIdx) (i32.const 0))
          (f64.store (local.get $lower) (local.get $r))
          (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
          (local.set $near (i32.add (local.get $near) (i32.const 8)))
          (local.set $nearRoot (i32.add (local.get $nearRoot) (i32.const 8)))
          (local.set $nearIdx (i32.add (local.get $nearIdx) (i32.const 4)))
          (local.set $lower (i32.add (local.get $lower) (local.get $kBytes)))
          (br_if $pts (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))))

  ;; Seeding, scoring $T candidates (rows candIds[t]) in one pass over the points, as the loop in
  ;; seedCentres: trial[t·n + i] = min(near[i], d²(x_i, cand_t)), trialLower[t·n + i] a lower bound
  ;; on d(x_i, cand_t), candPot[t] += trial[t·n + i] in the order of i. candDist[t·k + c] is the
  ;; distance from candidate t to centre c; a candidate is skipped when candDist to the point's own
  ;; centre is at least twice the point's distance to it.
  (func (export "seedScore") (param $data i32) (param $n i32) (param $d i32) (param $k i32) (param $T i32)
        (param $candIds i32) (param $candDist i32) (param $near i32) (param $nearRoot i32) (param $nearIdx i32)
        (param $trial i32) (param $trialLower i32) (param $candPot i32)
    (local $i i32) (local $t i32) (local $row i32) (local $rowBytes i32) (local $nBytes i32) (local $kBytes i32)
    (local $cur f64) (local $root f64) (local $twice f64) (local $own i32) (local $cd f64) (local $x f64)
    (local $v f64) (local $lb f64) (local $slot i32) (local $pot i32) (local $x0 f64) (local $x1 f64) (local $x2 f64) (local $x3 f64)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    (local.set $nBytes (i32.shl (local.get $n) (i32.const 3)))
    (local.set $kBytes (i32.shl (local.get $k) (i32.const 3)))
    (local.set $row (local.get $data))
    (if (i32.le_s (local.get $n) (i32.const 0)) (then (return)))
    (loop $pts
      (local.set $cur (f64.load (i32.add (local.get $near) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $root (f64.load (i32.add (local.get $nearRoot) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $twice (f64.mul (f64.const 2) (local.get $root)))
      (local.set $own (i32.load (i32.add (local.get $nearIdx) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $t (i32.const 0))
      (local.set $slot (i32.shl (local.get $i) (i32.const 3)))
      ;; Four candidates at once when none of the four can be skipped.
      (if (i32.ge_s (local.get $T) (i32.const 4))
        (then
          (if (i32.and
                (i32.and (f64.lt (f64.load (i32.add (local.get $candDist) (i32.add (i32.const 0) (i32.add (i32.mul (i32.const 0) (local.get $kBytes)) (i32.shl (local.get $own) (i32.const 3)))))) (local.get $twice)) (f64.lt (f64.load (i32.add (local.get $candDist) (i32.add (i32.const 0) (i32.add (i32.mul (i32.const 1) (local.get $kBytes)) (i32.shl (local.get $own) (i32.const 3)))))) (local.get $twice)))
                (i32.and (f64.lt (f64.load (i32.add (local.get $candDist) (i32.add (i32.const 0) (i32.add (i32.mul (i32.const 2) (local.get $kBytes)) (i32.shl (local.get $own) (i32.const 3)))))) (local.get $twice)) (f64.lt (f64.load (i32.add (local.get $candDist) (i32.add (i32.const 0) (i32.add (i32.mul (i32.const 3) (local.get $kBytes)) (i32.shl (local.get $own) (i32.const 3)))))) (local.get $twice))))
            (then
              (call $below4 (local.get $row) (i32.add (local.get $data) (i32.mul (i32.load offset=0 (local.get $candIds)) (local.get $rowBytes))) (i32.add (local.get $data) (i32.mul (i32.load offset=4 (local.get $candIds)) (local.get $rowBytes))) (i32.add (local.get $data) (i32.mul (i32.load offset=8 (local.get $candIds)) (local.get $rowBytes))) (i32.add (local.get $data) (i32.mul (i32.load offset=12 (local.get $candIds)) (local.get $rowBytes))) (local.get $d) (local.get $cur))
              (local.set $x3) (local.set $x2) (local.set $x1) (local.set $x0)
              (local.set $v (select (local.get $x0) (local.get $cur) (f64.lt (local.get $x0) (local.get $cur))))
              (f64.store (i32.add (local.get $trial) (local.get $slot)) (local.get $v))
              (f64.store (i32.add (local.get $trialLower) (local.get $slot)) (f64.sqrt (local.get $x0)))
              (f64.store offset=0 (local.get $candPot) (f64.add (f64.load offset=0 (local.get $candPot)) (local.get $v)))
              (local.set $slot (i32.add (local.get $slot) (local.get $nBytes)))
              (local.set $v (select (local.get $x1) (local.get $cur) (f64.lt (local.get $x1) (local.get $cur))))
              (f64.store (i32.add (local.get $trial) (local.get $slot)) (local.get $v))
              (f64.store (i32.add (local.get $trialLower) (local.get $slot)) (f64.sqrt (local.get $x1)))
              (f64.store offset=8 (local.get $candPot) (f64.add (f64.load offset=8 (local.get $candPot)) (local.get $v)))
              (local.set $slot (i32.add (local.get $slot) (local.get $nBytes)))
              (local.set $v (select (local.get $x2) (local.get $cur) (f64.lt (local.get $x2) (local.get $cur))))
              (f64.store (i32.add (local.get $trial) (local.get $slot)) (local.get $v))
              (f64.store (i32.add (local.get $trialLower) (local.get $slot)) (f64.sqrt (local.get $x2)))
              (f64.store offset=16 (local.get $candPot) (f64.add (f64.load offset=16 (local.get $candPot)) (local.get $v)))
              (local.set $slot (i32.add (local.get $slot) (local.get $nBytes)))
              (local.set $v (select (local.get $x3) (local.get $cur) (f64.lt (local.get $x3) (local.get $cur))))
              (f64.store (i32.add (local.get $trial) (local.get $slot)) (local.get $v))
              (f64.store (i32.add (local.get $trialLower) (local.get $slot)) (f64.sqrt (local.get $x3)))
              (f64.store offset=24 (local.get $candPot) (f64.add (f64.load offset=24 (local.get $candPot)) (local.get $v)))
              (local.set $slot (i32.add (local.get $slot) (local.get $nBytes)))
              (local.set $t (i32.const 4))))))
      (if (i32.lt_s (local.get $t) (local.get $T)) (then
      (loop $cands
        (local.set $cd (f64.load (i32.add (local.get $candDist)
          (i32.add (i32.mul (local.get $t) (local.get $kBytes)) (i32.shl (local.get $own) (i32.const 3))))))
        (if (f64.lt (local.get $cd) (local.get $twice))
          (then
            (local.set $x (call $below (local.get $row)
              (i32.add (local.get $data) (i32.mul (i32.load (i32.add (local.get $candIds) (i32.shl (local.get $t) (i32.const 2)))) (local.get $rowBytes)))
              (local.get $d) (local.get $cur)))
            (local.set $v (select (local.get $x) (local.get $cur) (f64.lt (local.get $x) (local.get $cur))))
            (local.set $lb (f64.sqrt (local.get $x))))
          (else
            (local.set $v (local.get $cur))
            (local.set $lb (f64.sub (local.get $cd) (local.get $root)))))
        (f64.store (i32.add (local.get $trial) (local.get $slot)) (local.get $v))
        (f64.store (i32.add (local.get $trialLower) (local.get $slot)) (local.get $lb))
        (local.set $pot (i32.add (local.get $candPot) (i32.shl (local.get $t) (i32.const 3))))
        (f64.store (local.get $pot) (f64.add (f64.load (local.get $pot)) (local.get $v)))
        (local.set $slot (i32.add (local.get $slot) (local.get $nBytes)))
        (br_if $cands (i32.lt_s (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $T))))))
      (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
      (br_if $pts (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))

)
