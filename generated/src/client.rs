//! Building a [`Client`]: where the API is, who the caller is, and how patient to be.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::Client;
use crate::auth::{Auth, Credentials};
use crate::retry::RetryPolicy;
use crate::transport::Runtime;

/// How long connecting to the server may take, by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one attempt of a request, response body included, may take, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

impl Client {
    /// Stack AI's production API.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.stack-ai.com";

    /// The `User-Agent` every request carries.
    pub const USER_AGENT: &'static str = concat!("stackai-connections/", env!("CARGO_PKG_VERSION"));

    /// A builder, starting from [`Client::DEFAULT_BASE_URL`], no credentials, two retries and
    /// the default timeouts.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `STACKAI_API_KEY` (a bearer token,
    /// required) and `STACKAI_BASE_URL` (optional).
    pub fn from_env() -> Result<Self, BuildError> {
        let key = std::env::var("STACKAI_API_KEY")
            .map_err(|_| BuildError::MissingEnv("STACKAI_API_KEY"))?;
        let mut builder = Client::builder().bearer_token(key);
        if let Ok(url) = std::env::var("STACKAI_BASE_URL") {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// An unauthenticated client for the API at `base_url`, otherwise with the defaults.
    pub fn new(base_url: &str) -> Result<Self, BuildError> {
        Client::builder().base_url(base_url).build()
    }

    /// A client that sends `Authorization: Bearer <token>` with every request that needs it.
    pub fn with_bearer_token(base_url: &str, token: &str) -> Result<Self, BuildError> {
        Client::builder()
            .base_url(base_url)
            .bearer_token(token)
            .build()
    }
}

/// Configures a [`Client`]; see [`Client::builder`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    credentials: Credentials,
    token_url: Option<String>,
    retry: RetryPolicy,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    headers: Vec<(String, String)>,
    http: Option<reqwest::Client>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        // Installed here, not only in `build`: an application that passes its own
        // `reqwest::Client` to `http_client` builds it after `Client::builder()`, and with
        // the `rustls-ring` feature reqwest panics when no rustls provider is installed
        // (the application cannot reach this crate's `rustls` to install one itself).
        install_crypto_provider();
        ClientBuilder {
            base_url: Client::DEFAULT_BASE_URL.to_string(),
            credentials: Credentials::None,
            token_url: None,
            retry: RetryPolicy::default(),
            timeout: Some(DEFAULT_TIMEOUT),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            headers: Vec::new(),
            http: None,
        }
    }
}

impl ClientBuilder {
    /// The API's address: scheme, host, and a path prefix if any.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// Authenticate with a fixed bearer token (a Stack AI API key).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Credentials::BearerToken(token.into());
        self
    }

    /// Authenticate through the OAuth2 password flow of the API's security scheme.
    pub fn password(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Credentials::Password {
            username: username.into(),
            password: password.into(),
        };
        self
    }

    /// Any [`Credentials`].
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Where the password flow gets tokens; by default the document's token URL
    /// ([`crate::OAUTH2_TOKEN_URL`]) resolved against the base URL.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// The retry policy (two retries with exponential backoff by default).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Shorthand for changing only the number of retries.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.retry.max_retries = max_retries;
        self
    }

    /// The total time one attempt may take ([`DEFAULT_TIMEOUT`] by default); `None` for no limit.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long connecting may take ([`DEFAULT_CONNECT_TIMEOUT`] by default).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// A header sent with every request.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Use this `reqwest::Client` (proxies, custom TLS) instead of building one; the
    /// default headers and connect timeout set here are then not applied (the
    /// User-Agent still is: every request names this crate). Build it after calling
    /// [`Client::builder`], which installs the TLS crypto provider reqwest needs with the
    /// default `rustls-ring` feature.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let base_url = self.base_url.trim_end_matches('/').to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(BuildError::InvalidBaseUrl(base_url));
        }
        let own_http_client = self.http.is_none();
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut headers = HeaderMap::new();
                for (name, value) in &self.headers {
                    let name = HeaderName::try_from(name.as_str())
                        .map_err(|_| BuildError::InvalidHeader(name.clone()))?;
                    let value = HeaderValue::try_from(value.as_str())
                        .map_err(|_| BuildError::InvalidHeader(name.to_string()))?;
                    headers.append(name, value);
                }
                install_crypto_provider();
                let mut builder = reqwest::ClientBuilder::new()
                    .user_agent(Client::USER_AGENT)
                    .default_headers(headers)
                    .connect_timeout(self.connect_timeout);
                if let Some(timeout) = self.timeout {
                    builder = builder.timeout(timeout);
                }
                builder.build().map_err(BuildError::Http)?
            }
        };
        let token_url = self
            .token_url
            .unwrap_or_else(|| resolve(&base_url, crate::OAUTH2_TOKEN_URL));
        let runtime = Runtime {
            auth: Auth::new(self.credentials, token_url)?,
            retry_tokens: std::sync::Arc::new(crate::retry::RetryTokens::new(
                self.retry.budget.clone(),
            )),
            retry: self.retry,
            timeout: self.timeout,
            own_http_client,
        };
        Ok(Client::new_with_client(&base_url, http, runtime))
    }
}

/// A relative token URL (`token`) is relative to the API's base URL.
fn resolve(base_url: &str, url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        url.to_string()
    } else {
        format!("{base_url}/{}", url.trim_start_matches('/'))
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
    /// The base URL is not an `http://` or `https://` URL.
    InvalidBaseUrl(String),
    /// A default header's name or value is not valid in HTTP; the name is given.
    InvalidHeader(String),
    /// An environment variable [`Client::from_env`] needs is not set.
    MissingEnv(&'static str),
    /// The HTTP client could not be initialized (TLS backend).
    Http(reqwest::Error),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::InvalidToken => {
                f.write_str("the API token contains characters not allowed in an HTTP header")
            }
            BuildError::InvalidBaseUrl(url) => {
                write!(f, "the base URL {url:?} is not an http(s) URL")
            }
            BuildError::InvalidHeader(name) => {
                write!(f, "the default header {name:?} is not valid HTTP")
            }
            BuildError::MissingEnv(name) => write!(f, "the environment variable {name} is not set"),
            BuildError::Http(e) => write!(f, "cannot initialize the HTTP client: {e}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Http(e) => Some(e),
            _ => None,
        }
    }
}
