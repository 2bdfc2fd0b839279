//! What maintainers run on documents, on top of the pipeline: [`import`] brings an upstream
//! document in (canonical form, name overrides), and [`spec_diff`] reports the API changes
//! between two documents in Rust terms.

pub mod acknowledge;
pub mod import;
pub mod mutate;
pub mod spec_diff;
