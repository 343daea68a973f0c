//! What `cpuid` answers: exactly the features the semantics implement.
