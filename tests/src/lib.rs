//! The workspace's tests live in `tests/`. This library only compiles the README's Rust
//! examples as doctests, so that the README cannot drift from the crate's API.
#![doc = include_str!("../../README.md")]
