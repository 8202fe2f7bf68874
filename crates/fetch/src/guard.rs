//! The SSRF guard: which addresses a fetch may reach.
//!
//! Job: keep every fetch (first hop, each redirect hop, robots.txt) away from loopback, private,
//! link-local, CGNAT, multicast, unspecified, broadcast, documentation, benchmarking and other
//! non-public addresses, in IPv4 and IPv6 (IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms
//! included), unless the operator allow-lists them.
//! Input: a URL about to be requested ([`Guard::check_url`]), or a host name being resolved at
//! connect time ([`GuardedResolver`], installed as reqwest's `dns_resolver`).
//! Output: permission, or [`FetchError::Refused`] / a resolver error naming the address and why.
//! Never: opens a connection itself, or trusts a host name: names are judged by the addresses
//! they resolve to when the connection is made, so DNS rebinding cannot slip past.
//!
//! Two paths because reqwest never calls the resolver for an IP-literal URL: literals
//! (`http://10.0.0.1/`, and `http://2130706433/` or `http://0x7f.1/`, which the `url` crate
//! normalizes to dotted IPv4 while parsing) are judged by [`Guard::check_url`] before each hop is
//! sent; names are judged by [`GuardedResolver`] after resolution, just before connecting.

use std::error::Error as StdError;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use crate::FetchError;

/// One entry of the operator's allow-list (`fetch.allow`, `MASTHEAD_FETCH_ALLOW`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowEntry {
    /// Every address in this network may be reached, on any port, whatever name led to it.
    Net(IpNet),
    /// Exactly this `host:port` (normalized: lower-case host, IPv6 in brackets, numeric port).
    /// For an IP host only that address and port; for a name, whatever that name resolves to,
    /// and only on that port (other ports of that name are refused).
    HostPort(String),
}

/// Parses one allow-list entry: a CIDR (`10.1.0.0/16`, `fd00::/8`), a bare IP (`127.0.0.1`,
/// `::1`, taken as a one-address network) or an exact `host:port` (`127.0.0.1:8080`,
/// `[::1]:8080`, `feeds.internal:8443`).
pub fn parse_allow(entry: &str) -> Result<AllowEntry, FetchError> {
    let trimmed = entry.trim();
    let bad = |reason: &str| FetchError::BadAllowEntry {
        entry: entry.to_owned(),
        reason: reason.to_owned(),
    };
    if trimmed.is_empty() {
        return Err(bad("empty"));
    }
    if let Ok(net) = IpNet::from_str(trimmed) {
        // `trunc` so that 10.1.2.3/16 means the network 10.1.0.0/16, as an operator expects.
        return Ok(AllowEntry::Net(net.trunc()));
    }
    if let Ok(ip) = IpAddr::from_str(trimmed) {
        return Ok(AllowEntry::Net(IpNet::from(ip)));
    }
    let Some((_, port)) = trimmed.rsplit_once(':') else {
        return Err(bad(
            "expected a CIDR (10.1.0.0/16), an IP (127.0.0.1) or host:port (127.0.0.1:8080)",
        ));
    };
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("the port after ':' must be a number"));
    }
    // The `url` parser normalizes the host exactly as it does for request URLs, so the entry and
    // a request's `host:port` compare as plain strings.
    let url = Url::parse(&format!("http://{trimmed}/")).map_err(|e| bad(&e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() || url.path() != "/" {
        return Err(bad("expected host:port and nothing else"));
    }
    host_port(&url)
        .map(AllowEntry::HostPort)
        .ok_or_else(|| bad("no host"))
}

/// `host:port` of a URL as [`AllowEntry::HostPort`] stores it.
pub(crate) fn host_port(url: &Url) -> Option<String> {
    Some(format!(
        "{}:{}",
        url.host_str()?,
        url.port_or_known_default()?
    ))
}

/// The allow-list, shared by the pre-send check and the resolver.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    allow: Arc<Vec<AllowEntry>>,
}

impl Guard {
    pub(crate) fn new(allow: Vec<AllowEntry>) -> Self {
        Guard {
            allow: Arc::new(allow),
        }
    }

    /// Checks a URL before it is requested (every hop): scheme, and for an IP-literal host the
    /// address itself; for a named host the port when the name is allow-listed by `host:port`.
    pub(crate) fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::BadUrl {
                url: url.to_string(),
                reason: format!("scheme {:?} is not http or https", url.scheme()),
            });
        }
        let (Some(host), Some(hp)) = (url.host(), host_port(url)) else {
            return Err(FetchError::BadUrl {
                url: url.to_string(),
                reason: "no host".to_owned(),
            });
        };
        let refused = |addr: String, reason: String| FetchError::Refused {
            url: url.clone(),
            addr: addr.into(),
            reason: reason.into(),
        };
        match host {
            Host::Ipv4(v4) => self
                .check_literal(IpAddr::V4(v4), &hp)
                .map_err(|r| refused(v4.to_string(), r)),
            Host::Ipv6(v6) => self
                .check_literal(IpAddr::V6(v6), &hp)
                .map_err(|r| refused(v6.to_string(), r)),
            Host::Domain(name) => {
                // A name allow-listed as `name:port` lets the resolver return private addresses
                // for that name (the resolver cannot see ports); the port is held here instead.
                let prefix = format!("{}:", name.to_ascii_lowercase());
                let mut listed_ports = self
                    .host_port_entries()
                    .filter(|e| e.starts_with(&prefix))
                    .peekable();
                if listed_ports.peek().is_some() && !listed_ports.any(|e| *e == hp) {
                    return Err(refused(
                        hp.clone(),
                        "allow-listed only on another port".to_owned(),
                    ));
                }
                Ok(())
            }
        }
    }

    fn check_literal(&self, ip: IpAddr, hp: &str) -> Result<(), String> {
        if self.host_port_entries().any(|e| e == hp) || self.net_allows(ip) {
            return Ok(());
        }
        match refusal_reason(ip) {
            Some(reason) => Err(reason),
            None => Ok(()),
        }
    }

    /// Whether an address that `name` resolved to may be connected to.
    fn resolved_allowed(&self, name: &str, ip: IpAddr) -> Result<(), String> {
        let prefix = format!("{}:", name.trim_end_matches('.').to_ascii_lowercase());
        if self.host_port_entries().any(|e| e.starts_with(&prefix)) || self.net_allows(ip) {
            return Ok(());
        }
        match refusal_reason(ip) {
            Some(reason) => Err(reason),
            None => Ok(()),
        }
    }

    fn net_allows(&self, ip: IpAddr) -> bool {
        // The embedded IPv4 of a mapped/NAT64/6to4 address reaches the same host: an allow-listed
        // 127.0.0.1/32 covers ::ffff:127.0.0.1 too.
        let embedded = match ip {
            IpAddr::V6(v6) => embedded_v4(v6).map(IpAddr::V4),
            IpAddr::V4(_) => None,
        };
        self.allow.iter().any(|entry| match entry {
            AllowEntry::Net(net) => net.contains(&ip) || embedded.is_some_and(|e| net.contains(&e)),
            AllowEntry::HostPort(_) => false,
        })
    }

    fn host_port_entries(&self) -> impl Iterator<Item = &String> {
        self.allow.iter().filter_map(|entry| match entry {
            AllowEntry::HostPort(hp) => Some(hp),
            AllowEntry::Net(_) => None,
        })
    }
}

/// IPv4 ranges that are not the public internet (IANA special-purpose registry), with the reason
/// given in errors. Address and prefix length as integers: no parsing, nothing to unwrap.
const V4_REFUSED: &[(u32, u32, &str)] = &[
    (
        v4(0, 0, 0, 0),
        8,
        "an unspecified (\"this network\") address",
    ),
    (v4(10, 0, 0, 0), 8, "a private address"),
    (
        v4(100, 64, 0, 0),
        10,
        "a carrier-grade NAT (shared) address",
    ),
    (v4(127, 0, 0, 0), 8, "a loopback address"),
    (v4(169, 254, 0, 0), 16, "a link-local address"),
    (v4(172, 16, 0, 0), 12, "a private address"),
    (v4(192, 0, 0, 0), 24, "an IETF protocol assignment address"),
    (v4(192, 0, 2, 0), 24, "a documentation address"),
    (v4(192, 88, 99, 0), 24, "a 6to4 relay anycast address"),
    (v4(192, 168, 0, 0), 16, "a private address"),
    (v4(198, 18, 0, 0), 15, "a benchmarking address"),
    (v4(198, 51, 100, 0), 24, "a documentation address"),
    (v4(203, 0, 113, 0), 24, "a documentation address"),
    (v4(224, 0, 0, 0), 4, "a multicast address"),
    (v4(255, 255, 255, 255), 32, "the broadcast address"),
    (v4(240, 0, 0, 0), 4, "a reserved address"),
];

const fn v4(a: u8, b: u8, c: u8, d: u8) -> u32 {
    u32::from_be_bytes([a, b, c, d])
}

const fn prefix_matches_v4(ip: u32, net: u32, len: u32) -> bool {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    ip & mask == net & mask
}

const fn prefix_matches_v6(ip: u128, net: u128, len: u32) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    ip & mask == net & mask
}

/// IPv6 ranges refused inside global unicast 2000::/3 (everything outside it is refused too).
const V6_REFUSED_GLOBAL: &[(u128, u32, &str)] = &[
    (0x2001_0db8 << 96, 32, "a documentation address"),
    (0x3fff << 112, 20, "a documentation address"),
    (0x2001_0000 << 96, 32, "a Teredo tunnel address"),
    (0x2001_0002 << 96, 48, "a benchmarking address"),
    (0x2001_0010 << 96, 28, "an ORCHID address"),
    (0x2001_0020 << 96, 28, "an ORCHIDv2 address"),
];

/// The IPv4 address a v6 address stands for, where it embeds one that a packet will reach:
/// IPv4-mapped `::ffff:a.b.c.d`, NAT64 well-known prefix `64:ff9b::a.b.c.d` and 6to4 `2002:AABB:CCDD::`.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(ip);
    if let Some(mapped) = ip.to_ipv4_mapped() {
        return Some(mapped);
    }
    // Truncating casts pick the 32 bits that hold the IPv4 address.
    if prefix_matches_v6(bits, 0x0064_ff9b << 96, 96) {
        return Some(Ipv4Addr::from((bits & 0xffff_ffff) as u32));
    }
    if prefix_matches_v6(bits, 0x2002 << 112, 16) {
        return Some(Ipv4Addr::from(((bits >> 80) & 0xffff_ffff) as u32));
    }
    None
}

/// Why this address must not be fetched from without an allow-list entry, or `None` for a
/// public address.
pub(crate) fn refusal_reason(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4).map(str::to_owned),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let bits = u32::from(ip);
    V4_REFUSED
        .iter()
        .find(|(net, len, _)| prefix_matches_v4(bits, *net, *len))
        .map(|(_, _, reason)| *reason)
}

fn v6_reason(ip: Ipv6Addr) -> Option<String> {
    let bits = u128::from(ip);
    if ip.is_unspecified() {
        return Some("an unspecified address".to_owned());
    }
    if ip.is_loopback() {
        return Some("a loopback address".to_owned());
    }
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_reason(v4).map(|r| format!("{r} in IPv4-mapped form"));
    }
    if prefix_matches_v6(bits, 0x0064_ff9b << 96, 96) {
        return embedded_v4(ip)
            .and_then(v4_reason)
            .map(|r| format!("{r} behind NAT64"));
    }
    if prefix_matches_v6(bits, 0x2002 << 112, 16) {
        return embedded_v4(ip)
            .and_then(v4_reason)
            .map(|r| format!("{r} in 6to4 form"));
    }
    if !prefix_matches_v6(bits, 0x2000 << 112, 3) {
        let reason = if prefix_matches_v6(bits, 0, 96) {
            "an IPv4-compatible (deprecated) address"
        } else if prefix_matches_v6(bits, 0xfc00 << 112, 7) {
            "a unique-local address"
        } else if prefix_matches_v6(bits, 0xfe80 << 112, 10) {
            "a link-local address"
        } else if prefix_matches_v6(bits, 0xfec0 << 112, 10) {
            "a site-local (deprecated) address"
        } else if prefix_matches_v6(bits, 0xff00 << 112, 8) {
            "a multicast address"
        } else if prefix_matches_v6(bits, 0x0064_ff9b_0001 << 80, 48) {
            "a local-use NAT64 address"
        } else if prefix_matches_v6(bits, 0x0100 << 112, 64) {
            "a discard-only address"
        } else {
            "outside IPv6 global unicast (2000::/3)"
        };
        return Some(reason.to_owned());
    }
    V6_REFUSED_GLOBAL
        .iter()
        .find(|(net, len, _)| prefix_matches_v6(bits, *net, *len))
        .map(|(_, _, reason)| (*reason).to_owned())
}

/// Why the guarded resolver gave no address; found again in reqwest's error chain to build the
/// right [`FetchError`].
#[derive(Debug)]
pub(crate) enum ResolveFailure {
    /// Every address the name resolved to was refused; the first one and why.
    Refused { addr: IpAddr, reason: String },
    /// The lookup itself failed.
    Lookup {
        name: String,
        source: std::io::Error,
    },
    /// The lookup succeeded with no address at all.
    Empty { name: String },
}

impl fmt::Display for ResolveFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveFailure::Refused { addr, reason } => write!(f, "{addr} is {reason}"),
            ResolveFailure::Lookup { name, source } => write!(f, "cannot resolve {name}: {source}"),
            ResolveFailure::Empty { name } => write!(f, "{name} resolves to no address"),
        }
    }
}

impl StdError for ResolveFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            ResolveFailure::Lookup { source, .. } => Some(source),
            ResolveFailure::Refused { .. } | ResolveFailure::Empty { .. } => None,
        }
    }
}

/// reqwest's resolver: the system resolver (tokio's `lookup_host`), minus refused addresses.
/// A name with both public and refused addresses keeps the public ones; a name with only
/// refused addresses fails, so no connection is attempted.
#[derive(Debug, Clone)]
pub(crate) struct GuardedResolver {
    guard: Guard,
}

impl GuardedResolver {
    pub(crate) fn new(guard: Guard) -> Self {
        GuardedResolver { guard }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.guard.clone();
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let resolved = tokio::net::lookup_host((name.as_str(), 0))
                .await
                .map_err(|source| ResolveFailure::Lookup {
                    name: name.clone(),
                    source,
                })?;
            let mut kept: Vec<SocketAddr> = Vec::new();
            let mut refused: Option<ResolveFailure> = None;
            for addr in resolved {
                match guard.resolved_allowed(&name, addr.ip()) {
                    Ok(()) => kept.push(addr),
                    Err(reason) => {
                        tracing::debug!(host = %name, addr = %addr.ip(), %reason, "fetch guard dropped a resolved address");
                        refused.get_or_insert(ResolveFailure::Refused {
                            addr: addr.ip(),
                            reason,
                        });
                    }
                }
            }
            if kept.is_empty() {
                let failure = refused.unwrap_or(ResolveFailure::Empty { name });
                return Err(Box::new(failure) as Box<dyn StdError + Send + Sync>);
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(s: &str) -> Option<String> {
        refusal_reason(s.parse().unwrap())
    }

    #[test]
    fn refuses_non_public_ipv4() {
        for ip in [
            "0.0.0.0",
            "10.0.0.1",
            "100.64.0.1",
            "127.0.0.1",
            "127.255.0.9",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.1.1.1",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(reason(ip).is_some(), "{ip} should be refused");
        }
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "192.169.0.1",
            "93.184.216.34",
        ] {
            assert_eq!(reason(ip), None, "{ip} should be allowed");
        }
    }

    #[test]
    fn refuses_non_public_ipv6_and_embedded_forms() {
        for ip in [
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::127.0.0.1",
            "64:ff9b::10.0.0.1",
            "64:ff9b::127.0.0.1",
            "64:ff9b:1::1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "3fff::1",
            "2001::1",
            "100::1",
        ] {
            assert!(reason(ip).is_some(), "{ip} should be refused");
        }
        for ip in [
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::8.8.8.8",
            "2002:808:808::1",
        ] {
            assert_eq!(reason(ip), None, "{ip} should be allowed");
        }
        assert_eq!(
            reason("::ffff:127.0.0.1").unwrap(),
            "a loopback address in IPv4-mapped form"
        );
    }

    #[test]
    fn parses_allow_entries() {
        assert_eq!(
            parse_allow("10.1.2.3/16").unwrap(),
            AllowEntry::Net("10.1.0.0/16".parse().unwrap())
        );
        assert_eq!(
            parse_allow(" 127.0.0.1 ").unwrap(),
            AllowEntry::Net("127.0.0.1/32".parse().unwrap())
        );
        assert_eq!(
            parse_allow("::1").unwrap(),
            AllowEntry::Net("::1/128".parse().unwrap())
        );
        assert_eq!(
            parse_allow("127.0.0.1:8080").unwrap(),
            AllowEntry::HostPort("127.0.0.1:8080".into())
        );
        assert_eq!(
            parse_allow("[::1]:8080").unwrap(),
            AllowEntry::HostPort("[::1]:8080".into())
        );
        assert_eq!(
            parse_allow("Feeds.Local:80").unwrap(),
            AllowEntry::HostPort("feeds.local:80".into())
        );
        for bad in [
            "",
            "localhost",
            "10.0.0.0/33",
            "host:port",
            "host:80/path",
            "user@host:80",
        ] {
            assert!(parse_allow(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn url_crate_normalizes_numeric_hosts_to_ipv4() {
        for (input, host) in [
            ("http://2130706433/", "127.0.0.1"),
            ("http://0x7f.1/", "127.0.0.1"),
            ("http://0177.0.0.1/", "127.0.0.1"),
            ("http://127.1/", "127.0.0.1"),
            ("http://127.0.0.1./", "127.0.0.1"),
            ("http://[::ffff:127.0.0.1]/", "[::ffff:7f00:1]"),
        ] {
            let url = Url::parse(input).unwrap();
            assert_eq!(url.host_str(), Some(host), "{input}");
            assert!(
                matches!(url.host(), Some(Host::Ipv4(_) | Host::Ipv6(_))),
                "{input}"
            );
        }
    }

    #[test]
    fn check_url_refuses_literals_before_sending() {
        let guard = Guard::new(vec![]);
        for url in [
            "http://10.0.0.1/",
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://169.254.169.254/latest/meta-data/",
            "https://[fe80::1]/",
            "http://[64:ff9b::a00:1]/",
        ] {
            let err = guard.check_url(&Url::parse(url).unwrap()).unwrap_err();
            assert!(matches!(err, FetchError::Refused { .. }), "{url}: {err}");
        }
        for url in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "gopher://example.com/",
        ] {
            let err = guard.check_url(&Url::parse(url).unwrap()).unwrap_err();
            assert!(matches!(err, FetchError::BadUrl { .. }), "{url}: {err}");
        }
        assert!(
            guard
                .check_url(&Url::parse("https://example.com/feed").unwrap())
                .is_ok()
        );
        assert!(
            guard
                .check_url(&Url::parse("http://8.8.8.8/").unwrap())
                .is_ok()
        );
    }

    #[test]
    fn allow_list_is_exact() {
        let guard = Guard::new(vec![
            parse_allow("127.0.0.1:8080").unwrap(),
            parse_allow("10.1.0.0/16").unwrap(),
            parse_allow("feeds.internal:8443").unwrap(),
        ]);
        let ok = |u: &str| guard.check_url(&Url::parse(u).unwrap()).is_ok();
        assert!(ok("http://127.0.0.1:8080/feed"));
        assert!(!ok("http://127.0.0.1:8081/feed"));
        assert!(!ok("http://127.0.0.2:8080/feed"));
        assert!(ok("http://10.1.200.3/"));
        assert!(!ok("http://10.2.0.1/"));
        assert!(ok("https://feeds.internal:8443/"));
        assert!(!ok("https://feeds.internal/"));
        assert!(ok("https://other.example/"));
        // Names: the resolver lets a name listed by host:port reach private addresses.
        assert!(
            guard
                .resolved_allowed("feeds.internal", "192.168.1.2".parse().unwrap())
                .is_ok()
        );
        assert!(
            guard
                .resolved_allowed("feeds.internal.", "192.168.1.2".parse().unwrap())
                .is_ok()
        );
        assert!(
            guard
                .resolved_allowed("localhost", "127.0.0.1".parse().unwrap())
                .is_err()
        );
        assert!(
            guard
                .resolved_allowed("any.example", "10.1.0.7".parse().unwrap())
                .is_ok()
        );
        assert!(
            guard
                .resolved_allowed("any.example", "::ffff:10.1.0.7".parse().unwrap())
                .is_ok()
        );
    }
}
