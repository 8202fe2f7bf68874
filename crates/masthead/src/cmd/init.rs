//! `masthead init`: writes a commented masthead.toml.

use anyhow::{Context, bail};

use crate::cli::InitArgs;
use crate::config::INIT_TEMPLATE;

pub fn run(args: &InitArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("cannot create {}", args.data.display()))?;
    let path = args.data.join("masthead.toml");
    if path.exists() && !args.force {
        bail!(
            "{} already exists; pass --force to replace it",
            path.display()
        );
    }
    std::fs::write(&path, INIT_TEMPLATE)
        .with_context(|| format!("cannot write {}", path.display()))?;
    say!("Wrote {}", path.display());
    say!(
        "Edit it, then run: masthead --config {} serve",
        path.display()
    );
    Ok(())
}
