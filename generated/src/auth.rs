//! Credentials, and the OAuth2 password flow the API's security scheme describes.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use serde::Deserialize;

use crate::error::{Error, ErrorKind};
use crate::redact::Redacted;

/// How the client proves who it is. `Debug` never shows a token or password.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Credentials {
    /// No `Authorization` header (only `get_available_connections` works without one).
    #[default]
    None,
    /// A fixed bearer token, such as a Stack AI API key.
    BearerToken(String),
    /// The OAuth2 password flow: the client posts these to the token URL, caches the
    /// access token it gets, and fetches a new one when it expires or is refused (401).
    Password {
        /// The account name.
        username: String,
        /// The account password.
        password: String,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::None => f.write_str("None"),
            Credentials::BearerToken(_) => f.debug_tuple("BearerToken").field(&Redacted).finish(),
            Credentials::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .field("password", &Redacted)
                .finish(),
        }
    }
}

/// A token from the token endpoint.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<f64>,
}

#[derive(Clone)]
struct CachedToken {
    header: HeaderValue,
    /// `None`: valid until the server refuses it.
    expires: Option<Instant>,
}

impl CachedToken {
    fn is_fresh(&self) -> bool {
        self.expires.is_none_or(|at| Instant::now() < at)
    }
}

/// Refresh a token this long before the server says it expires, so that it does not
/// expire in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// The token cache of one client, shared by its clones.
#[derive(Default)]
struct TokenCache {
    token: Option<CachedToken>,
    /// How many token fetches have ended (succeeded or failed); a request that waited for
    /// the fetch lock compares it with the count it saw before waiting.
    fetches_ended: u64,
    /// How the last fetch ended when it failed, for the requests that waited on it.
    last_failure: Option<Error>,
}

/// The credentials of one client and its cached token, shared by its clones.
///
/// Token fetches are single-flight: however many requests find the cache empty or expired
/// at once (at start-up, at the early refresh before `expires_in`, after a 401), one of them
/// fetches while the others wait on `fetching` and then share its result. A failed fetch is
/// handed to the requests that waited on it and is not cached: the next request tries
/// again. The waits are cancel-safe: a dropped waiter leaves the queue, and a dropped fetch
/// releases the lock with nothing cached, so the next waiter fetches instead.
#[derive(Clone)]
pub(crate) struct Auth {
    credentials: Credentials,
    token_url: String,
    cache: Arc<Mutex<TokenCache>>,
    fetching: Arc<tokio::sync::Mutex<()>>,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("credentials", &self.credentials)
            .field("token_url", &self.token_url)
            .finish_non_exhaustive()
    }
}

impl Auth {
    pub(crate) fn new(
        credentials: Credentials,
        token_url: String,
    ) -> Result<Self, crate::BuildError> {
        let token = match &credentials {
            Credentials::BearerToken(token) => Some(CachedToken {
                header: bearer(token).ok_or(crate::BuildError::InvalidToken)?,
                expires: None,
            }),
            _ => None,
        };
        Ok(Auth {
            credentials,
            token_url,
            cache: Arc::new(Mutex::new(TokenCache {
                token,
                ..TokenCache::default()
            })),
            fetching: Arc::default(),
        })
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, TokenCache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a refused token can be replaced by fetching a new one.
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self.credentials, Credentials::Password { .. })
    }

    /// Forgets the cached token after the server refused `refused`. A token fetched since
    /// (by another request that was refused first) is kept: a storm of 401s for one old
    /// token leads to one new login, not one per request.
    pub(crate) fn invalidate(&self, refused: &HeaderValue) {
        if !self.can_refresh() {
            return;
        }
        let mut cache = self.cache();
        if cache.token.as_ref().is_some_and(|t| t.header == *refused) {
            cache.token = None;
        }
    }

    /// The `Authorization` value for the next request, fetching a token if needed.
    pub(crate) async fn header(
        &self,
        http: &reqwest::Client,
        operation: &'static str,
    ) -> Result<Option<HeaderValue>, Error> {
        let seen = {
            let cache = self.cache();
            if let Some(token) = cache.token.as_ref().filter(|t| t.is_fresh()) {
                return Ok(Some(token.header.clone()));
            }
            cache.fetches_ended
        };
        let Credentials::Password { username, password } = &self.credentials else {
            return Ok(None);
        };
        let _turn = self.fetching.lock().await;
        {
            // A fetch that ended while this request waited is this request's answer, even
            // should its token be due for refresh already.
            let cache = self.cache();
            let waited_on_a_fetch = cache.fetches_ended != seen;
            if let Some(token) = cache
                .token
                .as_ref()
                .filter(|t| waited_on_a_fetch || t.is_fresh())
            {
                return Ok(Some(token.header.clone()));
            }
            if waited_on_a_fetch && let Some(failure) = &cache.last_failure {
                return Err(failure.shared_with(operation));
            }
        }
        let fetched = self.fetch(http, operation, username, password).await;
        let mut cache = self.cache();
        cache.fetches_ended += 1;
        match fetched {
            Ok(token) => {
                let header = token.header.clone();
                cache.token = Some(token);
                cache.last_failure = None;
                Ok(Some(header))
            }
            Err(error) => {
                cache.last_failure = Some(error.shared_with(operation));
                Err(error)
            }
        }
    }

    async fn fetch(
        &self,
        http: &reqwest::Client,
        operation: &'static str,
        username: &str,
        password: &str,
    ) -> Result<CachedToken, Error> {
        let failed =
            |message: &str| Error::new(ErrorKind::Authentication, operation, message.to_string());
        let form = [
            ("grant_type", "password"),
            ("username", username),
            ("password", password),
        ];
        let response = http
            .post(&self.token_url)
            .form(&form)
            .send()
            .await
            .map_err(|e| failed("the token request failed").with_source(e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| failed("the token response could not be read").with_source(e))?;
        if !status.is_success() {
            return Err(
                Error::from_status(operation, status, headers, &body).into_authentication(format!(
                    "the token endpoint refused the credentials with {}",
                    status.as_u16()
                )),
            );
        }
        let token: TokenResponse = serde_json::from_slice(&body)
            .map_err(|_| failed("the token response has no `access_token`"))?;
        Ok(CachedToken {
            header: bearer(&token.access_token)
                .ok_or_else(|| failed("the access token is not a valid header value"))?,
            expires: token
                .expires_in
                .filter(|s| s.is_finite() && *s > 0.0)
                .map(|s| Instant::now() + Duration::from_secs_f64(s).saturating_sub(EXPIRY_MARGIN)),
        })
    }
}

/// `Bearer <token>`, marked sensitive so that reqwest and `http` never print it.
fn bearer(token: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::try_from(format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}
