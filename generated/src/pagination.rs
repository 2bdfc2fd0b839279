//! Lazy streams over paginated operations.
//!
//! The generator emits `stream()` and `page()` on the request builder of every operation
//! whose parameters follow a known convention: `limit`/`offset` (the offset moves by the
//! number of items received) or `cursor` (the next cursor comes from the response's
//! `next_cursor`). A stream holds at most one page and fetches the next one only when
//! that page is used up; it ends after the last page, without an extra request when the
//! response says it was the last (a null cursor, or `offset + items >= total`).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::Error;

/// A boxed future, as the page fetchers return.
#[doc(hidden)]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where the page after this one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NextPage {
    /// Pass as `.cursor(..)` to get the next page.
    Cursor(String),
    /// Pass as `.offset(..)` to get the next page.
    Offset(i64),
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<NextPage>,
    /// The number of items in all pages, when the API reports it.
    pub total: Option<i64>,
}

impl<T> Page<T> {
    #[doc(hidden)]
    pub fn new(items: Vec<T>, next: Option<NextPage>, total: Option<i64>) -> Self {
        Page { items, next, total }
    }
}

/// A fetched page, or why it could not be.
type PageFuture<'a, T> = BoxFuture<'a, Result<Page<T>, Error>>;

/// Fetches the page that starts at the given place (the first page for `None`).
#[doc(hidden)]
pub type FetchPage<'a, B, T> = fn(B, Option<NextPage>) -> PageFuture<'a, T>;

type Fetch<'a, T> = Box<dyn FnMut(Option<NextPage>) -> PageFuture<'a, T> + Send + 'a>;

/// Every item of a paginated operation, one page in memory at a time.
///
/// Use it as a [`futures_core::Stream`], or without any stream library through
/// [`Paginated::next`] and [`Paginated::next_page`]. After an error the stream ends.
pub struct Paginated<'a, T> {
    fetch: Fetch<'a, T>,
    buffer: VecDeque<T>,
    next: Option<NextPage>,
    done: bool,
    total: Option<i64>,
    pending: Option<PageFuture<'a, T>>,
}

impl<T> std::fmt::Debug for Paginated<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginated")
            .field("buffered", &self.buffer.len())
            .field("next", &self.next)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<'a, T: Send + 'a> Paginated<'a, T> {
    /// A stream whose pages come from `fetch(builder.clone(), where_to_start)`.
    #[doc(hidden)]
    pub fn new<B: Clone + Send + 'a>(builder: B, fetch: FetchPage<'a, B, T>) -> Self {
        Paginated {
            fetch: Box::new(move |next| fetch(builder.clone(), next)),
            buffer: VecDeque::new(),
            next: None,
            done: false,
            total: None,
            pending: None,
        }
    }

    /// The next item, fetching the next page when this one is used up.
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// The rest of the current page, or the next page whole.
    pub async fn next_page(&mut self) -> Option<Result<Page<T>, Error>> {
        if self.buffer.is_empty() {
            match std::future::poll_fn(|cx| self.poll_fill(cx)).await {
                None => return None,
                Some(Err(e)) => return Some(Err(e)),
                Some(Ok(())) => {}
            }
        }
        if self.buffer.is_empty() {
            return None;
        }
        let items = self.buffer.drain(..).collect();
        Some(Ok(Page::new(items, self.next.clone(), self.total)))
    }

    /// The total the API reported with the last page, if it reports one.
    pub fn total(&self) -> Option<i64> {
        self.total
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, Error>>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match self.poll_fill(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(()))) => {}
            }
        }
    }

    /// Fetches pages until one has items or there are no more.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<(), Error>>> {
        loop {
            if self.done {
                return Poll::Ready(None);
            }
            let pending = match &mut self.pending {
                Some(pending) => pending,
                None => {
                    let next = self.next.take();
                    self.pending.insert((self.fetch)(next))
                }
            };
            let page = match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(page) => page,
            };
            self.pending = None;
            match page {
                Err(e) => {
                    self.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Ok(page) => {
                    self.total = page.total.or(self.total);
                    self.next = page.next;
                    self.done = self.next.is_none();
                    if !page.items.is_empty() {
                        self.buffer.extend(page.items);
                        return Poll::Ready(Some(Ok(())));
                    }
                }
            }
        }
    }
}

impl<'a, T: Send + 'a> futures_core::Stream for Paginated<'a, T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}

impl<T> Unpin for Paginated<'_, T> {}
