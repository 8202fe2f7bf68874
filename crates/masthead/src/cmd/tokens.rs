//! `masthead tokens`: tokens for the JSON API under /api/v1 (the admin will make them too;
//! until it exists, this is how an operator does).
//!
//! `create` prints the secret alone on stdout (so `TOKEN=$(masthead tokens create …)` works)
//! and what to do with it on stderr; the store keeps only its SHA-256. `list` never shows a
//! secret. Never logs one either.

use std::path::Path;

use anyhow::{Context, bail};
use masthead_model::{ApiScope, ApiToken, OffsetTime};
use serde_json::json;

use crate::cli::TokensCommand;
use crate::config::Config;

pub async fn run(config_path: Option<&Path>, cmd: TokensCommand) -> anyhow::Result<()> {
    let config = Config::load(config_path)?;
    let store = crate::network::open(&config).await?;
    match cmd {
        TokensCommand::Create { name, scope } => {
            let name = name.trim();
            if name.is_empty() {
                bail!("the token's --name must not be empty");
            }
            let scope = ApiScope::parse(&scope)
                .with_context(|| format!("unknown scope {scope:?}: use read or write"))?;
            let token = masthead_web::api::tokens::generate()
                .context("cannot read the system's random source")?;
            let stored = store
                .create_api_token(name, scope, &token.hash, OffsetTime::now_utc())
                .await
                .context("cannot store the token")?;
            eprintln!(
                "Created API token {} ({:?}, {} scope). Send it as `Authorization: Bearer <token>`; \
                 it is shown only now:",
                stored.id,
                stored.name,
                stored.scope.as_str()
            );
            say!("{}", token.secret);
        }
        TokensCommand::List { json } => {
            let tokens = store.api_tokens().await.context("cannot list the tokens")?;
            if !json && tokens.is_empty() {
                eprintln!("No API tokens yet: make one with `masthead tokens create`.");
            }
            for token in tokens {
                if json {
                    say!("{}", token_json(&token));
                } else {
                    say!("{}", token_line(&token));
                }
            }
        }
        TokensCommand::Revoke { id } => {
            if store
                .revoke_api_token(id, OffsetTime::now_utc())
                .await
                .context("cannot revoke the token")?
            {
                say!("Revoked API token {id}.");
            } else {
                bail!("no live API token has id {id} (unknown or already revoked)");
            }
        }
    }
    Ok(())
}

fn token_json(token: &ApiToken) -> serde_json::Value {
    json!({
        "id": token.id,
        "name": token.name,
        "scope": token.scope.as_str(),
        "created_at": token.created_at.to_rfc3339(),
        "last_used_at": token.last_used_at.map(OffsetTime::to_rfc3339),
        "revoked_at": token.revoked_at.map(OffsetTime::to_rfc3339),
    })
}

fn token_line(token: &ApiToken) -> String {
    let state = match (token.revoked_at, token.last_used_at) {
        (Some(at), _) => format!("revoked {}", at.to_rfc3339()),
        (None, Some(at)) => format!("last used {}", at.to_rfc3339()),
        (None, None) => "never used".to_owned(),
    };
    format!(
        "{:>4}  {:<5}  {}  (created {}, {state})",
        token.id,
        token.scope.as_str(),
        token.name,
        token.created_at.to_rfc3339()
    )
}
