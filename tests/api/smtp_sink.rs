//! A real SMTP server for tests: speaks enough of RFC 5321 for a client to
//! deliver, and keeps every message it was given.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// One delivered message: the envelope and the raw text (headers and body).
#[derive(Debug, Clone)]
pub struct Received {
    pub rcpt_to: Vec<String>,
    pub data: String,
}

impl Received {
    /// The body with quoted-printable soft breaks and `=3D` undone, which
    /// is all a link can contain.
    pub fn text(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }

    /// The first `http` link whose path starts with `path`.
    pub fn link(&self, path: &str) -> Option<String> {
        let text = self.text();
        text.split_whitespace()
            .find(|word| word.starts_with("http") && word.contains(path))
            .map(str::to_owned)
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub addr: SocketAddr,
    inbox: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<Notify>,
    /// How long each delivery takes, and how many to refuse first (451).
    behaviour: Arc<Mutex<(Duration, usize)>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind SMTP");
        let sink = SmtpSink {
            addr: listener.local_addr().expect("SMTP address"),
            inbox: Arc::default(),
            arrived: Arc::default(),
            behaviour: Arc::new(Mutex::new((Duration::ZERO, 0))),
        };
        let server = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let server = server.clone();
                tokio::spawn(async move {
                    let _ = server.converse(stream).await;
                });
            }
        });
        sink
    }

    /// Each delivery takes `delay` from now on (a slow server).
    pub fn slow(&self, delay: Duration) {
        self.behaviour.lock().unwrap().0 = delay;
    }

    /// The next `n` deliveries are refused with a temporary failure.
    pub fn refuse_next(&self, n: usize) {
        self.behaviour.lock().unwrap().1 = n;
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn count(&self) -> usize {
        self.inbox.lock().unwrap().len()
    }

    /// Waits (up to 20 s) until at least `n` messages arrived; returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let notified = self.arrived.notified();
            {
                let inbox = self.inbox.lock().unwrap();
                if inbox.len() >= n {
                    return inbox.clone();
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("expected {n} mail(s), got {}", self.count());
            }
        }
    }

    async fn converse(&self, stream: tokio::net::TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read);
        write.write_all(b"220 sink ESMTP\r\n").await?;
        let mut rcpt_to = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_ascii_uppercase();
            let reply: &[u8] = if command.starts_with("EHLO") {
                b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
            } else if command.starts_with("RCPT TO:") {
                rcpt_to.push(line.trim_end()[8..].trim().to_owned());
                b"250 OK\r\n"
            } else if command == "DATA" {
                write.write_all(b"354 go on\r\n").await?;
                let data = read_data(&mut lines).await?;
                let (delay, refuse) = {
                    let mut behaviour = self.behaviour.lock().unwrap();
                    let refuse = behaviour.1 > 0;
                    behaviour.1 = behaviour.1.saturating_sub(1);
                    (behaviour.0, refuse)
                };
                if refuse {
                    rcpt_to.clear();
                    write.write_all(b"451 mailbox busy, try later\r\n").await?;
                    continue;
                }
                tokio::time::sleep(delay).await;
                self.inbox.lock().unwrap().push(Received {
                    rcpt_to: std::mem::take(&mut rcpt_to),
                    data,
                });
                self.arrived.notify_waiters();
                b"250 OK queued\r\n"
            } else if command == "QUIT" {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else if command.starts_with("HELO")
                || command.starts_with("MAIL FROM:")
                || command == "RSET"
                || command == "NOOP"
            {
                b"250 OK\r\n"
            } else {
                b"502 not implemented\r\n"
            };
            write.write_all(reply).await?;
        }
    }
}

/// The message up to the lone dot, dot-stuffing undone.
async fn read_data(
    lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 || line == ".\r\n" {
            return Ok(data);
        }
        data.push_str(line.strip_prefix('.').unwrap_or(&line));
    }
}
