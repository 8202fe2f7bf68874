//! The disk outbox: with no SMTP relay, each mail is a `<outbox>/<timestamp>-<id>.eml` file,
//! written atomically (a hidden temporary file, synced, then renamed), so a reader never sees
//! half a mail. `list_outbox` reads the files' headers back, newest first, for the admin and
//! the command line.
//!
//! Never deletes anything; never logs an address (only file names).

use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use mail_parser::{Address, MessageParser};

use crate::MailError;

/// One mail in the outbox, as its headers tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub path: PathBuf,
    /// The recipients, decoded: `Zoë Ångström <zoe@example.org>`.
    pub to: String,
    /// The subject, decoded.
    pub subject: String,
    /// The `Date` header; the file's modification time when it has none.
    pub date: Timestamp,
    /// The `Message-ID`, without angle brackets.
    pub message_id: Option<String>,
}

/// Writes one mail; returns its path.
pub(crate) async fn write_to_outbox(
    dir: &Path,
    message_id: &str,
    bytes: Vec<u8>,
) -> Result<PathBuf, MailError> {
    let now = Timestamp::now();
    let name = format!(
        "{}{:06}Z-{}.eml",
        now.strftime("%Y%m%dT%H%M%S."),
        now.subsec_microsecond(),
        file_id(message_id)
    );
    let dir = dir.to_owned();
    let path = dir.join(&name);
    let temp = dir.join(format!(".{name}.tmp"));
    let result = {
        let (path, temp) = (path.clone(), temp.clone());
        tokio::task::spawn_blocking(move || write_atomically(&dir, &temp, &path, &bytes)).await
    };
    match result {
        Ok(Ok(())) => Ok(path),
        Ok(Err(source)) => {
            let _ = std::fs::remove_file(&temp);
            Err(MailError::OutboxWrite { path, source })
        }
        Err(join) => Err(MailError::OutboxWrite {
            path,
            source: std::io::Error::other(join),
        }),
    }
}

fn write_atomically(dir: &Path, temp: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(temp, path)?;
    // Make the rename itself durable; directories cannot be opened for this on every
    // platform, and a lost rename only loses an outbox entry, so an error here is ignored.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The Message-ID's left part, safe as a file name.
fn file_id(message_id: &str) -> String {
    let left = message_id
        .trim_start_matches('<')
        .split('@')
        .next()
        .unwrap_or_default();
    let id: String = left
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '=') {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    if id.is_empty() { "mail".to_owned() } else { id }
}

/// The outbox's mails, newest first. A missing directory is an empty outbox; a file that
/// cannot be read or parsed is skipped with a warning naming it.
pub fn list_outbox(dir: &Path) -> Result<Vec<OutboxEntry>, MailError> {
    let read_error = |source| MailError::OutboxRead {
        path: dir.to_owned(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(read_error(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(read_error)?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || !name.ends_with(".eml") {
            continue;
        }
        match read_entry(&path) {
            Ok(e) => out.push(e),
            Err(reason) => {
                tracing::warn!(path = %path.display(), reason = %reason, "skipping an unreadable outbox file");
            }
        }
    }
    out.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| b.path.cmp(&a.path)));
    Ok(out)
}

fn read_entry(path: &Path) -> Result<OutboxEntry, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let message = MessageParser::new()
        .parse_headers(&bytes)
        .ok_or_else(|| "no mail headers".to_owned())?;
    let date = match message.date() {
        Some(d) => Timestamp::from_second(d.to_timestamp()).map_err(|e| e.to_string())?,
        None => {
            let modified = std::fs::metadata(path)
                .and_then(|m| m.modified())
                .map_err(|e| e.to_string())?;
            Timestamp::try_from(modified).map_err(|e| e.to_string())?
        }
    };
    Ok(OutboxEntry {
        path: path.to_owned(),
        to: message.to().map(show_addresses).unwrap_or_default(),
        subject: message.subject().unwrap_or_default().to_owned(),
        date,
        message_id: message.message_id().map(str::to_owned),
    })
}

fn show_addresses(address: &Address<'_>) -> String {
    address
        .iter()
        .map(|a| match (a.name(), a.address()) {
            (Some(name), Some(addr)) => format!("{name} <{addr}>"),
            (None, Some(addr)) => addr.to_owned(),
            (Some(name), None) => name.to_owned(),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_ids_are_safe() {
        assert_eq!(file_id("<digest-1-2@echo.example>"), "digest-1-2");
        assert_eq!(file_id("<a.b/c@x>"), "a-b-c");
        assert_eq!(file_id("<@x>"), "mail");
    }

    #[test]
    fn a_missing_outbox_is_empty() {
        let list = list_outbox(Path::new("/nonexistent/masthead-outbox")).unwrap();
        assert!(list.is_empty());
    }
}
