//! Configuration: a TOML file, then `MASTHEAD_*` overrides from one explicit table, then
//! validation into typed values. Every problem names the key it is about.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use masthead_fetch::{AllowEntry, FetchSettings};
use masthead_model::{FullTextPolicy, Section, SiteSpec, SourceSpec};
use serde::Deserialize;

/// Environment variables that override keys of the file: the variable replaces the value.
const ENV_OVERRIDES: &[(&str, &str)] = &[
    ("MASTHEAD_NETWORK_NAME", "network_name"),
    ("MASTHEAD_LISTEN", "listen"),
    ("MASTHEAD_BASE_URL", "base_url"),
    ("MASTHEAD_DATABASE_URL", "database_url"),
    ("MASTHEAD_FETCH_ALLOW", "fetch.allow"),
    ("MASTHEAD_FETCH_CONTACT_URL", "fetch.contact_url"),
    ("MASTHEAD_SMTP_URL", "smtp_url"),
    ("MASTHEAD_SECRET", "secret"),
    ("MASTHEAD_MAIL_FROM", "mail.from"),
    ("MASTHEAD_WEBSUB_HUB", "websub_hub"),
];

/// The file as written; validated into [`Config`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    network_name: Option<String>,
    listen: Option<String>,
    base_url: Option<String>,
    database_url: Option<String>,
    /// SMTP relay URL; none: mail goes to the outbox directory.
    smtp_url: Option<String>,
    /// A WebSub hub our feeds advertise and that we ping when they change.
    websub_hub: Option<String>,
    /// Signs links in mail and form tokens; none: generated once into `secret.key`.
    secret: Option<String>,
    #[serde(default)]
    mail: RawMail,
    #[serde(default)]
    fetch: RawFetch,
    #[serde(default)]
    dedup: masthead_dedup::DedupSettings,
    #[serde(default)]
    sites: Vec<RawSite>,
    #[serde(default)]
    sources: Vec<RawSource>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMail {
    /// `Name <address>` or a bare address.
    from: Option<String>,
    /// Directory for mail when no relay is configured (relative to the configuration file).
    outbox: Option<String>,
    rate_per_second: Option<f64>,
    pool_size: Option<u32>,
    dkim_selector: Option<String>,
    dkim_domain: Option<String>,
    dkim_key: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFetch {
    #[serde(default)]
    allow: Vec<String>,
    contact_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    slug: String,
    name: String,
    #[serde(default)]
    hosts: Vec<String>,
    time_zone: String,
    #[serde(default)]
    tagline: String,
    sections: Vec<RawSection>,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    rules: Vec<RawRule>,
    /// Local hour (0-23, the site's zone) the daily digest goes out.
    digest_hour: Option<u8>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    name: String,
    #[serde(default)]
    priority: i32,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    words: Vec<String>,
    #[serde(default)]
    datelines: Vec<String>,
    section: Option<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    slug: String,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: String,
    url: String,
    section: Option<String>,
    dateline: Option<String>,
    full_text: Option<String>,
    interval: Option<String>,
}

/// A site as configured: what the store holds plus which sources it carries.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub spec: SiteSpec,
    /// Source names; empty means every source.
    pub sources: Vec<String>,
    /// Routing rules; empty means the category mapping places every story of its sources.
    pub rules: Vec<masthead_route::Rule>,
    /// Local hour the daily digest goes out.
    pub digest_hour: u8,
}

/// How mail leaves: relay or outbox, sender, signing, pace.
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub from_name: Option<String>,
    pub from_address: String,
    pub smtp: Option<masthead_mail::SmtpSettings>,
    pub outbox: PathBuf,
    pub rate_per_second: Option<f64>,
    pub pool_size: u32,
    pub dkim: Option<masthead_mail::DkimSettings>,
}

impl MailConfig {
    pub fn settings(&self) -> masthead_mail::MailSettings {
        masthead_mail::MailSettings {
            from: masthead_mail::MailAddress {
                name: self.from_name.clone(),
                address: self.from_address.clone(),
            },
            transport: match &self.smtp {
                Some(smtp) => masthead_mail::Transport::Smtp(smtp.clone()),
                None => masthead_mail::Transport::Outbox(self.outbox.clone()),
            },
            dkim: self.dkim.clone(),
            rate_per_second: self.rate_per_second,
            pool_size: self.pool_size,
        }
    }
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub network_name: String,
    pub listen: SocketAddr,
    pub base_url: url::Url,
    /// False when `base_url` was derived from `listen`: it then follows the bound address.
    pub base_url_given: bool,
    pub database_url: String,
    /// The fetcher's rules: allow-list, User-Agent naming the operator's contact URL, limits.
    pub fetch: FetchSettings,
    /// Near-duplicate clustering: window and similarity threshold.
    pub dedup: masthead_dedup::DedupSettings,
    pub mail: MailConfig,
    /// The WebSub hub for our own feeds.
    pub websub_hub: Option<url::Url>,
    /// Where `secret` comes from when the file gives none: generated once, kept here.
    pub secret: SecretSource,
    pub sites: Vec<SiteConfig>,
    pub sources: Vec<SourceSpec>,
    /// Photos of news releases, under generated names: `<config dir>/uploads`.
    pub uploads_dir: PathBuf,
}

impl Config {
    /// Reads `path` (or `./masthead.toml` when it exists, or defaults), applies the
    /// environment, validates.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let default_path = Path::new("masthead.toml");
        let (raw, dir) = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read configuration {}", path.display()))?;
                (parse_raw(&text, path)?, parent_dir(path))
            }
            None if default_path.exists() => {
                let text = std::fs::read_to_string(default_path)
                    .context("cannot read configuration masthead.toml")?;
                (parse_raw(&text, default_path)?, PathBuf::from("."))
            }
            None => (RawConfig::default(), PathBuf::from(".")),
        };
        let env: Vec<(String, String)> = ENV_OVERRIDES
            .iter()
            .filter_map(|(var, _)| std::env::var(var).ok().map(|v| ((*var).to_owned(), v)))
            .collect();
        validate(raw, &dir, &env)
    }

    /// Parses configuration text (for tests and `init`'s self-check), without the environment.
    #[cfg(test)]
    pub fn from_str(text: &str, dir: &Path) -> anyhow::Result<Self> {
        validate(parse_raw(text, Path::new("test.toml"))?, dir, &[])
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn parse_raw(text: &str, path: &Path) -> anyhow::Result<RawConfig> {
    toml::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "invalid configuration {}: {}",
            path.display(),
            e.to_string().trim_end()
        )
    })
}

fn invalid(key: &str, problem: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("invalid configuration: {key}: {problem}")
}

fn validate(mut raw: RawConfig, dir: &Path, env: &[(String, String)]) -> anyhow::Result<Config> {
    for (var, value) in env {
        match var.as_str() {
            "MASTHEAD_NETWORK_NAME" => raw.network_name = Some(value.clone()),
            "MASTHEAD_LISTEN" => raw.listen = Some(value.clone()),
            "MASTHEAD_BASE_URL" => raw.base_url = Some(value.clone()),
            "MASTHEAD_DATABASE_URL" => raw.database_url = Some(value.clone()),
            "MASTHEAD_FETCH_ALLOW" => {
                raw.fetch.allow = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            "MASTHEAD_FETCH_CONTACT_URL" => raw.fetch.contact_url = Some(value.clone()),
            "MASTHEAD_SMTP_URL" => raw.smtp_url = Some(value.clone()),
            "MASTHEAD_SECRET" => raw.secret = Some(value.clone()),
            "MASTHEAD_MAIL_FROM" => raw.mail.from = Some(value.clone()),
            "MASTHEAD_WEBSUB_HUB" => raw.websub_hub = Some(value.clone()),
            _ => {}
        }
    }

    let network_name = raw
        .network_name
        .unwrap_or_else(|| "masthead network".to_owned());
    if network_name.trim().is_empty() {
        bail!(invalid("network_name", "must not be empty"));
    }
    let listen_text = raw.listen.unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let listen: SocketAddr = listen_text.parse().map_err(|e| {
        invalid(
            "listen",
            format!("{listen_text:?} is not an address like 127.0.0.1:8080 ({e})"),
        )
    })?;
    let base_url_given = raw.base_url.is_some();
    let base_text = raw.base_url.unwrap_or_else(|| format!("http://{listen}"));
    let base_url = parse_http_url("base_url", &base_text)?;
    let database_url = database_url(
        raw.database_url
            .as_deref()
            .unwrap_or("sqlite://masthead.db"),
        dir,
    )?;
    let allow = raw
        .fetch
        .allow
        .iter()
        .map(|entry| {
            masthead_fetch::parse_allow(entry).map_err(|e| {
                invalid(
                    "fetch.allow",
                    format!("{entry:?}: {e} (use a CIDR like 10.1.0.0/16 or an exact host:port)"),
                )
            })
        })
        .collect::<anyhow::Result<Vec<AllowEntry>>>()?;
    let fetch_contact_url = raw
        .fetch
        .contact_url
        .as_deref()
        .map(|u| parse_http_url("fetch.contact_url", u))
        .transpose()?;

    let mail = mail_config(&raw.mail, raw.smtp_url.as_deref(), dir, &base_url)?;
    let websub_hub = raw
        .websub_hub
        .as_deref()
        .map(|u| parse_http_url("websub_hub", u))
        .transpose()?;
    let secret = match raw.secret.as_deref() {
        Some(s) if s.trim().len() < 32 => {
            bail!(invalid(
                "secret",
                "must be at least 32 characters of random text"
            ))
        }
        Some(s) => SecretSource::Given(s.trim().as_bytes().to_vec()),
        None => SecretSource::File(dir.join("secret.key")),
    };
    raw.dedup
        .validate()
        .map_err(|e| invalid("dedup", e.to_string()))?;

    let mut sources = Vec::new();
    let mut source_names = HashSet::new();
    for (i, s) in raw.sources.into_iter().enumerate() {
        let key = format!("sources[{i}]");
        if s.name.trim().is_empty() {
            bail!(invalid(&format!("{key}.name"), "must not be empty"));
        }
        if !source_names.insert(s.name.clone()) {
            bail!(invalid(
                &format!("{key}.name"),
                format!("{:?} is used by two sources", s.name)
            ));
        }
        let full_text = match s.full_text.as_deref() {
            None => FullTextPolicy::Auto,
            Some(p) => FullTextPolicy::parse(p).ok_or_else(|| {
                invalid(
                    &format!("{key}.full_text"),
                    format!("{p:?} is not one of auto, always, never"),
                )
            })?,
        };
        let interval_secs = parse_interval(
            &format!("{key}.interval"),
            s.interval.as_deref().unwrap_or("15m"),
        )?;
        sources.push(SourceSpec {
            name: s.name,
            url: s.url,
            section: s.section,
            dateline: s.dateline,
            full_text,
            interval_secs,
        });
    }

    let mut sites = Vec::new();
    let mut slugs = HashSet::new();
    let mut hosts = HashSet::new();
    for (i, s) in raw.sites.into_iter().enumerate() {
        let key = format!("sites[{i}]");
        if !is_slug(&s.slug) {
            bail!(invalid(
                &format!("{key}.slug"),
                format!(
                    "{:?} must be lower-case letters, digits and hyphens, like orlando-echo",
                    s.slug
                )
            ));
        }
        if !slugs.insert(s.slug.clone()) {
            bail!(invalid(
                &format!("{key}.slug"),
                format!("{:?} is used by two sites", s.slug)
            ));
        }
        if s.name.trim().is_empty() {
            bail!(invalid(&format!("{key}.name"), "must not be empty"));
        }
        masthead_normalize::parse_zone(&s.time_zone).map_err(|_| {
            invalid(
                &format!("{key}.time_zone"),
                format!(
                    "{:?} is not an IANA time zone such as America/New_York",
                    s.time_zone
                ),
            )
        })?;
        let mut site_hosts = Vec::new();
        for (j, host) in s.hosts.iter().enumerate() {
            let host = host.trim().to_ascii_lowercase();
            if url::Host::parse(&host).is_err() || host.contains(':') || host.contains('/') {
                bail!(invalid(
                    &format!("{key}.hosts[{j}]"),
                    format!("{host:?} is not a host name (no scheme, port or path)")
                ));
            }
            if !hosts.insert(host.clone()) {
                bail!(invalid(
                    &format!("{key}.hosts[{j}]"),
                    format!("{host:?} is used by two sites")
                ));
            }
            site_hosts.push(host);
        }
        if s.sections.is_empty() {
            bail!(invalid(
                &format!("{key}.sections"),
                "a site needs at least one section"
            ));
        }
        let mut section_slugs = HashSet::new();
        let mut sections = Vec::new();
        for (j, sec) in s.sections.into_iter().enumerate() {
            if !is_slug(&sec.slug) || !section_slugs.insert(sec.slug.clone()) {
                bail!(invalid(
                    &format!("{key}.sections[{j}].slug"),
                    format!("{:?} must be a unique lower-case slug like world", sec.slug)
                ));
            }
            sections.push(Section {
                slug: sec.slug,
                name: sec.name,
            });
        }
        for (j, name) in s.sources.iter().enumerate() {
            if !source_names.contains(name) {
                bail!(invalid(
                    &format!("{key}.sources[{j}]"),
                    format!("no source named {name:?} in [[sources]]")
                ));
            }
        }
        let mut rules = Vec::new();
        for (j, r) in s.rules.into_iter().enumerate() {
            let rkey = format!("{key}.rules[{j}]");
            if let Some(section) = &r.section
                && !section_slugs.contains(section)
            {
                bail!(invalid(
                    &format!("{rkey}.section"),
                    format!("the site has no section {section:?}")
                ));
            }
            for (k, name) in r.sources.iter().enumerate() {
                if !source_names.contains(name) {
                    bail!(invalid(
                        &format!("{rkey}.sources[{k}]"),
                        format!("no source named {name:?} in [[sources]]")
                    ));
                }
            }
            rules.push(masthead_route::Rule {
                name: r.name,
                priority: r.priority,
                sources: r.sources,
                categories: r.categories,
                words: r.words,
                datelines: r.datelines,
                section: r.section,
                exclude: r.exclude,
            });
        }
        sites.push(SiteConfig {
            spec: SiteSpec {
                slug: s.slug,
                name: s.name,
                hosts: site_hosts,
                time_zone: s.time_zone,
                tagline: s.tagline,
                sections,
            },
            sources: s.sources,
            rules,
            digest_hour: match s.digest_hour {
                None => 7,
                Some(h) if h < 24 => h,
                Some(h) => bail!(invalid(
                    &format!("{key}.digest_hour"),
                    format!("{h} is not an hour of the day (0-23)")
                )),
            },
        });
    }

    Ok(Config {
        uploads_dir: dir.join("uploads"),
        network_name,
        listen,
        base_url,
        base_url_given,
        database_url,
        fetch: FetchSettings {
            allow,
            user_agent: FetchSettings::user_agent_for(
                fetch_contact_url.as_ref().map(url::Url::as_str),
            ),
            ..FetchSettings::default()
        },
        dedup: raw.dedup,
        mail,
        websub_hub,
        secret,
        sites,
        sources,
    })
}

impl Config {
    /// The address the server really listens on (`--listen`, port 0): a base URL derived from
    /// `listen` follows it, so links in pages and mail reach this server.
    pub fn bound_to(&mut self, addr: SocketAddr) {
        self.listen = addr;
        if !self.base_url_given
            && let Ok(url) = url::Url::parse(&format!("http://{addr}"))
        {
            self.base_url = url;
        }
    }
}

/// The network's secret, for signed links and form tokens.
#[derive(Debug, Clone)]
pub enum SecretSource {
    Given(Vec<u8>),
    File(PathBuf),
}

impl SecretSource {
    /// The secret bytes; a missing secret file is created with 32 random bytes (mode 0600).
    pub fn load(&self) -> anyhow::Result<Vec<u8>> {
        match self {
            Self::Given(bytes) => Ok(bytes.clone()),
            Self::File(path) => {
                if let Ok(text) = std::fs::read_to_string(path) {
                    let text = text.trim();
                    anyhow::ensure!(
                        text.len() >= 32,
                        "{} holds too short a secret; delete it to make a new one",
                        path.display()
                    );
                    return Ok(text.as_bytes().to_vec());
                }
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes)
                    .map_err(|e| anyhow::anyhow!("no OS randomness for the secret: {e}"))?;
                let text = hex::encode(bytes);
                write_private(path, &text)
                    .with_context(|| format!("cannot write the secret to {}", path.display()))?;
                Ok(text.into_bytes())
            }
        }
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

fn mail_config(
    raw: &RawMail,
    smtp_url: Option<&str>,
    dir: &Path,
    base_url: &url::Url,
) -> anyhow::Result<MailConfig> {
    let (from_name, from_address) = match raw.from.as_deref().map(str::trim) {
        Some(from) => match from.rsplit_once('<') {
            Some((name, rest)) => {
                let address = rest.trim_end_matches('>').trim();
                let name = name.trim().trim_matches('"').trim();
                (
                    (!name.is_empty()).then(|| name.to_owned()),
                    address.to_owned(),
                )
            }
            None => (None, from.to_owned()),
        },
        None => (
            None,
            format!("news@{}", base_url.host_str().unwrap_or("localhost")),
        ),
    };
    if !from_address.contains('@') || from_address.contains(char::is_whitespace) {
        bail!(invalid(
            "mail.from",
            format!("{from_address:?} is not an address like news@example.com")
        ));
    }
    let smtp = smtp_url
        .map(|u| masthead_mail::parse_smtp_url(u).map_err(|e| invalid("smtp_url", e)))
        .transpose()?;
    let dkim = match (&raw.dkim_selector, &raw.dkim_domain, &raw.dkim_key) {
        (None, None, None) => None,
        (Some(selector), Some(domain), Some(key)) => Some(masthead_mail::DkimSettings {
            selector: selector.clone(),
            domain: domain.clone(),
            private_key_pem_path: dir.join(key),
        }),
        _ => bail!(invalid(
            "mail.dkim_selector",
            "DKIM needs all three of dkim_selector, dkim_domain and dkim_key"
        )),
    };
    if let Some(rate) = raw.rate_per_second
        && !(rate.is_finite() && rate > 0.0)
    {
        bail!(invalid("mail.rate_per_second", "must be a positive number"));
    }
    Ok(MailConfig {
        from_name,
        from_address,
        smtp,
        outbox: dir.join(raw.outbox.as_deref().unwrap_or("outbox")),
        rate_per_second: raw.rate_per_second,
        pool_size: raw
            .pool_size
            .unwrap_or(masthead_mail::DEFAULT_POOL_SIZE)
            .max(1),
        dkim,
    })
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn parse_http_url(key: &str, text: &str) -> anyhow::Result<url::Url> {
    let url =
        url::Url::parse(text).map_err(|e| invalid(key, format!("{text:?} is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!(invalid(
            key,
            format!("{text:?} must be an http or https URL")
        ));
    }
    Ok(url)
}

/// `sqlite://relative.db` is relative to the configuration file's directory, so a config
/// works from any working directory.
fn database_url(text: &str, dir: &Path) -> anyhow::Result<String> {
    if let Some(path) = text.strip_prefix("sqlite://") {
        if path.is_empty() {
            bail!(invalid("database_url", "sqlite:// needs a file path"));
        }
        if path.starts_with(':') || path.starts_with('/') {
            return Ok(text.to_owned());
        }
        let abs = std::path::absolute(dir.join(path))
            .map_err(|e| invalid("database_url", format!("cannot resolve {path:?}: {e}")))?;
        return Ok(format!("sqlite://{}", abs.display()));
    }
    if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        url::Url::parse(text).map_err(|e| invalid("database_url", format!("not a URL ({e})")))?;
        return Ok(text.to_owned());
    }
    Err(invalid(
        "database_url",
        "must start with sqlite:// (a file) or postgres:// (a server)",
    ))
}

fn parse_interval(key: &str, text: &str) -> anyhow::Result<i64> {
    let duration: jiff::SignedDuration = text.parse().map_err(|e| {
        invalid(
            key,
            format!("{text:?} is not a duration like 15m or 1h ({e})"),
        )
    })?;
    let secs = duration.as_secs();
    if secs < 60 {
        bail!(invalid(key, format!("{text:?} is shorter than one minute")));
    }
    Ok(secs)
}

/// The commented configuration `masthead init` writes.
pub const INIT_TEMPLATE: &str = include_str!("init.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_template_parses_back() {
        let cfg = Config::from_str(INIT_TEMPLATE, Path::new("/srv/masthead")).unwrap();
        assert_eq!(cfg.sites.len(), 1);
        assert_eq!(cfg.listen.port(), 8080);
        assert_eq!(cfg.database_url, "sqlite:///srv/masthead/masthead.db");
    }

    #[test]
    fn env_overrides_replace_file_values() {
        let raw: RawConfig =
            toml::from_str("listen = \"127.0.0.1:1\"\n[fetch]\nallow = [\"10.0.0.0/8\"]").unwrap();
        let env = vec![
            ("MASTHEAD_LISTEN".to_owned(), "0.0.0.0:9000".to_owned()),
            (
                "MASTHEAD_FETCH_ALLOW".to_owned(),
                "127.0.0.1/32, 10.1.0.0/16".to_owned(),
            ),
            (
                "MASTHEAD_DATABASE_URL".to_owned(),
                "postgres://db.example/masthead".to_owned(),
            ),
        ];
        let cfg = validate(raw, Path::new("."), &env).unwrap();
        assert_eq!(cfg.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(cfg.fetch.allow.len(), 2);
        assert_eq!(cfg.database_url, "postgres://db.example/masthead");
    }

    fn err(text: &str) -> String {
        format!("{:#}", Config::from_str(text, Path::new(".")).unwrap_err())
    }

    #[test]
    fn invalid_values_name_their_key() {
        assert!(err("listen = \"nonsense\"").contains("listen:"));
        assert!(err("database_url = \"mysql://x\"").contains("database_url:"));
        assert!(err("[fetch]\nallow = [\"everything\"]").contains("fetch.allow:"));
        let bad_zone = "[[sites]]\nslug = \"a\"\nname = \"A\"\ntime_zone = \"Mars/Olympus\"\nsections = [{slug = \"world\", name = \"World\"}]";
        assert!(err(bad_zone).contains("sites[0].time_zone:"));
        let bad_slug = "[[sites]]\nslug = \"Orlando Echo\"\nname = \"A\"\ntime_zone = \"UTC\"\nsections = [{slug = \"world\", name = \"World\"}]";
        assert!(err(bad_slug).contains("sites[0].slug:"));
        let bad_source =
            "[[sources]]\nname = \"A\"\nurl = \"http://a.example/feed\"\nfull_text = \"sometimes\"";
        assert!(err(bad_source).contains("sources[0].full_text:"));
        let unknown_source = "[[sites]]\nslug = \"a\"\nname = \"A\"\ntime_zone = \"UTC\"\nsources = [\"Nope\"]\nsections = [{slug = \"world\", name = \"World\"}]";
        assert!(err(unknown_source).contains("sites[0].sources[0]:"));
    }

    #[test]
    fn rules_are_read_and_checked() {
        let base = "[[sources]]\nname = \"Wire\"\nurl = \"http://w.example/f\"\n[[sites]]\nslug = \"a\"\nname = \"A\"\ntime_zone = \"UTC\"\nsections = [{slug = \"world\", name = \"World\"}, {slug = \"local\", name = \"Local\"}]\n";
        let good = format!(
            "{base}[[sites.rules]]\nname = \"local\"\npriority = 5\ndatelines = [\"ORLANDO\"]\nsection = \"local\"\nsources = [\"Wire\"]\n"
        );
        let cfg = Config::from_str(&good, Path::new(".")).unwrap();
        assert_eq!(cfg.sites[0].rules.len(), 1);
        assert_eq!(cfg.sites[0].rules[0].priority, 5);
        assert!(
            err(&format!("{base}[[sites.rules]]\nsection = \"opinion\"\n"))
                .contains("sites[0].rules[0].section:")
        );
        assert!(
            err(&format!("{base}[[sites.rules]]\nsources = [\"Nope\"]\n"))
                .contains("sites[0].rules[0].sources[0]:")
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(err("listne = \"127.0.0.1:8080\"").contains("listne"));
    }
}
