"""Expanding and compiling: data to the nodes the machine runs.

`compiler` with `forms_binding`, `forms_control`, `syntax_rules`, `syntax`, `cond_expand`,
`includes` and `libraries` (+ `library_names`) expands macros, checks special forms and
resolves variables; `nodes` are its output, `codegen` the straight-line Python made for
primitive applications and `direct` the Python functions made for pure closure bodies."""
