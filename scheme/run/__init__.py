"""Running: nodes evaluated with the continuation on the heap.

`machine` is the driver (eval, apply, return) and `steps` its rare cases; `tags` numbers
node, frame and transfer kinds once; `frames`, `calls` and `dynamic` hold what happens
around a call (frames, argument binding, dynamic-wind and handlers); `budget` meters work
and memory; `reference` is the plain evaluator that defines what compiled code means."""
