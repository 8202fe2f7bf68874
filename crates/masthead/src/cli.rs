//! The command line as clap types: the stable, scriptable surface operators and tests drive.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Run a network of branded local news sites from one install.
///
/// Start with `masthead demo` to browse a bundled demo network, or `masthead init` to write a
/// commented configuration for your own.
#[derive(Debug, Parser)]
#[command(name = "masthead", version, about, long_about)]
pub struct Cli {
    /// Configuration file (TOML). Also accepted after the subcommand.
    /// Defaults to ./masthead.toml when it exists.
    #[arg(long, global = true, value_name = "FILE", env = "MASTHEAD_CONFIG")]
    pub config: Option<PathBuf>,

    /// More log output (-v, -vv). MASTHEAD_LOG=<filter> overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the bundled demo network (three sites, three sources, bundled stories).
    Demo(DemoArgs),
    /// Write a commented masthead.toml to start your own network.
    Init(InitArgs),
    /// Serve the network's sites.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Ingest stories: one pass over a source's feed document.
    Ingest(IngestArgs),
    /// Manage the sources the network ingests.
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// Look at stored stories.
    #[command(subcommand)]
    Stories(StoriesCommand),
    /// Routing rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// The daily email of a site.
    #[command(subcommand)]
    Digest(DigestCommand),
    /// Extract the article from a page (a URL, fetched under the fetcher's rules, or a file).
    Extract(ExtractArgs),
    /// Measure the pipeline's stages on a corpus.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Tokens for the JSON API under /api/v1.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// News releases submitted by the public: the moderation queue.
    #[command(subcommand)]
    Releases(ReleasesCommand),
    /// Editors' and admins' accounts.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum ReleasesCommand {
    /// List releases, oldest first.
    List {
        /// Only releases in this state.
        #[arg(long, value_name = "STATUS", value_parser = ["submitted", "approved", "rejected", "spam"])]
        status: Option<String>,
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
    /// Publish a release as a story (labelled "News release") and mail its submitter.
    Approve {
        id: i64,
        /// Publish on this site (slug; repeatable). Default: the sites it was submitted for.
        #[arg(long = "site", value_name = "S")]
        sites: Vec<String>,
        /// The section on each site. Default: routed like any story.
        #[arg(long, value_name = "X")]
        section: Option<String>,
    },
    /// Refuse a release; the reason is mailed to its submitter.
    Reject {
        id: i64,
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from standard input when it is not a
    /// terminal; on a terminal a one-time setup link (24 hours) is printed instead.
    Add {
        #[arg(long, value_name = "E")]
        email: String,
        #[arg(long, value_name = "ROLE", value_parser = ["admin", "editor"])]
        role: String,
        /// An editor's site (slug; repeatable). None: every site.
        #[arg(long = "site", value_name = "S")]
        sites: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Make a token; its secret is printed once (on stdout, alone) and never stored.
    Create {
        /// Who or what uses it, e.g. "Harbor Wire feed partner".
        #[arg(long, value_name = "N")]
        name: String,
        /// read: sites, stories, search; write: also creating stories and listing subscribers.
        #[arg(long, value_name = "SCOPE", value_parser = ["read", "write"])]
        scope: String,
    },
    /// List tokens (never their secrets).
    List {
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token for good.
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum DigestCommand {
    /// Print the next digest (its plain-text part; --html writes the HTML part to a file).
    Preview {
        #[arg(long, value_name = "S")]
        site: String,
        /// The day (YYYY-MM-DD in the site's zone; default today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// Send a day's digest now to every confirmed subscriber not yet mailed it.
    Send {
        #[arg(long, value_name = "S")]
        site: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
    /// The mails waiting in the outbox directory (no SMTP relay configured).
    Outbox,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Re-route the stories of the last days with the configured rules (placements added,
    /// moved or removed; never duplicated).
    Apply {
        /// How far back, e.g. 7d, 48h.
        #[arg(long, value_name = "DURATION", default_value = "7d")]
        window: String,
    },
    /// Explain which rule places a story on a site, or why none does.
    Test {
        /// The site's slug.
        #[arg(long, value_name = "S")]
        site: String,
        /// The story's id.
        #[arg(long, value_name = "ID")]
        story: i64,
    },
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// An http(s) URL or a path to a saved HTML file.
    #[arg(value_name = "URL|FILE")]
    pub target: String,
    /// text: the body alone, paragraphs split by blank lines; json: every field; html: the
    /// sanitized body.
    #[arg(long, value_enum, default_value_t = ExtractFormat::Text)]
    pub format: ExtractFormat,
    /// For a file: the URL it was saved from (resolves its relative links).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractFormat {
    Text,
    Json,
    Html,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Body-text precision, recall and F1 and pages per second over a corpus of pages in
    /// Mozilla Readability's test-page layout (DIR/<case>/source.html + expected.html).
    Extract {
        #[arg(long, value_name = "DIR")]
        corpus: PathBuf,
    },
    /// How many of a feed-parser test corpus's expectations our parser meets (feedparser's
    /// layout: XML documents with `Expect:` comments).
    Feeds {
        #[arg(long, value_name = "DIR")]
        corpus: PathBuf,
    },
    /// Precision and recall of near-duplicate detection on labelled pairs (JSON lines:
    /// {"a": {"headline", "text"}, "b": {...}, "duplicate": bool, "kind": "..."}).
    Dedup {
        #[arg(long, value_name = "FILE")]
        pairs: PathBuf,
        /// Similarity threshold (default: the configured one, else 0.5).
        #[arg(long, value_name = "T")]
        threshold: Option<f64>,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory for the demo's database and its masthead.toml.
    #[arg(long, value_name = "DIR", default_value = "masthead-demo")]
    pub data: PathBuf,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to write masthead.toml into (created if missing).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub data: PathBuf,
    /// Replace an existing masthead.toml.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (overrides `listen` in the configuration).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Which part of the network this node runs.
    #[arg(long, value_enum, default_value_t = Role::All)]
    pub role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Role {
    /// Public pages only.
    Web,
    /// Background jobs only.
    Worker,
    /// Both.
    All,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The source to ingest (its name, as in `sources list`).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Read the source's feed document from this file instead of fetching it.
    #[arg(long, value_name = "PATH", requires = "source")]
    pub file: Option<PathBuf>,
    /// Every source, due or not.
    #[arg(long, conflicts_with = "source")]
    pub all: bool,
}

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// Add a source (or update the one with this name).
    Add {
        /// The credit shown on pages, e.g. "RT.com".
        name: String,
        /// The feed's URL.
        url: String,
        /// Section for stories whose categories name none of a site's sections.
        #[arg(long, value_name = "S")]
        section: Option<String>,
        /// When to fetch the full article page.
        #[arg(long, value_name = "POLICY", default_value = "auto", value_parser = ["auto", "always", "never"])]
        full_text: String,
        /// How often to poll, e.g. 15m, 1h, 90s.
        #[arg(long, value_name = "DURATION", default_value = "15m")]
        interval: String,
        /// Dateline for stories that carry none, e.g. "KYIV, Ukraine".
        #[arg(long, value_name = "DATELINE")]
        dateline: Option<String>,
        /// Store the URL as given, without fetching it to check it or to find its feed.
        #[arg(long)]
        no_check: bool,
    },
    /// List sources with their health.
    List {
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
    /// Remove a source: it is no longer polled; its stories stay, credited to it.
    Remove { name: String },
    /// Add the feeds of an OPML 2.0 file (as feed readers export them).
    Import {
        #[arg(value_name = "OPML_FILE")]
        file: PathBuf,
        /// Section for the imported sources (default: the OPML folder's name, when a site
        /// has a section of that name).
        #[arg(long, value_name = "S")]
        section: Option<String>,
    },
    /// Print the sources as OPML 2.0.
    Export,
    /// Stop polling a source until it is resumed.
    Pause { name: String },
    /// Resume a paused source (also one paused after failing): polled at the next pass.
    Resume { name: String },
}

#[derive(Debug, Subcommand)]
pub enum StoriesCommand {
    /// List stories, newest first.
    List {
        /// Only stories placed on this site (slug).
        #[arg(long, value_name = "S")]
        site: Option<String>,
        /// Only stories of this source (name).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// At most this many.
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: i64,
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
    /// Show one story.
    Show {
        id: i64,
        /// As one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Take a story down everywhere: pages answer 410, lists, feeds and teasers drop it, and
    /// no later poll brings it back.
    Kill {
        id: i64,
        /// Why (kept with the record).
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// Who (default: the operating-system user).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// The versions of a story its source replaced, oldest first.
    Revisions {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// The stories of a story's cluster (same news from several sources), oldest first.
    Cluster {
        id: i64,
        /// Make this story the one pages show for its cluster.
        #[arg(long)]
        pin: bool,
        /// Let pages show the cluster's earliest story again.
        #[arg(long, conflicts_with = "pin")]
        unpin: bool,
        #[arg(long)]
        json: bool,
    },
    /// Stories no site carries: they wait for an editor (or a routing rule).
    Unplaced {
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn config_is_accepted_before_and_after_the_subcommand() {
        let a = Cli::try_parse_from(["masthead", "--config", "x.toml", "migrate"]).unwrap();
        let b = Cli::try_parse_from(["masthead", "migrate", "--config", "x.toml"]).unwrap();
        assert_eq!(a.config, b.config);
        assert_eq!(a.config, Some(PathBuf::from("x.toml")));
    }
}
