//! Starting the binary and talking to it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_masthead")
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "masthead-e2e-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `masthead demo` running on an ephemeral port; killed on drop.
pub struct Demo {
    child: Child,
    pub addr: String,
    pub data: TempDir,
    pub stdout: Vec<String>,
}

impl Demo {
    pub fn start() -> Self {
        let data = TempDir::new("demo");
        let mut command = Command::new(bin());
        command
            .args(["demo", "--listen", "127.0.0.1:0", "--data"])
            .arg(data.path());
        Self::spawn(command, data, "Ctrl-C stops it")
    }

    /// `masthead serve` on the configuration `data/masthead.toml`.
    pub fn serve(data: TempDir) -> Self {
        Self::serve_with_env(data, &[])
    }

    /// `masthead serve` with extra environment variables (overrides such as MASTHEAD_SMTP_URL).
    pub fn serve_with_env(data: TempDir, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(bin());
        command
            .arg("--config")
            .arg(data.path().join("masthead.toml"))
            .arg("serve")
            .envs(env.iter().copied());
        // The configuration's own `listen` (tests give port 0 there, or a port they chose).
        Self::spawn(command, data, "masthead is serving on")
    }

    fn spawn(mut command: Command, data: TempDir, ready: &str) -> Self {
        let mut child = command
            // The demo must work on its embedded default whatever the caller's environment.
            .env_remove("MASTHEAD_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start masthead");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut lines = Vec::new();
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(120))
                .expect("the demo printed its URLs in time");
            let done = line.contains(ready);
            lines.push(line);
            if done {
                break;
            }
        }
        let addr = lines
            .iter()
            .find_map(|l| {
                let rest = l.split("http://").nth(1)?;
                let host = rest.split('/').next()?;
                host.starts_with("127.0.0.1:").then(|| host.to_owned())
            })
            .expect("the demo printed a 127.0.0.1 URL");
        Self {
            child,
            addr,
            data,
            stdout: lines,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn config(&self) -> PathBuf {
        self.data.path().join("masthead.toml")
    }

    /// Runs another command of the binary on the demo's configuration.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        Command::new(bin())
            .arg("--config")
            .arg(self.config())
            .args(args)
            .env_remove("MASTHEAD_DATABASE_URL")
            .output()
            .unwrap()
    }

    /// The demo's stories on one site, as `stories list --json` prints them.
    pub fn stories(&self, site: &str) -> Vec<serde_json::Value> {
        let out = self.cli(&[
            "stories", "list", "--site", site, "--limit", "1000", "--json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn client() -> reqwest::Client {
    masthead_fetch::install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn get(url: &str) -> (u16, String) {
    let resp = client().get(url).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

pub async fn get_with_host(url: &str, host: &str) -> (u16, String) {
    let resp = client().get(url).header("host", host).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}
