"""Pure Polars: methodology + frames → indicators → scores → ratings (+ explanations). No storage, no UI."""
