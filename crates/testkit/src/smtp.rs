//! A tiny SMTP server for the tests: greeting, EHLO (no STARTTLS), AUTH PLAIN, MAIL FROM,
//! RCPT TO, DATA (dot-unstuffed), RSET, NOOP, QUIT. It records every message and connection.
//! A recipient containing `bounce` gets 550, one containing `later` gets 451.
//!
//! [`Sink::start_counting`] starts one that keeps no message bodies, only how many messages
//! it accepted and their recipients: for benchmarks of 100,000 mails.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64ct::{Base64, Encoding};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Default)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub data: Vec<u8>,
    /// The decoded AUTH PLAIN response of the session, `\0user\0password`.
    pub auth: Option<String>,
}

#[derive(Default)]
struct State {
    messages: Vec<Received>,
    connections: usize,
    /// Counting mode: bodies are read and dropped, `messages` stays empty.
    counting: bool,
    /// Messages accepted (DATA ended with 250), in either mode.
    accepted: usize,
    /// The recipients of every accepted message, in the order they were accepted.
    recipients: Vec<String>,
}

pub struct Sink {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl Sink {
    pub async fn start(offer_auth: bool) -> Sink {
        Sink::start_with(offer_auth, false).await
    }

    /// A sink (no AUTH) that keeps only counts and recipients, not the messages:
    /// [`Sink::messages`] stays empty, [`Sink::count`] and [`Sink::recipients`] work.
    pub async fn start_counting() -> Sink {
        Sink::start_with(false, true).await
    }

    async fn start_with(offer_auth: bool, counting: bool) -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            counting,
            ..State::default()
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                shared.lock().unwrap().connections += 1;
                tokio::spawn(session(stream, shared.clone(), offer_auth));
            }
        });
        Sink { addr, state }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.state.lock().unwrap().messages.clone()
    }

    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }

    /// How many messages the sink accepted (in either mode).
    pub fn count(&self) -> usize {
        self.state.lock().unwrap().accepted
    }

    /// The recipients of the accepted messages, in order, one entry per (message, recipient).
    pub fn recipients(&self) -> Vec<String> {
        self.state.lock().unwrap().recipients.clone()
    }
}

async fn session(stream: TcpStream, state: Arc<Mutex<State>>, offer_auth: bool) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    reply(&mut write, "220 sink.test ESMTP test sink\r\n").await;
    let mut current = Received::default();
    let mut auth = None;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            let auth_line = if offer_auth { "250-AUTH PLAIN\r\n" } else { "" };
            let text = format!("250-sink.test\r\n250-8BITMIME\r\n{auth_line}250 SIZE 10000000\r\n");
            reply(&mut write, &text).await;
        } else if upper.starts_with("AUTH PLAIN ") && offer_auth {
            let encoded = command.get("AUTH PLAIN ".len()..).unwrap_or_default();
            let decoded = Base64::decode_vec(encoded).unwrap();
            auth = Some(String::from_utf8(decoded).unwrap());
            reply(&mut write, "235 2.7.0 Authentication successful\r\n").await;
        } else if upper.starts_with("MAIL FROM:") {
            current = Received {
                mail_from: angle(&command),
                auth: auth.clone(),
                ..Received::default()
            };
            reply(&mut write, "250 2.1.0 Ok\r\n").await;
        } else if upper.starts_with("RCPT TO:") {
            let to = angle(&command);
            if to.contains("bounce") {
                reply(
                    &mut write,
                    "550 5.1.1 <bounce@example.org>: Recipient address rejected\r\n",
                )
                .await;
            } else if to.contains("later") {
                reply(&mut write, "451 4.7.1 Try again later\r\n").await;
            } else {
                current.rcpt_to.push(to);
                reply(&mut write, "250 2.1.5 Ok\r\n").await;
            }
        } else if upper == "DATA" {
            reply(&mut write, "354 End data with <CR><LF>.<CR><LF>\r\n").await;
            let counting = state.lock().unwrap().counting;
            let mut data = Vec::new();
            let mut raw = Vec::new();
            loop {
                raw.clear();
                if lines.read_until(b'\n', &mut raw).await.unwrap_or(0) == 0 {
                    return;
                }
                if raw == b".\r\n" {
                    break;
                }
                if !counting {
                    let unstuffed = raw.strip_prefix(b".").unwrap_or(&raw);
                    data.extend_from_slice(unstuffed);
                }
            }
            current.data = data;
            let n = {
                let mut s = state.lock().unwrap();
                let taken = std::mem::take(&mut current);
                s.accepted += 1;
                s.recipients.extend(taken.rcpt_to.iter().cloned());
                if !s.counting {
                    s.messages.push(taken);
                }
                s.accepted
            };
            reply(&mut write, &format!("250 2.0.0 Ok: queued as {n}\r\n")).await;
        } else if upper == "RSET" || upper == "NOOP" {
            current = Received::default();
            reply(&mut write, "250 2.0.0 Ok\r\n").await;
        } else if upper == "QUIT" {
            reply(&mut write, "221 2.0.0 Bye\r\n").await;
            return;
        } else {
            reply(&mut write, "502 5.5.2 Command not recognized\r\n").await;
        }
    }
}

fn angle(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command.rfind('>').unwrap_or(command.len());
    command.get(start..end).unwrap_or_default().to_owned()
}

async fn reply(w: &mut tokio::net::tcp::OwnedWriteHalf, text: &str) {
    w.write_all(text.as_bytes()).await.unwrap();
}
