//! Tests of the interpreter: the `Eval` backend operation by operation, and
//! whole programs assembled at test time.

mod eval;
mod programs;
