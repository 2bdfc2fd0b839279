//! The client generated from the upstream feature corpus, `openapi/corpus/corpus.json`: the
//! Connections API plus one or more operations for every FastAPI/pydantic feature the
//! generator supports (see the root README's "Supported FastAPI/pydantic features").
//!
//! Like progenitor's own snapshot crates, the generator's output is itself a crate:
//! `generated_sdk/` is written by `cargo xtask regen` (and checked by `cargo xtask check`
//! and `tests/tests/corpus_snapshots.rs`), and compiling it with warnings denied is the
//! guard that the generator never emits code that does not compile. The hand-written
//! runtime is not copied: the modules below are the files of `generated/src/`, so the
//! corpus runs exactly the runtime the published crate ships. Loopback HTTP tests live in
//! `tests/tests/corpus_*.rs` (requests, models, responses, events, statuses, pagination,
//! mocks), and the snapshots of its surface in `tests/tests/corpus_snapshots.rs`.
#![deny(warnings)]

#[rustfmt::skip]
#[deny(missing_docs)]
mod generated_sdk;

#[path = "../../../generated/src/auth.rs"]
mod auth;
#[path = "../../../generated/src/client.rs"]
mod client;
#[path = "../../../generated/src/download.rs"]
mod download;
#[path = "../../../generated/src/error.rs"]
mod error;
#[path = "../../../generated/src/extras.rs"]
mod extras;
#[path = "../../../generated/src/filters.rs"]
mod filters;
#[doc(hidden)]
#[path = "../../../generated/src/form_fields.rs"]
pub mod form_fields;
#[cfg(feature = "mock")]
#[path = "../../../generated/src/mocking.rs"]
mod mocking;
/// `multipart/form-data` bodies: the file parts of upload operations.
#[cfg(feature = "multipart")]
#[path = "../../../generated/src/multipart.rs"]
pub mod multipart;
#[path = "../../../generated/src/pagination.rs"]
mod pagination;
#[path = "../../../generated/src/redact.rs"]
mod redact;
#[path = "../../../generated/src/retry.rs"]
mod retry;
#[path = "../../../generated/src/sse.rs"]
mod sse;
#[doc(hidden)]
#[path = "../../../generated/src/statuses.rs"]
pub mod statuses;
#[doc(hidden)]
#[path = "../../../generated/src/text.rs"]
pub mod text;
#[path = "../../../generated/src/transport.rs"]
mod transport;

pub use auth::Credentials;
pub use client::{BuildError, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
pub use download::Download;
#[doc(hidden)]
pub use download::send_download;
pub use error::{Error, ErrorBody, ErrorKind};
pub use filters::{Filter, FilterField, FilterOp, FilterValue};
pub use generated_sdk::*;
pub use pagination::{NextPage, Page, Paginated};
/// The HTTP client crate, re-exported for [`ClientBuilder::http_client`].
pub use reqwest;
pub use retry::{RetryBudget, RetryPolicy};
pub use sse::{Event, EventStream};
#[doc(hidden)]
pub use sse::{send_events, send_raw_events};
pub use transport::RequestOptions;
#[doc(hidden)]
pub use transport::{Operation, Runtime};
