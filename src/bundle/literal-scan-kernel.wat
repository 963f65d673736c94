;; The literal scan of line-prefilter.ts: one pass over a line's bytes (Latin-1, one byte per UTF-16
;; code unit) that steps an Aho-Corasick automaton and counts runs of token characters at once.
;; Compiled into literal-scan-kernel-wasm.ts by `npm run scan-kernel` (the test in
;; tests/bundle/literal-scan-kernel.test.ts checks the two agree).
;;
;; Memory, laid out by literal-scan-kernel.ts:
;;   [0, 256)       the byte offset of each byte's class in a row of the table (0 outside every literal)
;;   [256, 512)     for a token character, its classes: 1 upper case, 2 lower case, 4 digit, 8 other; 0 elsewhere
;;   [table, ...)   the automaton, one row per state: `width` i32 entries, the address of the next
;;                  state's row by class, then one i32: the state's number + 1 where literals end, else 0
;;   [out, ...)     records, two i32 each:
;;                    a literal end:  (end index + 1, the state's number)
;;                    a token run:    (-(start + 1), end | classes << 24), classes as above, or'ed
;;   [input, ...)   the line's bytes
(module
  (memory (export "memory") 1)

  ;; Returns the number of records written, or -1 when more than `cap` would be.
  (func (export "scan")
    (param $len i32) (param $table i32) (param $input i32) (param $out i32) (param $cap i32) (param $minRun i32)
    (param $outputSlot i32)
    (result i32)
    (local $i i32) (local $c i32) (local $state i32) (local $output i32) (local $n i32) (local $run i32) (local $at i32)
    (local $kind i32) (local $classes i32)
    (local.set $state (local.get $table))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $c (i32.load8_u (i32.add (local.get $input) (local.get $i))))
        ;; one step waits on one read: the state is its row's address, a class its entry's offset in it
        (local.set $state (i32.load (i32.add (local.get $state) (i32.load8_u (local.get $c)))))
        ;; whether literals end here is read beside it, off that chain
        (local.set $output (i32.load (i32.add (local.get $state) (local.get $outputSlot))))
        (if (local.get $output)
          (then
            (if (i32.ge_u (local.get $n) (local.get $cap)) (then (return (i32.const -1))))
            (local.set $at (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
            (i32.store (local.get $at) (i32.add (local.get $i) (i32.const 1)))
            (i32.store offset=4 (local.get $at) (i32.sub (local.get $output) (i32.const 1)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $kind (i32.load8_u offset=256 (local.get $c)))
        (if (local.get $kind)
          (then
            (local.set $run (i32.add (local.get $run) (i32.const 1)))
            (local.set $classes (i32.or (local.get $classes) (local.get $kind))))
          (else
            (if (i32.ge_u (local.get $run) (local.get $minRun))
              (then
                (if (i32.ge_u (local.get $n) (local.get $cap)) (then (return (i32.const -1))))
                (local.set $at (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
                (i32.store (local.get $at) (i32.sub (i32.const -1) (i32.sub (local.get $i) (local.get $run))))
                (i32.store offset=4 (local.get $at)
                  (i32.or (local.get $i) (i32.shl (local.get $classes) (i32.const 24))))
                (local.set $n (i32.add (local.get $n) (i32.const 1)))))
            (local.set $run (i32.const 0))
            (local.set $classes (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    ;; a run that reaches the end of the line
    (if (i32.ge_u (local.get $run) (local.get $minRun))
      (then
        (if (i32.ge_u (local.get $n) (local.get $cap)) (then (return (i32.const -1))))
        (local.set $at (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
        (i32.store (local.get $at) (i32.sub (i32.const -1) (i32.sub (local.get $i) (local.get $run))))
        (i32.store offset=4 (local.get $at)
          (i32.or (local.get $i) (i32.shl (local.get $classes) (i32.const 24))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))))
    (local.get $n)))
