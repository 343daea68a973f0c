//! The bundled interpreter: the Eval backend of c2w-isa.
