;; One Adam step over n float32 values, 4 lanes at a time (WASM SIMD), in the memory of the tfjs WASM
;; backend (imported), so it reads and writes tensors where they live:
;;   m' = m + c1·(g − m)      v' = v + c2·(g² − v)      θ' = θ − lr·m' / (√v' + eps)
;; All pointers are byte offsets into that memory. See learners/fusedAdam.ts for the formula.
(module
  (import "env" "memory" (memory 1))
  (func (export "adam")
    (param $theta i32) (param $grad i32) (param $m i32) (param $v i32)
    (param $outTheta i32) (param $outM i32) (param $outV i32) (param $n i32)
    (param $c1 f32) (param $c2 f32) (param $lr f32) (param $eps f32)
    (local $i i32) (local $vectorEnd i32) (local $end i32)
    (local $g v128) (local $mi v128) (local $vi v128)
    (local $C1 v128) (local $C2 v128) (local $LR v128) (local $EPS v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $LR (f32x4.splat (local.get $lr)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    ;; 4 values a step
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (local.set $g (v128.load (i32.add (local.get $grad) (local.get $i))))
        (local.set $mi (v128.load (i32.add (local.get $m) (local.get $i))))
        (local.set $vi (v128.load (i32.add (local.get $v) (local.get $i))))
        (local.set $mi (f32x4.add (local.get $mi) (f32x4.mul (local.get $C1) (f32x4.sub (local.get $g) (local.get $mi)))))
        (local.set $vi (f32x4.add (local.get $vi) (f32x4.mul (local.get $C2) (f32x4.sub (f32x4.mul (local.get $g) (local.get $g)) (local.get $vi)))))
        (v128.store (i32.add (local.get $outM) (local.get $i)) (local.get $mi))
        (v128.store (i32.add (local.get $outV) (local.get $i)) (local.get $vi))
        (v128.store (i32.add (local.get $outTheta) (local.get $i))
          (f32x4.sub
            (v128.load (i32.add (local.get $theta) (local.get $i)))
            (f32x4.div (f32x4.mul (local.get $LR) (local.get $mi)) (f32x4.add (f32x4.sqrt (local.get $vi)) (local.get $EPS)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    ;; the last n mod 4 values
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $grad) (local.get $i))))
        (local.set $ms (f32.load (i32.add (local.get $m) (local.get $i))))
        (local.set $vs (f32.load (i32.add (local.get $v) (local.get $i))))
        (local.set $ms (f32.add (local.get $ms) (f32.mul (local.get $c1) (f32.sub (local.get $gs) (local.get $ms)))))
        (local.set $vs (f32.add (local.get $vs) (f32.mul (local.get $c2) (f32.sub (f32.mul (local.get $gs) (local.get $gs)) (local.get $vs)))))
        (f32.store (i32.add (local.get $outM) (local.get $i)) (local.get $ms))
        (f32.store (i32.add (local.get $outV) (local.get $i)) (local.get $vs))
        (f32.store (i32.add (local.get $outTheta) (local.get $i))
          (f32.sub
            (f32.load (i32.add (local.get $theta) (local.get $i)))
            (f32.div (f32.mul (local.get $lr) (local.get $ms)) (f32.add (f32.sqrt (local.get $vs)) (local.get $eps)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))))
