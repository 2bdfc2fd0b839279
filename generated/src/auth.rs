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

struct CachedToken {
    header: HeaderValue,
    /// `None`: valid until the server refuses it.
    expires: Option<Instant>,
}

/// Refresh a token this long before the server says it expires, so that it does not
/// expire in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// The credentials of one client and its cached token, shared by its clones.
#[derive(Clone)]
pub(crate) struct Auth {
    credentials: Credentials,
    token_url: String,
    cache: Arc<Mutex<Option<CachedToken>>>,
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
        let cache = match &credentials {
            Credentials::BearerToken(token) => Some(CachedToken {
                header: bearer(token).ok_or(crate::BuildError::InvalidToken)?,
                expires: None,
            }),
            _ => None,
        };
        Ok(Auth {
            credentials,
            token_url,
            cache: Arc::new(Mutex::new(cache)),
        })
    }

    /// Whether a refused token can be replaced by fetching a new one.
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self.credentials, Credentials::Password { .. })
    }

    /// Forgets the cached token after the server refused it.
    pub(crate) fn invalidate(&self) {
        if self.can_refresh() {
            *self.cache.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }

    /// The `Authorization` value for the next request, fetching a token if needed.
    pub(crate) async fn header(
        &self,
        http: &reqwest::Client,
        operation: &'static str,
    ) -> Result<Option<HeaderValue>, Error> {
        {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(token) = cache.as_ref()
                && token.expires.is_none_or(|at| Instant::now() < at)
            {
                return Ok(Some(token.header.clone()));
            }
        }
        let Credentials::Password { username, password } = &self.credentials else {
            return Ok(None);
        };
        // Fetched without holding the lock: two requests may both fetch, which is harmless.
        let token = self.fetch(http, operation, username, password).await?;
        let header = token.header.clone();
        *self.cache.lock().unwrap_or_else(|e| e.into_inner()) = Some(token);
        Ok(Some(header))
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
