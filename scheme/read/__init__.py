"""Reading: text to data with source spans.

`reader` (the Lark grammar in grammar.lark), `fastread` (plain data without Lark),
`scanner` and `numparse` (tokens and numbers), `readcache` (a cache of read files that
unpickles nothing)."""
