//! Hand-written constructors for the generated [`Client`].
//!
//! Progenitor's own `Client::new` builds its HTTP client with `.unwrap()` and a fixed
//! timeout; the generator removes it, and these take its place.

use std::time::Duration;

use crate::Client;

/// How long connecting to the server may take.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request, response body included, may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

impl Client {
    /// Stack AI's production API.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.stack-ai.com";

    /// The `User-Agent` every request carries.
    pub const USER_AGENT: &'static str = concat!("stackai-connections/", env!("CARGO_PKG_VERSION"));

    /// A client for the API at `base_url` (scheme, host, and a path prefix if any), with
    /// the default timeouts.
    ///
    /// Fails only if the TLS backend cannot be initialized.
    pub fn new(base_url: &str) -> Result<Self, reqwest::Error> {
        Ok(Self::new_with_client(
            base_url,
            Self::reqwest_builder().build()?,
        ))
    }

    /// A client that authenticates every request with `Authorization: Bearer <token>`.
    ///
    /// The header is marked sensitive, so reqwest keeps it out of its `Debug` output.
    pub fn with_bearer_token(base_url: &str, token: &str) -> Result<Self, BuildError> {
        let mut value = reqwest::header::HeaderValue::try_from(format!("Bearer {token}"))
            .map_err(|_| BuildError::InvalidToken)?;
        value.set_sensitive(true);
        let headers =
            reqwest::header::HeaderMap::from_iter([(reqwest::header::AUTHORIZATION, value)]);
        let http = Self::reqwest_builder()
            .default_headers(headers)
            .build()
            .map_err(BuildError::Http)?;
        Ok(Self::new_with_client(base_url, http))
    }

    /// A `reqwest::ClientBuilder` set up as [`Client::new`] sets it up: TLS backend,
    /// `User-Agent` and timeouts. Adjust it (default headers, proxies) and pass the result
    /// to [`Client::new_with_client`].
    pub fn reqwest_builder() -> reqwest::ClientBuilder {
        install_crypto_provider();
        reqwest::ClientBuilder::new()
            .user_agent(Self::USER_AGENT)
            .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
            .timeout(DEFAULT_TIMEOUT)
    }
}

/// With the `rustls-ring` feature, reqwest has no crypto provider of its own; install
/// ring's as the process default unless the application already chose one.
fn install_crypto_provider() {
    #[cfg(feature = "rustls-ring")]
    {
        // An error means a provider is already installed, which is what we want.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// Why a [`Client`] could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// The token holds characters that cannot appear in an HTTP header. The token itself
    /// is not repeated here, so that it cannot end up in logs.
    InvalidToken,
    /// The HTTP client could not be initialized (TLS backend).
    Http(reqwest::Error),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::InvalidToken => {
                f.write_str("the API token contains characters not allowed in an HTTP header")
            }
            BuildError::Http(e) => write!(f, "cannot initialize the HTTP client: {e}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::InvalidToken => None,
            BuildError::Http(e) => Some(e),
        }
    }
}
