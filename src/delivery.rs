//! Where records go (`-o DEST`): stdout, or a file, a Unix stream socket or a TCP
//! connection, fed by a thread of its own through a bounded queue.
//!
//! stdout is written by the writer thread itself: a slow reader holds the run back,
//! records wait in the kernel's ring buffer, and what the kernel then cannot store is
//! counted `lost`, as with any tracer writing to a pipe. A file or a socket never holds
//! the run back. The writer appends each line to a batch and hands the batch to a queue
//! of at most `--queue-size` bytes without waiting; the delivery thread writes batches
//! out in order. When the destination is down it reconnects with backoff (100 ms,
//! doubling up to 5 s) while records wait in the queue; a record that finds the queue
//! full, or whose line was cut by a failing connection, is counted `unsent`. At the end
//! of a run the queue is drained for as long as the destination takes what it is sent;
//! once nothing has moved for `LINGER`, what is left is counted `unsent` too.
//!
//! A stream socket has no acknowledgements: before each batch sysnoop checks whether the
//! other end has closed the connection (so a collector that stopped between records
//! costs nothing), but lines its kernel had already accepted when a collector was killed
//! are out of sysnoop's sight.

use std::fmt;
use std::fs::File;
use std::io::{self, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use crossbeam_channel::{bounded, unbounded, Receiver, RecvTimeoutError, Sender};

use crate::signals;

/// The smallest `--queue-size`: a batch must fit.
pub(crate) const MIN_QUEUE_SIZE: usize = 64 << 10;
/// A batch is handed over once it holds this many bytes (or at the writer's flush).
const BATCH_BYTES: usize = 64 << 10;
/// At the end of a run, the queue is given up once nothing has moved for this long.
pub(crate) const LINGER: Duration = Duration::from_secs(2);
/// How long a socket write or a wait blocks before the delivery thread looks up again.
const TICK: Duration = Duration::from_millis(100);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Empty batches kept for reuse, so the steady state allocates nothing.
const SPARE_BATCHES: usize = 8;
/// sun_path holds 108 bytes, with the terminating NUL of a path.
const UNIX_PATH_MAX: usize = 107;

/// A destination, as given to `-o`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Dest {
    /// `-`: stdout.
    #[default]
    Stdout,
    /// `file:PATH`: appended to, created (mode 0600) if missing, opened again on SIGHUP.
    File(PathBuf),
    /// `unix:PATH`: a Unix stream socket; `unix:@NAME` an abstract one.
    Unix(PathBuf),
    /// `tcp:HOST:PORT`; an IPv6 address in brackets.
    Tcp { host: String, port: u16 },
    /// `tls:HOST:PORT`: TCP with TLS, the server verified against --tls-ca and HOST.
    Tls { host: String, port: u16 },
}

const FORMS: &str = "use -, file:PATH, unix:PATH, tcp:HOST:PORT or tls:HOST:PORT";

impl FromStr for Dest {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s == "-" {
            return Ok(Dest::Stdout);
        }
        let Some((scheme, rest)) = s.split_once(':') else {
            return Err(format!("`{s}` is not a destination: {FORMS} (a file is file:{s})"));
        };
        match scheme {
            "file" | "unix" if rest.is_empty() => Err(format!("`{s}`: the path is empty")),
            "file" => Ok(Dest::File(rest.into())),
            "unix" if rest.len() > UNIX_PATH_MAX => Err(format!("`{s}`: a unix socket path is at most {UNIX_PATH_MAX} bytes; this one is {}", rest.len())),
            "unix" => Ok(Dest::Unix(rest.into())),
            "tcp" | "tls" => {
                let (host, port) = rest.rsplit_once(':').ok_or_else(|| format!("`{s}`: no port ({scheme}:HOST:PORT)"))?;
                let host = match host.strip_prefix('[') {
                    Some(bracketed) => bracketed.strip_suffix(']').ok_or_else(|| format!("`{s}`: no `]` after the IPv6 address"))?,
                    None if host.contains(':') => return Err(format!("`{s}`: write an IPv6 address in brackets, {scheme}:[::1]:{port}")),
                    None => host,
                };
                if host.is_empty() {
                    return Err(format!("`{s}`: no host ({scheme}:HOST:PORT)"));
                }
                let port = port.parse::<u16>().ok().filter(|&p| p != 0).ok_or_else(|| format!("`{s}`: `{port}` is not a port (1-65535)"))?;
                let host = host.to_owned();
                Ok(if scheme == "tls" { Dest::Tls { host, port } } else { Dest::Tcp { host, port } })
            }
            _ => Err(format!("`{s}`: unknown destination `{scheme}:`; {FORMS}")),
        }
    }
}

impl fmt::Display for Dest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dest::Stdout => f.write_str("stdout"),
            // Escaped: these reach stderr, and a path can hold a newline.
            Dest::File(path) => write!(f, "file:{}", crate::columns::escape(path.as_os_str().as_bytes())),
            Dest::Unix(path) => write!(f, "unix:{}", crate::columns::escape(path.as_os_str().as_bytes())),
            Dest::Tcp { host, port } if host.contains(':') => write!(f, "tcp:[{host}]:{port}"),
            Dest::Tcp { host, port } => write!(f, "tcp:{host}:{port}"),
            Dest::Tls { host, port } if host.contains(':') => write!(f, "tls:[{host}]:{port}"),
            Dest::Tls { host, port } => write!(f, "tls:{host}:{port}"),
        }
    }
}

/// An open destination.
enum Conn {
    File(File),
    Unix(UnixStream),
    Tcp(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

/// A TCP connection to `host`:`port` (the first of its addresses that answers).
fn tcp_connect(host: &str, port: u16) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the host has no address");
    for addr in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(stream) => {
                stream.set_nodelay(true)?;
                return Ok(stream);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

impl Dest {
    fn connect(&self, tls: Option<&Arc<rustls::ClientConfig>>) -> io::Result<Conn> {
        match self {
            Dest::Stdout => unreachable!("stdout is written directly"),
            Dest::File(path) => crate::outfile::open_append(path).map(Conn::File),
            Dest::Unix(path) => {
                let stream = match path.to_str().and_then(|p| p.strip_prefix('@')) {
                    Some(name) => {
                        use std::os::linux::net::SocketAddrExt;
                        UnixStream::connect_addr(&std::os::unix::net::SocketAddr::from_abstract_name(name)?)
                    }
                    None => crate::outfile::connect_unix(path),
                }
                .map_err(|e| match e.raw_os_error() {
                    Some(nix::libc::EPROTOTYPE) => io::Error::other(format!("{e}: not a stream socket (sysnoop sends over stream sockets)")),
                    _ => e,
                })?;
                stream.set_write_timeout(Some(TICK))?;
                Ok(Conn::Unix(stream))
            }
            Dest::Tcp { host, port } => {
                let stream = tcp_connect(host, *port)?;
                stream.set_write_timeout(Some(TICK))?;
                Ok(Conn::Tcp(stream))
            }
            Dest::Tls { host, port } => {
                let config = tls.expect("a tls: destination has its TLS configuration");
                let stream = crate::tls::connect(config, host, tcp_connect(host, *port)?, CONNECT_TIMEOUT)?;
                stream.sock.set_write_timeout(Some(TICK))?;
                Ok(Conn::Tls(Box::new(stream)))
            }
        }
    }
}

impl Conn {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Conn::File(f) => f.write(bytes),
            Conn::Unix(s) => s.write(bytes),
            Conn::Tcp(s) => s.write(bytes),
            Conn::Tls(s) => s.write(bytes),
        }
    }

    /// Pushes out what TLS still holds of the bytes it took (a socket, and a file, hold
    /// nothing).
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Tls(s) => s.flush(),
            _ => Ok(()),
        }
    }

    fn socket(&self) -> Option<BorrowedFd<'_>> {
        match self {
            Conn::File(_) => None,
            Conn::Unix(s) => Some(s.as_fd()),
            Conn::Tcp(s) => Some(s.as_fd()),
            Conn::Tls(s) => Some(s.sock.as_fd()),
        }
    }

    /// Whether the other end of a socket has closed (or shut down its side of) the
    /// connection. A write would still be taken by the kernel and then thrown away, so
    /// this is asked before writing. Whatever a collector sends is read and dropped.
    fn peer_closed(&self) -> bool {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        use nix::sys::socket::{recv, MsgFlags};
        let Some(fd) = self.socket() else { return false };
        let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
        if !matches!(poll(&mut fds, PollTimeout::ZERO), Ok(1..)) {
            return false;
        }
        let revents = fds[0].revents().unwrap_or(PollFlags::empty());
        if revents.intersects(PollFlags::POLLHUP | PollFlags::POLLERR) {
            return true;
        }
        // Readable: end of file (the other end shut its side), an error, or data.
        let mut discard = [0u8; 4096];
        match recv(fd.as_raw_fd(), &mut discard, MsgFlags::MSG_DONTWAIT) {
            Ok(0) => true,
            Ok(_) | Err(nix::errno::Errno::EAGAIN) => false,
            Err(_) => true,
        }
    }
}

/// Waits between connection attempts: 100 ms, doubling up to 5 s, and back to 100 ms
/// once connected.
#[derive(Debug)]
pub(crate) struct Backoff {
    next: Duration,
}

impl Backoff {
    pub(crate) const FIRST: Duration = Duration::from_millis(100);
    pub(crate) const MAX: Duration = Duration::from_secs(5);

    pub(crate) fn new() -> Self {
        Backoff { next: Self::FIRST }
    }

    /// An attempt failed: how long to wait before the next one.
    pub(crate) fn failed(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        wait
    }

    pub(crate) fn succeeded(&mut self) {
        self.next = Self::FIRST;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

/// Which count a line belongs to: a source's index (session.rs), or None for lines
/// that are not events (the start record, text headers).
pub(crate) type Origin = Option<usize>;

/// Lines on their way to the destination, each with where it ends and its origin.
#[derive(Debug, Default)]
struct Lines {
    bytes: Vec<u8>,
    lines: Vec<(usize, Origin)>,
}

impl Lines {
    fn push(&mut self, line: &[u8], origin: Origin) {
        self.bytes.extend_from_slice(line);
        self.lines.push((self.bytes.len(), origin));
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.lines.clear();
    }
}

/// Of lines ending at `lines`, those not wholly before byte `pos` (one cut at `pos`
/// included).
fn lines_from(lines: &[(usize, Origin)], pos: usize) -> &[(usize, Origin)] {
    &lines[lines.partition_point(|&(end, _)| end <= pos)..]
}

/// Whether byte `pos` starts one of the lines ending at `lines`.
fn line_starts_at(lines: &[(usize, Origin)], pos: usize) -> bool {
    pos == 0 || lines.binary_search_by_key(&pos, |&(end, _)| end).is_ok()
}

/// What the writer and the delivery thread share: the bytes queued, and the unsent
/// counts.
#[derive(Debug)]
struct Queue {
    capacity: usize,
    queued: AtomicUsize,
    /// Per source, as session.rs indexes them.
    unsent: Vec<AtomicU64>,
    /// The writer has handed over its last batch.
    closed: AtomicBool,
}

impl Queue {
    /// A queue of at most `capacity` bytes, for records of `sources` sources.
    fn new(capacity: usize, sources: usize) -> Self {
        Queue { capacity, queued: AtomicUsize::new(0), unsent: (0..sources).map(|_| AtomicU64::new(0)).collect(), closed: AtomicBool::new(false) }
    }

    fn unsent(&self, index: usize) -> u64 {
        self.unsent.get(index).map_or(0, |n| n.load(Ordering::Relaxed))
    }

    fn count_unsent(&self, lines: &[(usize, Origin)]) {
        for &(_, origin) in lines {
            if let Some(n) = origin.and_then(|i| self.unsent.get(i)) {
                n.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The writer's end of the queue: never waits.
struct Feed {
    queue: Arc<Queue>,
    tx: Sender<Lines>,
    spare: Receiver<Lines>,
    batch: Lines,
    /// Hand the batch over at this size: it must fit in the queue with room to spare.
    batch_bytes: usize,
}

impl Feed {
    /// Adds `line` to the batch, handing the batch over once it is big enough: false
    /// when that batch, `line` in it, found no room (see `flush`).
    fn line(&mut self, line: &[u8], origin: Origin) -> bool {
        self.batch.push(line, origin);
        if self.batch.bytes.len() >= self.batch_bytes {
            return self.flush();
        }
        true
    }

    /// Hands the batch to the delivery thread, or counts its records unsent when the
    /// queue has no room for it: false then (its other lines, not events, are dropped:
    /// a loss marker is then made again, see Writer::write_losses).
    fn flush(&mut self) -> bool {
        if self.batch.lines.is_empty() {
            return true;
        }
        let len = self.batch.bytes.len();
        let queued = self.queue.queued.fetch_add(len, Ordering::SeqCst);
        if queued + len > self.queue.capacity {
            self.queue.queued.fetch_sub(len, Ordering::SeqCst);
            self.queue.count_unsent(&self.batch.lines);
            self.batch.clear();
            return false;
        }
        let next = self.spare.try_recv().unwrap_or_default();
        if let Err(e) = self.tx.send(std::mem::replace(&mut self.batch, next)) {
            // The delivery thread is gone (it only ends after `close`).
            self.queue.queued.fetch_sub(len, Ordering::SeqCst);
            self.queue.count_unsent(&e.into_inner().lines);
            return false;
        }
        true
    }

    /// Hands over the last batch and lets the delivery thread drain the queue.
    fn close(mut self) {
        let _ = self.flush();
        self.queue.closed.store(true, Ordering::SeqCst);
    }
}

/// A destination, connected or on its way back.
pub(crate) struct Link {
    dest: Dest,
    conn: Option<Conn>,
    backoff: Backoff,
    retry_at: Instant,
    /// Said on stderr that the destination is down (said once per outage).
    down: bool,
    /// When the last byte went out.
    progress: Instant,
    /// When the end-of-run drain began.
    drain_from: Option<Instant>,
    /// The end-of-run drain found the destination stuck: send nothing more.
    gave_up: bool,
    /// Connected (or open) now: what --metrics shows (sysnoop_destination_up).
    up: Arc<AtomicBool>,
    /// A tls: destination's client configuration.
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl Link {
    /// Connects to (or opens) `dest` at start; the error names it. `tls`: the files of
    /// --tls-ca, --tls-cert and --tls-key, which only a tls: destination takes.
    pub(crate) fn open(dest: Dest, tls: &crate::tls::TlsFiles) -> Result<Link> {
        let tls = match &dest {
            Dest::Tls { .. } => Some(crate::tls::client_config(tls)?),
            _ if *tls != crate::tls::TlsFiles::default() => anyhow::bail!("--tls-ca, --tls-cert and --tls-key are for -o tls:HOST:PORT, not {dest}"),
            _ => None,
        };
        let conn = dest.connect(tls.as_ref()).with_context(|| format!("cannot send records to {dest}"))?;
        let now = Instant::now();
        Ok(Link {
            dest,
            conn: Some(conn),
            backoff: Backoff::new(),
            retry_at: now,
            down: false,
            progress: now,
            drain_from: None,
            gave_up: false,
            up: Arc::new(AtomicBool::new(true)),
            tls,
        })
    }

    fn deliver(&mut self, queue: &Queue, rx: Receiver<Lines>, spare: Sender<Lines>) {
        loop {
            match rx.recv_timeout(TICK) {
                Ok(mut batch) => {
                    if self.gave_up {
                        queue.count_unsent(&batch.lines);
                    } else {
                        self.send(&batch.bytes, &batch.lines, queue);
                    }
                    queue.queued.fetch_sub(batch.bytes.len(), Ordering::SeqCst);
                    batch.clear();
                    let _ = spare.try_send(batch);
                }
                Err(RecvTimeoutError::Timeout) => {
                    if signals::take_reopen() {
                        self.reopen();
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    /// Writes `bytes`, whose lines end as `lines` say, until all is written or the
    /// end-of-run drain gives up; what was not written whole is counted unsent.
    /// Returns whether all was written.
    fn send(&mut self, bytes: &[u8], lines: &[(usize, Origin)], queue: &Queue) -> bool {
        let mut pos = 0;
        let mut check_peer = true;
        while pos < bytes.len() {
            if signals::take_reopen() {
                self.reopen();
            }
            let draining = queue.closed.load(Ordering::SeqCst);
            if self.conn.is_none() && !self.reconnect() {
                if self.stuck(draining) {
                    queue.count_unsent(lines_from(lines, pos));
                    return false;
                }
                thread::sleep(self.retry_at.saturating_duration_since(Instant::now()).min(TICK));
                continue;
            }
            let conn = self.conn.as_mut().expect("connected");
            if check_peer && conn.peer_closed() {
                self.lost(&io::Error::new(io::ErrorKind::ConnectionReset, "the other end closed the connection"));
                continue;
            }
            check_peer = false;
            let written = match conn.write(&bytes[pos..]) {
                Ok(0) => Err(io::Error::from(io::ErrorKind::WriteZero)),
                written => written,
            };
            match written {
                Ok(n) => {
                    pos += n;
                    self.progress = Instant::now();
                }
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted) => {
                    if self.stuck(draining) {
                        queue.count_unsent(lines_from(lines, pos));
                        return false;
                    }
                }
                Err(e) => {
                    self.lost(&e);
                    check_peer = true;
                    // A line cut short is not sent again: the destination has its head.
                    if let Some(&(end, origin)) = lines_from(lines, pos).first().filter(|_| !line_starts_at(lines, pos)) {
                        queue.count_unsent(&[(end, origin)]);
                        pos = end;
                    }
                }
            }
        }
        // TLS may hold the last bytes it took: out with them now (a socket that cannot
        // take them yet gets them with the next write).
        if let Some(conn) = self.conn.as_mut() {
            let _ = conn.flush();
        }
        true
    }

    /// Whether to give up: the run is over, and nothing has moved for LINGER since the
    /// last byte written or the end of the run, whichever came later.
    fn stuck(&mut self, draining: bool) -> bool {
        if !draining {
            return false;
        }
        let drain_from = *self.drain_from.get_or_insert_with(|| {
            // Down for long, the next attempt may be 5 s away: try again soon and often.
            self.backoff.succeeded();
            self.retry_at = self.retry_at.min(Instant::now() + Backoff::FIRST);
            Instant::now()
        });
        if !self.gave_up && self.progress.max(drain_from).elapsed() >= LINGER {
            self.gave_up = true;
            crate::say!("sysnoop: {}: nothing could be sent for {}s; what is left is counted unsent", self.dest, LINGER.as_secs());
        }
        self.gave_up
    }

    /// Whether the connection is back (tried when its backoff is due).
    fn reconnect(&mut self) -> bool {
        let now = Instant::now();
        if now < self.retry_at {
            return false;
        }
        match self.dest.connect(self.tls.as_ref()) {
            Ok(conn) => {
                self.conn = Some(conn);
                self.up.store(true, Ordering::Relaxed);
                self.backoff.succeeded();
                if std::mem::take(&mut self.down) {
                    crate::say!("sysnoop: {}: connected again", self.dest);
                }
                true
            }
            Err(e) => {
                self.up.store(false, Ordering::Relaxed);
                self.retry_at = now + self.backoff.failed();
                if !std::mem::replace(&mut self.down, true) {
                    crate::say!("sysnoop: {}: {e}; retrying (records wait in the queue, and are counted unsent when it is full)", self.dest);
                }
                false
            }
        }
    }

    /// The connection failed: drop it, say so once, try again after a backoff.
    fn lost(&mut self, e: &io::Error) {
        self.conn = None;
        self.up.store(false, Ordering::Relaxed);
        self.retry_at = Instant::now() + self.backoff.failed();
        if !std::mem::replace(&mut self.down, true) {
            crate::say!("sysnoop: {}: {e}; reconnecting (records wait in the queue, and are counted unsent when it is full)", self.dest);
        }
    }

    /// SIGHUP: open the file again (logrotate moved it away), or reconnect.
    fn reopen(&mut self) {
        self.conn = None;
        self.retry_at = Instant::now();
        self.backoff.succeeded();
        self.reconnect();
    }
}

/// A file or socket in use: the writer's end of the queue and the delivery thread, and
/// once the run is over and the queue drained, the link the summary goes out on.
pub(crate) struct Remote {
    queue: Arc<Queue>,
    state: State,
    up: Arc<AtomicBool>,
}

enum State {
    Running {
        feed: Feed,
        thread: thread::JoinHandle<Link>,
    },
    Drained(Link),
    /// Only while changing from one to the other.
    Changing,
}

impl Remote {
    /// Starts the delivery thread for `link`, with a queue of `capacity` bytes for
    /// records of `sources` sources.
    pub(crate) fn start(link: Link, capacity: usize, sources: usize) -> Result<Remote> {
        let queue = Arc::new(Queue::new(capacity, sources));
        let (tx, rx) = unbounded();
        let (spare_tx, spare) = bounded(SPARE_BATCHES);
        let feed = Feed { queue: queue.clone(), tx, spare, batch: Lines::default(), batch_bytes: BATCH_BYTES.min(capacity / 4) };
        let shared = queue.clone();
        let up = link.up.clone();
        let mut link = link;
        let thread = thread::Builder::new()
            .name("sysnoop-send".into())
            .spawn(move || {
                link.deliver(&shared, rx, spare_tx);
                link
            })
            .context("starting the delivery thread")?;
        Ok(Remote { queue, state: State::Running { feed, thread }, up })
    }

    /// Queues one line (never waits); `origin` says whose count it is in.
    pub(crate) fn line(&mut self, line: &[u8], origin: Origin) -> bool {
        self.feed().line(line, origin)
    }

    /// Hands the lines so far to the delivery thread: false when the queue had no room.
    pub(crate) fn flush(&mut self) -> bool {
        self.feed().flush()
    }

    fn feed(&mut self) -> &mut Feed {
        match &mut self.state {
            State::Running { feed, .. } => feed,
            _ => panic!("a line after the end of the run"),
        }
    }

    /// The bytes of records waiting, and whether the destination is connected (open).
    pub(crate) fn gauges(&self) -> (u64, bool) {
        (self.queue.queued.load(Ordering::Relaxed) as u64, self.up.load(Ordering::Relaxed))
    }

    /// Records of source `index` that did not reach the destination.
    pub(crate) fn unsent(&self, index: usize) -> u64 {
        self.queue.unsent(index)
    }

    /// At the end of the run: hands over the last batch and waits until the queue is
    /// delivered, or given up and counted unsent.
    pub(crate) fn drain(&mut self) {
        self.state = match std::mem::replace(&mut self.state, State::Changing) {
            State::Running { feed, thread } => {
                feed.close();
                State::Drained(thread.join().expect("the delivery thread panicked"))
            }
            done => done,
        };
    }

    /// Sends the run's last line (the summary), after `drain`: whether it was written
    /// whole. Given up after LINGER without progress.
    pub(crate) fn send_last(&mut self, line: &[u8]) -> bool {
        self.drain();
        let State::Drained(link) = &mut self.state else { unreachable!("drained") };
        if link.gave_up || line.is_empty() {
            return line.is_empty();
        }
        link.send(line, &[(line.len(), None)], &self.queue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations() {
        assert_eq!("-".parse(), Ok(Dest::Stdout));
        assert_eq!("file:/var/log/sysnoop.json".parse(), Ok(Dest::File("/var/log/sysnoop.json".into())));
        assert_eq!("file:rel/out".parse(), Ok(Dest::File("rel/out".into())));
        assert_eq!("unix:/run/bus.sock".parse(), Ok(Dest::Unix("/run/bus.sock".into())));
        assert_eq!("unix:@bus".parse(), Ok(Dest::Unix("@bus".into())));
        assert_eq!("tcp:localhost:514".parse(), Ok(Dest::Tcp { host: "localhost".into(), port: 514 }));
        assert_eq!("tcp:127.0.0.1:6000".parse(), Ok(Dest::Tcp { host: "127.0.0.1".into(), port: 6000 }));
        assert_eq!("tcp:[::1]:6000".parse(), Ok(Dest::Tcp { host: "::1".into(), port: 6000 }));
        assert_eq!("tls:collector.example:6514".parse(), Ok(Dest::Tls { host: "collector.example".into(), port: 6514 }));
        assert_eq!("tls:[::1]:6514".parse::<Dest>().unwrap().to_string(), "tls:[::1]:6514");
        assert!("tls:collector.example".parse::<Dest>().unwrap_err().contains("no port (tls:HOST:PORT)"));
        for (dest, shown) in [("tcp:[::1]:6000", "tcp:[::1]:6000"), ("unix:/a b", "unix:/a b"), ("file:x", "file:x"), ("-", "stdout")] {
            assert_eq!(dest.parse::<Dest>().unwrap().to_string(), shown);
        }
    }

    #[test]
    fn malformed_destinations_say_why() {
        let error = |s: &str| s.parse::<Dest>().unwrap_err();
        assert!(error("out.json").contains("file:out.json"), "{}", error("out.json"));
        assert!(error("udp:host:514").contains("unknown destination `udp:`"));
        assert!(error("file:").contains("empty"));
        assert!(error("unix:").contains("empty"));
        assert!(error(&format!("unix:/{}", "x".repeat(107))).contains("at most 107 bytes"));
        assert!(format!("unix:/{}", "x".repeat(106)).parse::<Dest>().is_ok());
        assert!(error("tcp:localhost").contains("no port"));
        assert!(error("tcp::514").contains("no host"));
        assert!(error("tcp:host:0").contains("not a port"));
        assert!(error("tcp:host:65536").contains("not a port"));
        assert!(error("tcp:host:http").contains("not a port"));
        assert!(error("tcp:::1:514").contains("brackets"));
        assert!(error("tcp:[::1:514").contains("`]`"));
    }

    #[test]
    fn backoff_doubles_up_to_its_cap_and_starts_over_once_connected() {
        let mut b = Backoff::new();
        let waits: Vec<u64> = (0..8).map(|_| b.failed().as_millis() as u64).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
        b.succeeded();
        assert_eq!(b.failed(), Backoff::FIRST);
    }

    fn feed(capacity: usize, sources: usize) -> (Feed, Receiver<Lines>) {
        let queue = Arc::new(Queue::new(capacity, sources));
        let (tx, rx) = unbounded();
        let (_, spare) = bounded(1);
        (Feed { queue, tx, spare, batch: Lines::default(), batch_bytes: BATCH_BYTES.min(capacity / 4) }, rx)
    }

    /// A batch that does not fit counts each of its records unsent under its own
    /// source; lines that are not events (the start record) count nowhere; what was
    /// handed over counts once it leaves the queue.
    #[test]
    fn a_full_queue_counts_every_record_it_turns_away() {
        let (mut feed, rx) = feed(100, 3);
        feed.line(b"start\n", None);
        feed.line(&[b'a'; 40], Some(0));
        feed.flush(); // 46 bytes queued
        feed.line(&[b'b'; 40], Some(1));
        feed.flush(); // 86
        feed.line(&[b'c'; 10], Some(2));
        feed.line(&[b'd'; 10], Some(2));
        // The batch reaches a quarter of the queue (25): handed over, 116 > 100, turned away.
        assert!(!feed.line(&[b'e'; 10], Some(0)));
        // A line that is no event (a loss marker) turned away is said so: its writer
        // makes it again (Writer::write_losses).
        assert!(feed.line(&[b'm'; 20], None));
        assert!(!feed.flush(), "106 > 100: turned away");
        assert_eq!((0..3).map(|i| feed.queue.unsent(i)).collect::<Vec<_>>(), [1, 0, 2]);
        assert_eq!(feed.queue.queued.load(Ordering::SeqCst), 86);
        let first = rx.try_recv().unwrap();
        assert_eq!(first.lines, [(6, None), (46, Some(0))]);
        feed.queue.queued.fetch_sub(first.bytes.len(), Ordering::SeqCst);
        feed.line(&[b'f'; 50], Some(1));
        assert!(feed.flush(), "40 + 50 fits again");
        assert_eq!(feed.queue.queued.load(Ordering::SeqCst), 90);
        assert_eq!(rx.try_iter().count(), 2);
    }

    /// A batch is handed over when it reaches a quarter of the queue, so one always fits
    /// an empty queue.
    #[test]
    fn batches_are_handed_over_at_a_quarter_of_the_queue() {
        let (mut feed, rx) = feed(MIN_QUEUE_SIZE, 1);
        let line = [b'x'; 1000];
        for _ in 0..16 {
            feed.line(&line, Some(0));
        }
        assert!(rx.try_recv().is_err()); // 16,000 bytes: under 16 KiB
        feed.line(&line, Some(0));
        assert_eq!(rx.try_recv().unwrap().bytes.len(), 17_000);
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn lines_from_a_position() {
        let mut batch = Lines::default();
        batch.push(b"aaa\n", Some(0));
        batch.push(b"bb\n", Some(1));
        batch.push(b"c\n", None);
        let lines = &batch.lines;
        assert_eq!(lines_from(lines, 0).len(), 3);
        assert_eq!(lines_from(lines, 3), [(4, Some(0)), (7, Some(1)), (9, None)]); // "aaa\n" cut after 3 bytes
        assert_eq!(lines_from(lines, 4), [(7, Some(1)), (9, None)]);
        assert_eq!(lines_from(lines, 9), []);
        assert!(line_starts_at(lines, 0) && line_starts_at(lines, 4) && !line_starts_at(lines, 5));
    }
}
