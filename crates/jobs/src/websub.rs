//! WebSub (push): subscribing to the hubs sources advertise, answering the hub's verification,
//! taking signed deliveries into the ingest path, and renewing leases. Polling carries on
//! underneath as the fallback, so a hub that goes quiet costs nothing but latency.
//!
//! Input: a polled feed's `rel="hub"`/`rel="self"` links, the hub's requests to our callback.
//! Output: subscriptions in the store; delivered feeds ingested like polled ones. Never
//! subscribes when the network has no public callback URL.

use hmac::{KeyInit, Mac};
use masthead_fetch::Fetcher;
use masthead_model::{OffsetTime, Source, WebSubState, WebSubSubscription};
use masthead_store::Store;

use crate::{IngestReport, JobError, PollSettings};

/// Asked of hubs; they may grant less.
const LEASE_SECS: i64 = 10 * 24 * 3600;
/// A pending request older than this is sent again.
const PENDING_RETRY_MICROS: i64 = 24 * 3600 * 1_000_000;

/// Where hubs reach us.
#[derive(Debug, Clone)]
pub struct WebSubSettings {
    /// The network's public base URL; callbacks are `{base}/websub/{token}`.
    pub callback_base: url::Url,
}

impl WebSubSettings {
    /// None when `base_url` is not reachable from a hub (a loopback or `.localhost` demo):
    /// a subscription no hub can verify is noise.
    pub fn for_base_url(base: &url::Url) -> Option<Self> {
        let public = match base.host() {
            Some(url::Host::Domain(d)) => d != "localhost" && !d.ends_with(".localhost"),
            Some(url::Host::Ipv4(ip)) => {
                !(ip.is_loopback() || ip.is_private() || ip.is_link_local())
            }
            Some(url::Host::Ipv6(ip)) => !ip.is_loopback(),
            None => false,
        };
        public.then(|| Self {
            callback_base: base.clone(),
        })
    }

    fn callback(&self, token: &str) -> String {
        format!(
            "{}/websub/{token}",
            self.callback_base.as_str().trim_end_matches('/')
        )
    }
}

fn random_hex() -> String {
    let mut bytes = [0u8; 24];
    // Without OS randomness there is no safe secret; an empty token never matches a callback.
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    hex::encode(bytes)
}

/// Subscribes `source` to `hub` for `topic` unless a live subscription for them exists.
pub async fn ensure_subscribed(
    store: &dyn Store,
    fetcher: &Fetcher,
    settings: &WebSubSettings,
    source: &Source,
    hub: &str,
    topic: &str,
) -> Result<(), JobError> {
    let store_err = |cause| JobError::Store {
        source_name: source.name.clone(),
        cause,
    };
    let now = OffsetTime::now_utc().unix_micros;
    if let Some(sub) = store.websub_of(source.id).await.map_err(store_err)?
        && sub.hub == hub
        && sub.topic == topic
    {
        let fresh = match sub.state {
            WebSubState::Active => sub.lease_until.is_some_and(|l| l > now),
            WebSubState::Pending => sub
                .lease_until
                .is_some_and(|t| now - t < PENDING_RETRY_MICROS),
            // A hub that refused is asked again only when its details change.
            WebSubState::Denied => true,
        };
        if fresh {
            return Ok(());
        }
    }
    subscribe(
        store,
        fetcher,
        settings,
        source.id,
        &source.name,
        hub,
        topic,
    )
    .await
}

async fn subscribe(
    store: &dyn Store,
    fetcher: &Fetcher,
    settings: &WebSubSettings,
    source_id: i64,
    source_name: &str,
    hub: &str,
    topic: &str,
) -> Result<(), JobError> {
    let store_err = |cause| JobError::Store {
        source_name: source_name.to_owned(),
        cause,
    };
    let (token, secret) = (random_hex(), random_hex());
    if token.is_empty() || secret.is_empty() {
        tracing::warn!(source.id = source_id, "no OS randomness: WebSub not used");
        return Ok(());
    }
    let sub = WebSubSubscription {
        source_id,
        hub: hub.to_owned(),
        topic: topic.to_owned(),
        secret: secret.clone(),
        token: token.clone(),
        state: WebSubState::Pending,
        lease_until: Some(OffsetTime::now_utc().unix_micros),
    };
    store.websub_request(&sub).await.map_err(store_err)?;
    let Ok(hub_url) = url::Url::parse(hub) else {
        store
            .websub_set_state(source_id, WebSubState::Denied, None)
            .await
            .map_err(store_err)?;
        return Ok(());
    };
    let callback = settings.callback(&token);
    let lease = LEASE_SECS.to_string();
    let form = [
        ("hub.mode", "subscribe"),
        ("hub.topic", topic),
        ("hub.callback", callback.as_str()),
        ("hub.lease_seconds", lease.as_str()),
        ("hub.secret", secret.as_str()),
    ];
    match fetcher.post_form(&hub_url, &form).await {
        Ok(_) => tracing::info!(source.id = source_id, %hub, "WebSub subscription requested"),
        Err(err) => {
            tracing::warn!(source.id = source_id, %hub, "WebSub hub refused: {err}");
            store
                .websub_set_state(source_id, WebSubState::Denied, None)
                .await
                .map_err(store_err)?;
        }
    }
    Ok(())
}

/// The hub's verification GET: the challenge to echo when it concerns a subscription we asked
/// for, None (answer 404) otherwise.
pub async fn verify(
    store: &dyn Store,
    token: &str,
    mode: &str,
    topic: &str,
    challenge: &str,
    lease_seconds: Option<i64>,
) -> Result<Option<String>, masthead_store::StoreError> {
    let Some(sub) = store.websub_by_token(token).await? else {
        return Ok(None);
    };
    if sub.topic != topic {
        return Ok(None);
    }
    match mode {
        "subscribe" => {
            let lease = lease_seconds
                .unwrap_or(LEASE_SECS)
                .clamp(60, 365 * 24 * 3600);
            let until = OffsetTime::now_utc().unix_micros + lease * 1_000_000;
            store
                .websub_set_state(sub.source_id, WebSubState::Active, Some(until))
                .await?;
            Ok(Some(challenge.to_owned()))
        }
        "unsubscribe" => {
            store
                .websub_set_state(sub.source_id, WebSubState::Denied, None)
                .await?;
            Ok(Some(challenge.to_owned()))
        }
        "denied" => {
            store
                .websub_set_state(sub.source_id, WebSubState::Denied, None)
                .await?;
            Ok(Some(String::new()))
        }
        _ => Ok(None),
    }
}

/// What a delivery did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// No subscription has this token: answer 404 so the hub stops.
    Unknown,
    /// The signature is missing or wrong: ignored (the spec asks for a 2xx all the same).
    BadSignature,
    Ingested(IngestReport),
    /// The body was not a feed; recorded in the source's health.
    Failed(String),
}

/// A hub's content delivery: checks the HMAC signature (`X-Hub-Signature: sha256=…`, sha1
/// refused) and ingests the body as the source's feed.
pub async fn deliver(
    store: &dyn Store,
    fetcher: &Fetcher,
    settings: &PollSettings,
    token: &str,
    signature: Option<&str>,
    body: &[u8],
) -> Result<Delivery, JobError> {
    let sub = store
        .websub_by_token(token)
        .await
        .map_err(|cause| JobError::Store {
            source_name: format!("websub {token}"),
            cause,
        })?;
    let Some(sub) = sub else {
        return Ok(Delivery::Unknown);
    };
    if !signature_ok(&sub.secret, signature, body) {
        tracing::warn!(
            source.id = sub.source_id,
            "WebSub delivery with a bad signature ignored"
        );
        return Ok(Delivery::BadSignature);
    }
    let source = store
        .sources()
        .await
        .map_err(|cause| JobError::Store {
            source_name: format!("source {}", sub.source_id),
            cause,
        })?
        .into_iter()
        .find(|s| s.id == sub.source_id);
    let Some(source) = source else {
        return Ok(Delivery::Unknown);
    };
    let base = url::Url::parse(&sub.topic).ok();
    let utf8 = masthead_fetch::feed_to_utf8(body, None);
    match crate::ingest_document(
        store,
        &source,
        &utf8,
        base.as_ref(),
        &settings.ingest,
        Some(fetcher),
    )
    .await
    {
        Ok(report) => Ok(Delivery::Ingested(report)),
        Err(JobError::Feed { cause, .. }) => Ok(Delivery::Failed(cause.to_string())),
        Err(err) => Err(err),
    }
}

fn signature_ok(secret: &str, signature: Option<&str>, body: &[u8]) -> bool {
    let Some((algo, hex_sig)) = signature.and_then(|s| s.trim().split_once('=')) else {
        return false;
    };
    if !algo.eq_ignore_ascii_case("sha256") {
        return false;
    }
    let Ok(expected) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// Renews subscriptions whose lease ends within a day.
pub async fn renew_expiring(
    store: &dyn Store,
    fetcher: &Fetcher,
    settings: &WebSubSettings,
) -> Result<usize, JobError> {
    let soon = OffsetTime::now_utc().unix_micros + 24 * 3600 * 1_000_000;
    let expiring = store
        .websub_expiring(soon)
        .await
        .map_err(|cause| JobError::Store {
            source_name: "websub renewal".to_owned(),
            cause,
        })?;
    for sub in &expiring {
        subscribe(
            store,
            fetcher,
            settings,
            sub.source_id,
            &format!("source {}", sub.source_id),
            &sub.hub,
            &sub.topic,
        )
        .await?;
    }
    Ok(expiring.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, body: &[u8]) -> String {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn signatures_are_checked() {
        let sig = sign("s3cret", b"<rss/>");
        assert!(signature_ok("s3cret", Some(&sig), b"<rss/>"));
        assert!(!signature_ok("other", Some(&sig), b"<rss/>"));
        assert!(!signature_ok("s3cret", Some(&sig), b"<rss>tampered</rss>"));
        assert!(!signature_ok("s3cret", None, b"<rss/>"));
        assert!(!signature_ok("s3cret", Some("sha1=00"), b"<rss/>"));
        assert!(!signature_ok("s3cret", Some("sha256=zz"), b"<rss/>"));
    }

    #[test]
    fn only_public_base_urls_get_callbacks() {
        let on = |u: &str| WebSubSettings::for_base_url(&url::Url::parse(u).unwrap()).is_some();
        assert!(on("https://news.example.com/"));
        assert!(!on("http://127.0.0.1:8080/"));
        assert!(!on("http://orlando-echo.localhost:8080/"));
        assert!(!on("http://10.0.0.5/"));
    }

    #[test]
    fn tokens_are_random() {
        let (a, b) = (random_hex(), random_hex());
        assert_eq!(a.len(), 48);
        assert_ne!(a, b);
    }
}
