//! systemd's readiness protocol (sd_notify(3)), without libsystemd: under a unit of
//! `Type=notify`, systemd sets NOTIFY_SOCKET to a datagram socket (a path, or `@NAME`
//! for an abstract one) and reads one message per datagram, newline-separated
//! `KEY=VALUE` lines. sysnoop sends `READY=1` once tracing is live (the moment of the
//! "tracing" line), `STATUS=` with its counts at each --stats-interval, and
//! `STOPPING=1` when it stops. Without NOTIFY_SOCKET, nothing is sent.

use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};

/// The variable systemd sets.
pub const ENV: &str = "NOTIFY_SOCKET";

/// The longest message systemd reads (its buffer is 4096 bytes): longer ones are cut.
const MESSAGE_MAX: usize = 4096;

static NOTIFIER: OnceLock<Option<Notifier>> = OnceLock::new();

struct Notifier {
    socket: UnixDatagram,
}

/// Takes NOTIFY_SOCKET out of the environment (a command sysnoop runs must not notify
/// systemd in its name) and connects to it. Call once, before any thread starts. A
/// socket that cannot be reached is an error: systemd would wait for READY=1 in vain.
pub fn init() -> Result<()> {
    let Some(value) = std::env::var_os(ENV) else {
        let _ = NOTIFIER.set(None);
        return Ok(());
    };
    // Only this thread runs: nothing reads the environment meanwhile.
    std::env::remove_var(ENV);
    let notifier = connect(&value).with_context(|| format!("{ENV}={} (systemd's readiness socket)", value.to_string_lossy()))?;
    let _ = NOTIFIER.set(Some(notifier));
    Ok(())
}

fn connect(value: &std::ffi::OsStr) -> Result<Notifier> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = value.as_bytes();
    let addr = match bytes.first() {
        Some(b'/') => SocketAddr::from_pathname(value).context("not a socket path")?,
        Some(b'@') => {
            use std::os::linux::net::SocketAddrExt;
            SocketAddr::from_abstract_name(&bytes[1..]).context("not an abstract socket name")?
        }
        _ => bail!("neither a path nor an abstract socket (@NAME)"),
    };
    let socket = UnixDatagram::unbound().context("creating a datagram socket")?;
    socket.connect_addr(&addr).context("connecting to it")?;
    Ok(Notifier { socket })
}

/// Sends one message (`READY=1`, `STATUS=...`), if systemd asked for them. A failed
/// send is not the run's business: systemd then only misses a status.
pub fn send(message: &str) {
    if let Some(Some(notifier)) = NOTIFIER.get() {
        let bytes = message.as_bytes();
        let _ = notifier.socket.send(&bytes[..bytes.len().min(MESSAGE_MAX)]);
    }
}

/// Whether messages go anywhere.
pub fn enabled() -> bool {
    matches!(NOTIFIER.get(), Some(Some(_)))
}

/// A STATUS= line: one line of text (systemd shows it in `systemctl status`).
pub fn status(text: &str) -> String {
    let line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    format!("STATUS={line}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The protocol as systemd reads it: one datagram per message, to a path or an
    /// abstract name.
    #[test]
    fn messages_reach_the_socket_whole() {
        let dir = std::env::temp_dir().join(format!("sysnoop-notify-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("notify");
        let _ = std::fs::remove_file(&path);
        let systemd = UnixDatagram::bind(&path).unwrap();
        let notifier = connect(path.as_os_str()).unwrap();
        notifier.socket.send(b"READY=1\nSTATUS=tracing").unwrap();
        let mut buf = [0; 64];
        let n = systemd.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1\nSTATUS=tracing");
        std::fs::remove_dir_all(&dir).unwrap();

        use std::os::linux::net::SocketAddrExt;
        let name = format!("sysnoop-notify-test-{}", std::process::id());
        let systemd = UnixDatagram::bind_addr(&SocketAddr::from_abstract_name(name.as_bytes()).unwrap()).unwrap();
        let notifier = connect(std::ffi::OsStr::new(&format!("@{name}"))).unwrap();
        notifier.socket.send(b"STOPPING=1").unwrap();
        let n = systemd.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"STOPPING=1");

        assert!(connect(std::ffi::OsStr::new("relative")).is_err());
        assert!(connect(std::ffi::OsStr::new("/nonexistent/notify")).is_err());
        assert_eq!(status("open 3 written\nexec 1"), "STATUS=open 3 written exec 1");
    }
}
