//! `masthead user add`: an editor's or admin's account.
//!
//! The password comes from standard input when it is not a terminal (a script's pipe; at
//! least 12 characters; an empty input gets the setup link, hashed with argon2id as the admin's login verifies it). On a terminal
//! there is no way to read without echo without another crate, so a one-time setup link
//! (24 hours) is printed instead; its token is stored only as its SHA-256. Writes an audit
//! entry. Never logs the address.

use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::{Context, bail};
use argon2::Argon2;
use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::PasswordHash;
use masthead_model::{OffsetTime, Role};
use sha2::Digest;

use crate::cli::UserCommand;
use crate::config::Config;

const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_BYTES: usize = 1024;
const SETUP_MICROS: i64 = 24 * 3600 * 1_000_000;

pub async fn run(config_path: Option<&Path>, cmd: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Add {
        email,
        role,
        sites: slugs,
    } = cmd;
    let config = Config::load(config_path)?;
    let store = crate::network::open(&config).await?;
    let email = email.trim().to_lowercase();
    if email.split('@').count() != 2 || email.contains(char::is_whitespace) || !email.contains('.')
    {
        bail!("--email {email:?} is not an address like editor@example.com");
    }
    let role = Role::parse(&role).with_context(|| format!("unknown role {role:?}"))?;
    let all = store.sites().await.context("cannot read the sites")?;
    let mut sites = Vec::new();
    for slug in &slugs {
        let site = all
            .iter()
            .find(|s| &s.slug == slug)
            .with_context(|| format!("no site has the slug {slug:?}"))?;
        sites.push(site.id);
    }
    if role == Role::Admin && !sites.is_empty() {
        bail!("an admin works on every site: --site is for editors");
    }

    let stdin = std::io::stdin();
    let password = if stdin.is_terminal() {
        None
    } else {
        let mut text = String::new();
        stdin
            .lock()
            .take(MAX_PASSWORD_BYTES as u64 + 2)
            .read_to_string(&mut text)
            .context("cannot read the password from standard input")?;
        let password = text.lines().next().unwrap_or_default().to_owned();
        if password.is_empty() {
            // Nothing piped in (a script's empty stdin): a setup link, as on a terminal.
            None
        } else if password.len() > MAX_PASSWORD_BYTES {
            bail!("the password is longer than {MAX_PASSWORD_BYTES} bytes");
        } else if password.chars().count() < MIN_PASSWORD_CHARS {
            bail!("the password needs at least {MIN_PASSWORD_CHARS} characters");
        } else {
            Some(password)
        }
    };
    let hash = match &password {
        Some(p) => {
            let p = p.clone();
            tokio::task::spawn_blocking(move || {
                let hash: Result<PasswordHash, _> = Argon2::default().hash_password(p.as_bytes());
                hash.map(|h| h.to_string())
            })
            .await
            .context("the hashing task failed")?
            .map_err(|e| anyhow::anyhow!("hashing the password failed: {e}"))?
        }
        None => String::new(),
    };
    let user = store
        .create_user(&email, role, &sites, &hash, OffsetTime::now_utc())
        .await
        .context("cannot create the account (is the address taken already?)")?;
    let detail = format!(
        "role {}; sites {}",
        role.as_str(),
        if slugs.is_empty() {
            "all".to_owned()
        } else {
            slugs.join(",")
        }
    );
    crate::cmd::releases::audit(
        store.as_ref(),
        "user.add",
        &format!("user {}", user.id),
        &detail,
    )
    .await?;
    if password.is_some() {
        say!("Created {} account {}.", role.as_str(), user.id);
        return Ok(());
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
    let token = hex::encode(bytes);
    let token_hash = hex::encode(sha2::Sha256::digest(token.as_bytes()).as_slice());
    let expires = OffsetTime::now_utc()
        .unix_micros
        .saturating_add(SETUP_MICROS);
    store
        .create_setup_token(user.id, &token_hash, expires)
        .await
        .context("cannot store the setup link")?;
    eprintln!(
        "Created {} account {}. Open this link within 24 hours to choose its password (it \
         works once):",
        role.as_str(),
        user.id
    );
    say!(
        "{}/admin/setup?token={token}",
        config.base_url.as_str().trim_end_matches('/')
    );
    Ok(())
}
