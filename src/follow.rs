//! Tracing one job: `-- CMD` runs a command and traces it and every task it starts;
//! `--follow PID` does the same for a process that is already running.
//!
//! The set of followed tasks lives in the kernel (bpf/follow.bpf.c): every object's
//! `trace_allowed()` looks the thread up in it, the fork of a followed task adds the
//! new task before it can run, and exits take tasks out. This module puts the first
//! tasks in, says when the set is empty (the run is over), and runs the command:
//! forked and stopped before anything is traced, made a member of the set while it
//! is stopped, and let go once tracing is live, so its first traced call is its exec.

use std::collections::HashSet;
use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use libbpf_rs::{MapCore, MapFlags, MapHandle};
use nix::libc;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{Gid, Pid, Uid};

use crate::abi::sysnoop_counter;
use crate::bpf::follow::types::follow_slot;
use crate::bpf::follow::FollowBpfSkel;
use crate::loader::Shared;
use crate::stats::FollowCounts;

/// Whom a run follows.
#[derive(Debug, Clone)]
pub enum Follow {
    /// `-- CMD [ARGS...]`, run by sysnoop (as `--user`, when given).
    Command { argv: Vec<OsString>, user: Option<RunAs> },
    /// `--follow PID`.
    Pid(u32),
}

/// `--user`: who runs the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunAs {
    pub(crate) name: String,
    pub(crate) uid: Uid,
    pub(crate) gid: Gid,
    /// Supplementary groups, from the group database.
    pub(crate) groups: Vec<Gid>,
}

/// `--user USER`: a user name or a uid with an entry in the user database.
pub(crate) fn parse_run_as(s: &str) -> Result<RunAs, String> {
    let user = match s.parse::<u32>() {
        Ok(uid) => nix::unistd::User::from_uid(Uid::from_raw(uid)),
        Err(_) => nix::unistd::User::from_name(s),
    };
    let user = match user {
        Ok(Some(user)) => user,
        Ok(None) => return Err(format!("no user `{s}`")),
        Err(e) => return Err(format!("looking up user `{s}`: {e}")),
    };
    let name = CString::new(user.name.as_bytes()).map_err(|_| format!("user name `{}` has a NUL", user.name))?;
    let groups = nix::unistd::getgrouplist(&name, user.gid).map_err(|e| format!("looking up the groups of `{s}`: {e}"))?;
    Ok(RunAs { name: user.name, uid: user.uid, gid: user.gid, groups })
}

/// The command could not be started (exit status 127, as a shell's).
#[derive(Debug, thiserror::Error)]
#[error("cannot run {command}: {reason}")]
pub struct NotRunnable {
    command: String,
    reason: String,
}

/// Exit status for a command that could not be executed.
pub const NOT_RUNNABLE: u8 = 127;

/// The command, forked and stopped before its exec until `release`.
#[derive(Debug)]
pub struct Held {
    pid: Pid,
    /// Its exit status once reaped.
    status: Option<u8>,
}

impl Held {
    /// Forks; the child takes `user`'s identity, stops itself (SIGSTOP), and execs the
    /// command once continued. Returns once it has stopped. Call while sysnoop has one
    /// thread: the child only makes raw system calls until it execs.
    pub fn spawn(argv: &[OsString], user: Option<&RunAs>) -> Result<Held> {
        let program = argv.first().context("no command")?;
        // Escaped: a name can hold anything, a newline or a terminal's escape sequence too.
        let shown = crate::columns::escape(program.as_bytes()).into_owned();
        let not_runnable = |reason: String| NotRunnable { command: format!("`{shown}`"), reason };
        let path = resolve(program, std::env::var_os("PATH").as_deref()).map_err(not_runnable)?;
        // Everything the child needs, made before the fork: it must not allocate.
        let c = |s: &OsStr| CString::new(s.as_bytes()).map_err(|_| not_runnable("an argument has a NUL byte".into()));
        let path = c(path.as_os_str())?;
        let args: Vec<CString> = argv.iter().map(|a| c(a)).collect::<Result<_, _>>()?;
        let env: Vec<CString> =
            std::env::vars_os().map(|(k, v)| c(OsStr::from_bytes(&[k.as_bytes(), b"=", v.as_bytes()].concat()))).collect::<Result<_, _>>()?;
        let pointers = |v: &[CString]| v.iter().map(|s| s.as_ptr()).chain([std::ptr::null()]).collect::<Vec<_>>();
        let (arg_ptrs, env_ptrs) = (pointers(&args), pointers(&env));
        let groups: Vec<libc::gid_t> = user.map(|u| u.groups.iter().map(|g| g.as_raw()).collect()).unwrap_or_default();

        // SAFETY: the child calls only async-signal-safe functions on memory made
        // before the fork, and ends in execve or _exit.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            bail!("forking to run `{shown}`: {}", std::io::Error::last_os_error());
        }
        if pid == 0 {
            // SAFETY: in the forked child: only async-signal-safe calls, on memory made
            // before the fork; it ends in execve or _exit.
            unsafe {
                // The dispositions sysnoop changed (Rust ignores SIGPIPE), and no mask.
                for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGPIPE] {
                    libc::signal(signal, libc::SIG_DFL);
                }
                let mut empty: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut empty);
                libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
                if let Some(user) = user {
                    if libc::setgroups(groups.len(), groups.as_ptr()) != 0 || libc::setgid(user.gid.as_raw()) != 0 || libc::setuid(user.uid.as_raw()) != 0 {
                        libc::_exit(i32::from(NOT_RUNNABLE));
                    }
                }
                // The command gets no capability of sysnoop's through exec (ambient ones,
                // as setpriv --ambient-caps gives, would pass): only a command that runs
                // as root has root's, as any root process does.
                libc::prctl(libc::PR_CAP_AMBIENT, libc::PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
                // Stopped at the return of kill(): the next system call is execve.
                libc::kill(libc::getpid(), libc::SIGSTOP);
                libc::execve(path.as_ptr(), arg_ptrs.as_ptr(), env_ptrs.as_ptr());
                libc::_exit(i32::from(NOT_RUNNABLE));
            }
        }
        let pid = Pid::from_raw(pid);
        match waitpid(pid, Some(WaitPidFlag::WUNTRACED)) {
            Ok(WaitStatus::Stopped(_, Signal::SIGSTOP)) => Ok(Held { pid, status: None }),
            Ok(status) => {
                let as_user = user.map(|u| format!(" as user {}", u.name)).unwrap_or_default();
                Err(not_runnable(format!("it could not be started{as_user} ({status:?})")).into())
            }
            Err(e) => bail!("waiting for `{shown}` to start: {e}"),
        }
    }

    pub(crate) fn pid(&self) -> u32 {
        self.pid.as_raw() as u32
    }

    /// Lets the command run: it execs.
    pub(crate) fn release(&self) {
        let _ = kill(self.pid, Signal::SIGCONT);
    }

    /// Its exit status (128 + the signal that killed it), once it has exited. When the
    /// run stopped first (Ctrl-C, --duration, --max-events), it gets SIGTERM, and
    /// SIGKILL 5 s later, as `perf record -- CMD` does.
    pub fn finish(&mut self) -> u8 {
        if let Some(status) = self.wait_for(Duration::from_millis(200)) {
            return status;
        }
        let _ = kill(self.pid, Signal::SIGTERM);
        if let Some(status) = self.wait_for(Duration::from_secs(5)) {
            return status;
        }
        let _ = kill(self.pid, Signal::SIGKILL);
        self.wait_for(Duration::MAX).unwrap_or(NOT_RUNNABLE)
    }

    /// Reaps the command if it exits within `limit`.
    fn wait_for(&mut self, limit: Duration) -> Option<u8> {
        let start = Instant::now();
        while self.status.is_none() {
            let flags = if limit == Duration::MAX { None } else { Some(WaitPidFlag::WNOHANG) };
            match waitpid(self.pid, flags) {
                Ok(WaitStatus::Exited(_, code)) => self.status = Some(code as u8),
                Ok(WaitStatus::Signaled(_, signal, _)) => self.status = Some(128 + signal as u8),
                Ok(_) => {}
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => self.status = Some(NOT_RUNNABLE), // not our child any more: cannot happen
            }
            if self.status.is_none() {
                if start.elapsed() >= limit {
                    return None;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        self.status
    }
}

impl Drop for Held {
    /// A run that failed before the command ran: it never runs.
    fn drop(&mut self) {
        if self.status.is_none() {
            let _ = kill(self.pid, Signal::SIGKILL);
            let _ = waitpid(self.pid, None);
        }
    }
}

/// The file a command names, as a shell finds it: a name with a slash as it is, else
/// the first executable regular file of that name in `path` (PATH).
pub(crate) fn resolve(program: &OsStr, path: Option<&OsStr>) -> Result<PathBuf, String> {
    let executable = |p: &Path| p.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
    if program.as_bytes().contains(&b'/') {
        let p = PathBuf::from(program);
        return match p.metadata() {
            Err(e) => Err(e.to_string()),
            Ok(_) if !executable(&p) => Err("not an executable file".into()),
            Ok(_) => Ok(p),
        };
    }
    let path = path.unwrap_or(OsStr::new("/usr/local/bin:/usr/bin:/bin"));
    std::env::split_paths(path).map(|dir| dir.join(program)).find(|p| executable(p)).ok_or_else(|| "command not found".into())
}

/// The loaded follower: the set of followed tasks and the programs that keep it.
pub(crate) struct Follower {
    _skel: FollowBpfSkel<'static>,
    set: MapHandle,
    counts: MapHandle,
    /// Tasks user space put in.
    seeded: u64,
    /// When the set was last swept of tasks that are gone.
    swept: Instant,
}

/// How often the set is swept of tasks that are gone (see `sweep`).
const SWEEP_EVERY: Duration = Duration::from_secs(1);

impl Follower {
    /// Loads and attaches the follower, after every kind's programs: its exit program
    /// must run after theirs on sched_process_exit (bpf/follow.bpf.c).
    pub(crate) fn load(shared: &Shared) -> Result<Follower> {
        let open = shared.open::<FollowBpfSkel>()?;
        let skel = shared.load_and_attach::<FollowBpfSkel>(open)?;
        let slots = [follow_slot::FOLLOW_SLOT_FORK.0, follow_slot::FOLLOW_SLOT_EXEC.0, follow_slot::FOLLOW_SLOT_EXIT.0];
        // A thread of sysnoop's forks and exits; exec's probe child execs.
        shared.live(&skel, &slots, || {
            let _ = std::thread::spawn(|| {}).join();
            crate::live::child();
        })?;
        let set = MapHandle::try_from(&skel.maps.followed).context("reading the set of followed tasks")?;
        let counts = MapHandle::try_from(&skel.maps.counters).context("reading the follower's counters")?;
        Ok(Follower { _skel: skel, set, counts, seeded: 0, swept: Instant::now() })
    }

    /// Follows the task with thread id `tid`.
    pub(crate) fn add(&mut self, tid: u32) -> Result<()> {
        self.set.update(&tid.to_ne_bytes(), &[1], MapFlags::ANY).with_context(|| format!("following task {tid}"))?;
        self.seeded += 1;
        Ok(())
    }

    /// Follows process `pid`, every thread of it and every descendant it has now (by
    /// the parent links in /proc; a descendant whose parent exited before is not found).
    /// The fork program is already attached, so a followed task's later children are
    /// added by the kernel; a child made by a task before it was added here is found by
    /// walking again, until a walk finds nothing new.
    pub(crate) fn add_tree(&mut self, pid: u32) -> Result<()> {
        let mut followed = HashSet::new();
        loop {
            let mut new = 0;
            for tgid in descendants(pid) {
                for tid in threads(tgid) {
                    if followed.insert(tid) && alive(tid) {
                        self.add(tid)?;
                        // Gone meanwhile: its exit may have come before it was added.
                        if !alive(tid) {
                            let _ = self.set.delete(&tid.to_ne_bytes());
                        }
                        new += 1;
                    }
                }
            }
            if new == 0 {
                return Ok(());
            }
        }
    }

    /// Whether every followed task has exited: then the run is over. Every second,
    /// sweeps the set first.
    pub(crate) fn done(&mut self) -> bool {
        if self.swept.elapsed() >= SWEEP_EVERY {
            self.sweep();
            self.swept = Instant::now();
        }
        self.set.keys().next().is_none()
    }

    /// Takes out tasks that are gone without their exit reaching the kernel's set (one
    /// that exited while `add_tree` added it). A task that has been reaped has no /proc
    /// entry; a zombie is left (a group leader stays while its threads run).
    fn sweep(&mut self) {
        let gone: Vec<Vec<u8>> = self
            .set
            .keys()
            .filter(|key| key.len() == 4 && !Path::new(&format!("/proc/{}", u32::from_ne_bytes(key[..4].try_into().unwrap()))).exists())
            .collect();
        for key in gone {
            let _ = self.set.delete(&key);
        }
    }

    pub(crate) fn counts(&self) -> anyhow::Result<FollowCounts> {
        let get = |counter: sysnoop_counter| crate::stats::sum_percpu(&self.counts, counter.0);
        Ok(FollowCounts { tasks: self.seeded + get(sysnoop_counter::SN_CTR_FOLLOWED)?, untracked: get(sysnoop_counter::SN_CTR_UNTRACKED)? })
    }
}

/// `pid` and every process below it, from the parent links in /proc.
fn descendants(pid: u32) -> Vec<u32> {
    let mut children: std::collections::HashMap<u32, Vec<u32>> = std::collections::HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(tgid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        if let Some((_, ppid)) = stat(tgid) {
            children.entry(ppid).or_default().push(tgid);
        }
    }
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        tree.extend(children.get(&tree[i]).into_iter().flatten());
        i += 1;
    }
    tree
}

/// The thread ids of process `tgid`.
fn threads(tgid: u32) -> Vec<u32> {
    std::fs::read_dir(format!("/proc/{tgid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
        .collect()
}

/// Whether task `tid` is running (exists and is not a zombie).
fn alive(tid: u32) -> bool {
    stat(tid).is_some_and(|(state, _)| !matches!(state, b'Z' | b'X' | b'x'))
}

/// Task `tid`'s state letter and parent pid, from /proc/TID/stat.
fn stat(tid: u32) -> Option<(u8, u32)> {
    let text = std::fs::read(format!("/proc/{tid}/stat")).ok()?;
    parse_stat(&text)
}

/// `pid (comm) S ppid ...`: the comm may hold spaces and parentheses, so the fields
/// are counted from its last `)`.
fn parse_stat(text: &[u8]) -> Option<(u8, u32)> {
    let after = &text[text.iter().rposition(|&b| b == b')')? + 1..];
    let mut fields = after.split(|&b| b == b' ').filter(|f| !f.is_empty());
    let state = *fields.next()?.first()?;
    let ppid = std::str::from_utf8(fields.next()?).ok()?.parse().ok()?;
    Some((state, ppid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines() {
        assert_eq!(parse_stat(b"42 (sh) S 7 42 42 0 -1"), Some((b'S', 7)));
        assert_eq!(parse_stat(b"42 (a) b) (c) Z 1 0"), Some((b'Z', 1)));
        assert_eq!(parse_stat(b"42 (x"), None);
        assert_eq!(parse_stat(b""), None);
    }

    #[test]
    fn commands_are_found_as_a_shell_finds_them() {
        let dir = std::env::temp_dir().join(format!("sysnoop-resolve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let tool = dir.join("tool");
        std::fs::write(&tool, "#!/bin/sh\n").unwrap();
        let plain = dir.join("plain");
        std::fs::write(&plain, "").unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = std::env::join_paths([Path::new("/nonexistent"), &dir]).unwrap();
        assert_eq!(resolve(OsStr::new("tool"), Some(&path)), Ok(tool.clone()));
        assert_eq!(resolve(tool.as_os_str(), None), Ok(tool));
        assert_eq!(resolve(OsStr::new("plain"), Some(&path)), Err("command not found".into()));
        assert_eq!(resolve(plain.as_os_str(), None), Err("not an executable file".into()));
        assert!(resolve(dir.join("missing").as_os_str(), None).unwrap_err().contains("No such file"));
        assert_eq!(resolve(OsStr::new("no-such-command-here"), Some(&path)), Err("command not found".into()));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn users() {
        let root = parse_run_as("root").unwrap();
        assert_eq!((root.uid.as_raw(), root.gid.as_raw()), (0, 0));
        assert_eq!(parse_run_as("0").unwrap(), root);
        assert!(parse_run_as("no-such-user-here").unwrap_err().contains("no user"));
    }
}
