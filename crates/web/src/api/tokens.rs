//! API tokens: making one, and checking the one a request presents.
//!
//! Input: `Authorization: Bearer mh_…` headers; for [`generate`], nothing. Output: the token's
//! record (through [`ReadAccess`] and [`WriteAccess`]) or a 401/403 problem. A token is 256
//! random bits written `mh_` + 64 hex digits, shown once; the store keeps only its SHA-256.
//! Never logs, stores or echoes a secret.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use masthead_model::{ApiScope, ApiToken, OffsetTime};
use sha2::{Digest, Sha256};

use super::ApiState;
use super::problem::ApiError;

/// Every secret starts with this, so a leaked one is recognisable (secret scanners, logs).
pub const TOKEN_PREFIX: &str = "mh_";
const SECRET_BYTES: usize = 32;
/// A token's last use is recorded at most this often (µs): a busy client must not turn
/// every read into a write.
const TOUCH_EVERY_MICROS: i64 = 60 * 1_000_000;

/// A new token: the secret to show once, and the hash to store.
#[derive(Clone)]
pub struct NewToken {
    pub secret: String,
    pub hash: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("secret", &"(hidden)")
            .field("hash", &self.hash)
            .finish()
    }
}

/// Makes a token from the operating system's random source.
pub fn generate() -> Result<NewToken, getrandom::Error> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes)?;
    let secret = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let hash = hash(&secret);
    Ok(NewToken { secret, hash })
}

/// The hash the store keeps for a secret: SHA-256 of the whole secret, lower-case hex. The
/// secret is 256 random bits, so a fast hash is enough (no password stretching needed).
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A request with a live token of at least the read scope.
#[derive(Debug)]
pub(crate) struct ReadAccess;

/// A request with a live token of the write scope.
#[derive(Debug)]
pub(crate) struct WriteAccess(pub ApiToken);

impl FromRequestParts<ApiState> for ReadAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, api: &ApiState) -> Result<Self, ApiError> {
        authenticate(parts, api, ApiScope::Read).await.map(|_| Self)
    }
}

impl FromRequestParts<ApiState> for WriteAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, api: &ApiState) -> Result<Self, ApiError> {
        authenticate(parts, api, ApiScope::Write).await.map(Self)
    }
}

async fn authenticate(
    parts: &Parts,
    api: &ApiState,
    needed: ApiScope,
) -> Result<ApiToken, ApiError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Err(ApiError::Unauthorized {
            detail: "This request needs an API token: send `Authorization: Bearer <token>`.",
            invalid: false,
        });
    };
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .ok_or(ApiError::Unauthorized {
            detail: "The Authorization header must read `Bearer <token>`.",
            invalid: false,
        })?;
    let invalid = ApiError::Unauthorized {
        detail: "This API token is not valid: it is unknown or was revoked.",
        invalid: true,
    };
    if !secret.starts_with(TOKEN_PREFIX) || secret.len() != TOKEN_PREFIX.len() + 2 * SECRET_BYTES {
        return Err(invalid);
    }
    let Some(token) = api.app.store.api_token_by_hash(&hash(secret)).await? else {
        return Err(invalid);
    };
    if token.revoked_at.is_some() {
        return Err(invalid);
    }
    if !token.scope.allows(needed) {
        return Err(ApiError::Forbidden {
            detail: format!(
                "This token's scope is {}; this request needs a {} token.",
                token.scope.as_str(),
                needed.as_str()
            ),
        });
    }
    let now = OffsetTime::now_utc();
    let stale = token
        .last_used_at
        .is_none_or(|at| now.unix_micros.saturating_sub(at.unix_micros) >= TOUCH_EVERY_MICROS);
    if stale && let Err(error) = api.app.store.touch_api_token(token.id, now).await {
        // Recording the use is bookkeeping: the request itself is fine.
        tracing::warn!(%error, token.id = token.id, "recording an API token's use failed");
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_hashed() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert!(a.secret.starts_with("mh_"));
        assert_eq!(a.secret.len(), 3 + 64);
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.hash, hash(&a.secret));
        assert_eq!(a.hash.len(), 64);
        assert!(!format!("{a:?}").contains(&a.secret));
    }
}
