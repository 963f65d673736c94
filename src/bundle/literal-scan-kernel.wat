;; The literal scan of line-prefilter.ts: the literals of an Aho-Corasick automaton and the runs of
;; token characters in a line's bytes (Latin-1, one byte per UTF-16 code unit).
;; Compiled into literal-scan-kernel-wasm.ts by `npm run scan-kernel` (the test in
;; tests/bundle/literal-scan-kernel.test.ts checks the two agree).
;;
;; Memory, laid out by literal-scan-kernel.ts:
;;   [0, 256)       the byte offset of each byte's class in a row of the table (0 outside every literal)
;;   [256, 512)     for a token character, its classes: 1 upper case, 2 lower case, 4 digit, 8 other; 0 elsewhere
;;   [table, ...)   the automaton, one row per state: `width` i32 entries, the address of the next
;;                  state's row by class, then one i32: the state's number + 1 where literals end, else 0
;;   [out, ...)     records, two i32 each, the literals (each lane's in the order they end, the two
;;                  lanes' interleaved), then the runs in order:
;;                    a literal end:  (end index + 1, the state's number)
;;                    a token run:    (-(start + 1), end | classes << 24), classes as above, or'ed
;;   [input, ...)   the line's bytes
;;
;; An automaton step waits for the previous step's table read, so one lane reads a byte per read
;; latency at best. A line is read in two lanes at once, two independent chains of reads the processor
;; overlaps: the first half, and the second half from the longest literal's length before it. Each
;; loop is a function of its own that keeps only its positions and states live (V8 keeps them in
;; registers; with the records' bookkeeping beside them it spilled values to the stack on every step)
;; and returns at each step where literals end, for the caller to write the records. The runs are
;; found afterwards by looking at every minRun-th byte only (a run of minRun or more holds one of
;; them) and reading the runs those land in, as token-shape.ts `tokenRuns` does.
(module
  (memory (export "memory") 1)

  ;; Steps the automaton from `state` over [p, end) and stops after the first byte where literals end:
  ;; returns the position after it (or `end`) and the state there.
  (func $step (param $p i32) (param $end i32) (param $state i32) (param $outputSlot i32) (result i32 i32)
    (block $found
      (loop $next
        (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (local.get $p) (local.get $state))))
        ;; one step waits on one read: the state is its row's address, a class its entry's offset in it
        (local.set $state
          (i32.load (i32.add (local.get $state) (i32.load8_u (i32.load8_u (local.get $p))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $found (i32.load (i32.add (local.get $state) (local.get $outputSlot))))
        (br $next)))
    (local.get $p) (local.get $state))

  ;; Two lanes stepped together (two chains of reads the processor runs side by side): the first
  ;; from `p` until `stop`, the second from `q`. Stops after the first step where literals end in
  ;; either lane: returns both positions after it and both states.
  (func $step2 (param $p i32) (param $q i32) (param $stop i32) (param $s i32) (param $t i32) (param $outputSlot i32)
    (result i32 i32 i32 i32)
    (block $found
      (loop $next
        (if (i32.ge_u (local.get $p) (local.get $stop))
          (then (return (local.get $p) (local.get $q) (local.get $s) (local.get $t))))
        (local.set $s (i32.load (i32.add (local.get $s) (i32.load8_u (i32.load8_u (local.get $p))))))
        (local.set $t (i32.load (i32.add (local.get $t) (i32.load8_u (i32.load8_u (local.get $q))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br_if $found
          (i32.or
            (i32.load (i32.add (local.get $s) (local.get $outputSlot)))
            (i32.load (i32.add (local.get $t) (local.get $outputSlot)))))
        (br $next)))
    (local.get $p) (local.get $q) (local.get $s) (local.get $t))

  ;; Writes a literal record (its end, the state's output) when literals end in `state`; returns the count.
  (func $literal (param $out i32) (param $n i32) (param $endIndex i32) (param $state i32) (param $outputSlot i32) (result i32)
    (local $output i32) (local $at i32)
    (local.set $output (i32.load (i32.add (local.get $state) (local.get $outputSlot))))
    (if (i32.eqz (local.get $output)) (then (return (local.get $n))))
    (local.set $at (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (i32.store (local.get $at) (local.get $endIndex))
    (i32.store offset=4 (local.get $at) (i32.sub (local.get $output) (i32.const 1)))
    (i32.add (local.get $n) (i32.const 1)))

  ;; Returns the number of records written, or -1 when more than `cap` would be.
  (func (export "scan")
    (param $len i32) (param $table i32) (param $input i32) (param $out i32) (param $cap i32) (param $minRun i32)
    (param $outputSlot i32) (param $overlap i32)
    (result i32)
    (local $state2 i32) (local $q i32) (local $mid i32)
    (local $p i32) (local $end i32) (local $state i32) (local $n i32) (local $at i32)
    (local $start i32) (local $stop i32) (local $classes i32)
    (local.set $state (local.get $table))
    (local.set $state2 (local.get $table))
    (local.set $p (local.get $input))
    (local.set $end (i32.add (local.get $input) (local.get $len)))
    (local.set $mid (local.get $end))
    ;; A line long enough is read in two lanes: the first from the start to $mid, the second from
    ;; $overlap bytes before $mid to the end (a literal ending at or after $mid starts in it, so the
    ;; second lane's state there is the one a single lane would have; it reports only from $mid on).
    (if (i32.gt_u (local.get $len) (i32.shl (local.get $overlap) (i32.const 1)))
      (then
        (local.set $mid (i32.add (local.get $input)
          (i32.shr_u (i32.add (i32.add (local.get $len) (local.get $overlap)) (i32.const 1)) (i32.const 1))))
        (local.set $q (i32.sub (local.get $mid) (local.get $overlap)))
        ;; the second lane is as long as the first or one shorter: both step until it ends
        (local.set $stop (i32.add (local.get $p) (i32.sub (local.get $end) (local.get $q))))
        (block $lanesDone
          (loop $lanes
            (call $step2 (local.get $p) (local.get $q) (local.get $stop) (local.get $state) (local.get $state2) (local.get $outputSlot))
            (local.set $state2)
            (local.set $state)
            (local.set $q)
            (local.set $p)
            (br_if $lanesDone
              (i32.eqz (i32.or
                (i32.load (i32.add (local.get $state) (local.get $outputSlot)))
                (i32.load (i32.add (local.get $state2) (local.get $outputSlot))))))
            (if (i32.ge_u (local.get $n) (i32.sub (local.get $cap) (i32.const 1))) (then (return (i32.const -1))))
            (local.set $n (call $literal (local.get $out) (local.get $n) (i32.sub (local.get $p) (local.get $input)) (local.get $state) (local.get $outputSlot)))
            (if (i32.ge_u (local.get $q) (i32.add (local.get $mid) (i32.const 1)))
              (then
                (local.set $n (call $literal (local.get $out) (local.get $n) (i32.sub (local.get $q) (local.get $input)) (local.get $state2) (local.get $outputSlot)))))
            (br_if $lanes (i32.lt_u (local.get $p) (local.get $stop)))))))
    ;; the first lane's rest (all of a short line, at most one byte of a long one)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $mid)))
        (call $step (local.get $p) (local.get $mid) (local.get $state) (local.get $outputSlot))
        (local.set $state)
        (local.set $p)
        (br_if $done (i32.eqz (i32.load (i32.add (local.get $state) (local.get $outputSlot)))))
        (if (i32.ge_u (local.get $n) (local.get $cap)) (then (return (i32.const -1))))
        (local.set $n (call $literal (local.get $out) (local.get $n) (i32.sub (local.get $p) (local.get $input)) (local.get $state) (local.get $outputSlot)))
        (br $next)))
    ;; Runs: a probe every minRun bytes; one that lands on a token character reads its run both ways.
    (local.set $p (i32.add (local.get $input) (i32.sub (local.get $minRun) (i32.const 1))))
    (block $runsDone
      (loop $probe
        (br_if $runsDone (i32.ge_u (local.get $p) (local.get $end)))
        (if (i32.eqz (i32.load8_u offset=256 (i32.load8_u (local.get $p))))
          (then
            (local.set $p (i32.add (local.get $p) (local.get $minRun)))
            (br $probe)))
        (local.set $classes (i32.load8_u offset=256 (i32.load8_u (local.get $p))))
        (local.set $start (local.get $p))
        (block $left
          (loop $back
            (br_if $left (i32.le_u (local.get $start) (local.get $input)))
            (br_if $left (i32.eqz (i32.load8_u offset=256 (i32.load8_u (i32.sub (local.get $start) (i32.const 1))))))
            (local.set $start (i32.sub (local.get $start) (i32.const 1)))
            (local.set $classes
              (i32.or (local.get $classes) (i32.load8_u offset=256 (i32.load8_u (local.get $start)))))
            (br $back)))
        (local.set $stop (i32.add (local.get $p) (i32.const 1)))
        (block $right
          (loop $forward
            (br_if $right (i32.ge_u (local.get $stop) (local.get $end)))
            (br_if $right (i32.eqz (i32.load8_u offset=256 (i32.load8_u (local.get $stop)))))
            (local.set $classes
              (i32.or (local.get $classes) (i32.load8_u offset=256 (i32.load8_u (local.get $stop)))))
            (local.set $stop (i32.add (local.get $stop) (i32.const 1)))
            (br $forward)))
        (if (i32.ge_u (i32.sub (local.get $stop) (local.get $start)) (local.get $minRun))
          (then
            (if (i32.ge_u (local.get $n) (local.get $cap)) (then (return (i32.const -1))))
            (local.set $at (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
            (i32.store (local.get $at) (i32.sub (i32.const -1) (i32.sub (local.get $start) (local.get $input))))
            (i32.store offset=4 (local.get $at)
              (i32.or (i32.sub (local.get $stop) (local.get $input)) (i32.shl (local.get $classes) (i32.const 24))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        ;; the next run starts after a byte that is not a token character
        (local.set $p (i32.add (local.get $stop) (local.get $minRun)))
        (br $probe)))
    (local.get $n)))
