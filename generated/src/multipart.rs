//! `multipart/form-data` request bodies (FastAPI's `UploadFile`, `list[UploadFile]` and
//! `Form` fields beside them), compiled with the cargo feature `multipart`.
//!
//! The generated builder of such an operation takes the form fields typed, like any body
//! (`body(...)`), and each file through a setter taking a [`FilePart`](crate::multipart::FilePart): bytes in memory, or a
//! file path or an async reader, which are streamed to the server (never read whole into
//! memory). A streamed body cannot be replayed, so a multipart request is sent once and not
//! retried.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use reqwest::multipart::{Form, Part};
use serde::Serialize;
use tokio::io::{AsyncRead, ReadBuf};

use crate::error::Error;
use crate::transport::Operation;

/// The content type of a file part whose type is not given.
pub const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// One file of a multipart form: where its bytes come from, its file name and its content
/// type. FastAPI treats a part as a file only if it has a file name: a part without one
/// gets the form field's name as its file name.
#[derive(Clone)]
pub struct FilePart {
    source: Source,
    file_name: Option<String>,
    content_type: Option<String>,
}

type Reader = Pin<Box<dyn AsyncRead + Send + Sync>>;

#[derive(Clone)]
enum Source {
    Bytes(Bytes),
    Path(PathBuf),
    /// Shared so that the builder stays `Clone`; the first request that sends it takes it.
    Reader(Arc<Mutex<Option<Reader>>>),
}

impl FilePart {
    /// A file whose content is in memory.
    pub fn bytes(content: impl Into<Bytes>) -> Self {
        FilePart::from_source(Source::Bytes(content.into()))
    }

    /// The file at `path`, opened when the request is sent and streamed; its file name is
    /// the path's last component unless [`FilePart::file_name`] says otherwise.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        FilePart {
            file_name,
            ..FilePart::from_source(Source::Path(path))
        }
    }

    /// A file read from `reader` as the request is sent (streamed, with chunked transfer
    /// encoding). It can be sent once: a clone of the builder sent again fails with
    /// [`crate::ErrorKind::InvalidRequest`].
    pub fn reader(reader: impl AsyncRead + Send + Sync + 'static) -> Self {
        FilePart::from_source(Source::Reader(Arc::new(Mutex::new(Some(Box::pin(reader))))))
    }

    /// The file name the server sees.
    pub fn file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// The part's content type (a MIME type such as `image/png`; [`DEFAULT_CONTENT_TYPE`]
    /// otherwise).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    fn from_source(source: Source) -> Self {
        FilePart {
            source,
            file_name: None,
            content_type: None,
        }
    }
}

impl std::fmt::Debug for FilePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            Source::Bytes(b) => format!("{} bytes", b.len()),
            Source::Path(p) => format!("path {}", p.display()),
            Source::Reader(_) => "reader".to_string(),
        };
        f.debug_struct("FilePart")
            .field("source", &source)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// The file parts a builder holds, by form field name (used by generated code).
#[doc(hidden)]
#[derive(Clone, Debug, Default)]
pub struct FileParts {
    parts: Vec<(&'static str, FilePart)>,
}

impl FileParts {
    /// Sets the one file of `name`.
    pub fn set(&mut self, name: &'static str, part: FilePart) {
        self.set_all(name, [part]);
    }

    /// Sets the files of `name`, replacing any set before.
    pub fn set_all(&mut self, name: &'static str, parts: impl IntoIterator<Item = FilePart>) {
        self.parts.retain(|(n, _)| *n != name);
        self.parts.extend(parts.into_iter().map(|p| (name, p)));
    }
}

/// The form of a request (used by generated code): the form model's fields as text parts
/// (`list[...]` fields as one part per item, objects as JSON text, nulls left out), then the
/// files. `required` names the file fields that need at least one part.
#[doc(hidden)]
pub async fn form(
    operation: &Operation,
    fields: &impl Serialize,
    files: FileParts,
    required: &[&str],
) -> Result<Form, Error> {
    let invalid = |message: String| Error::invalid_request(operation, message);
    for name in required {
        if !files.parts.iter().any(|(n, _)| n == name) {
            return Err(invalid(format!("the file part `{name}` is required")));
        }
    }
    let mut form = Form::new();
    for (name, text) in crate::form_fields::pairs(fields).map_err(invalid)? {
        form = form.text(name, text);
    }
    for (name, file) in files.parts {
        let part = match file.source {
            Source::Bytes(bytes) => {
                let length = bytes.len() as u64;
                Part::stream_with_length(reqwest::Body::from(bytes), length)
            }
            Source::Path(path) => {
                let opened = tokio::fs::File::open(&path).await;
                let file = opened.map_err(|e| {
                    invalid(format!(
                        "file part `{name}`: cannot open {}: {e}",
                        path.display()
                    ))
                })?;
                let length = file.metadata().await.map(|m| m.len()).map_err(|e| {
                    invalid(format!(
                        "file part `{name}`: cannot read {}: {e}",
                        path.display()
                    ))
                })?;
                Part::stream_with_length(
                    reqwest::Body::wrap_stream(ReaderStream::new(Box::pin(file))),
                    length,
                )
            }
            Source::Reader(shared) => {
                let reader = shared
                    .lock()
                    .ok()
                    .and_then(|mut r| r.take())
                    .ok_or_else(|| {
                        invalid(format!("file part `{name}`: its reader was already sent"))
                    })?;
                Part::stream(reqwest::Body::wrap_stream(ReaderStream::new(reader)))
            }
        };
        let content_type = file.content_type.as_deref().unwrap_or(DEFAULT_CONTENT_TYPE);
        let part = part
            .file_name(file.file_name.unwrap_or_else(|| name.to_string()))
            .mime_str(content_type)
            .map_err(|_| {
                invalid(format!(
                    "file part `{name}`: {content_type:?} is not a MIME type"
                ))
            })?;
        form = form.part(name, part);
    }
    Ok(form)
}

/// An async reader as a stream of chunks, read as the body is sent.
struct ReaderStream {
    reader: Reader,
    buffer: Box<[u8]>,
    done: bool,
}

impl ReaderStream {
    fn new(reader: Reader) -> Self {
        ReaderStream {
            reader,
            buffer: vec![0; 64 * 1024].into_boxed_slice(),
            done: false,
        }
    }
}

impl futures_core::Stream for ReaderStream {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        let mut buffer = ReadBuf::new(&mut this.buffer);
        match this.reader.as_mut().poll_read(cx, &mut buffer) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => {
                this.done = true;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(Ok(())) if buffer.filled().is_empty() => {
                this.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(Ok(())) => Poll::Ready(Some(Ok(Bytes::copy_from_slice(buffer.filled())))),
        }
    }
}
