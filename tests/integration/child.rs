//! The child process the tests trace: this test binary, re-executed so that it runs only
//! `child::child_process` with a script in $SYSNOOP_TEST_CHILD. Each open it makes is a
//! real syscall (not libc's choice of one), and it reports pid, tid and the return value
//! so the test can compare them with what sysnoop saw.
//!
//! Script lines:
//!   comm NAME                  set this thread's command name
//!   setuid UID                 drop to this uid (and gid)
//!   wait                       print a ready line, then wait for a line on stdin
//!   SYSCALL FLAGS MODE PATHHEX open with open|openat|openat2|creat (FLAGS, MODE octal);
//!                              reports the result and what readlink(/proc/self/fd/N) gave
//!   opendir PATHHEX            open a directory for openat-dir (reported as an open)
//!   openat-dir FLAGS MODE PATHHEX  openat relative to that directory (reported likewise)
//!   reopen-deleted PATHHEX     open the path, unlink it, then open /proc/self/fd/N of it
//!                              (both opens reported; the second with its path)
//!   reopen memfd|pipe          make a memfd or a pipe, then open /proc/self/fd/N of it
//!   chdir PATHHEX              change directory
//!   chroot PATHHEX             chroot there, then chdir to its /
//!   bind SRCHEX DSTHEX         in a mount namespace of its own, bind-mount SRC on DST
//!   repeat N PATHHEX           N openat(O_RDONLY) calls of the path
//!   open-each N DIRHEX         one openat(O_RDONLY) of each of DIR/0 .. DIR/N-1
//!   connect tcp|udp ADDR:PORT  connect a new socket (IPv4 or IPv6) to the address
//!   connect unix PATHHEX       connect a new unix stream socket to the path
//!   connect-nb ADDR:PORT SYNCNT WAIT_MS  a non-blocking TCP connect (SYNCNT: TCP_SYNCNT,
//!                              0 for the default), then wait up to WAIT_MS for its
//!                              outcome; reports the connect's result and the socket's
//!                              error then (`error`, -1 when it had none yet). A socket
//!                              still connecting is closed, or with WAIT_MS `keep` kept
//!                              open without waiting
//!   connect-many ADDR:PORT N SYNCNT  N non-blocking TCP connects (TCP_SYNCNT each),
//!                              2 ms apart, all kept open until each has its outcome
//!                              (or 20 s); reports how many timed out (as ret), then
//!                              closes them
//!   serve tcp|unix ADDR|PATHHEX N  bind a listening socket (TCP at ADDR:PORT, port 0
//!                              for any; or unix at the path), listen with a backlog of
//!                              7, and report (ret 0, its fd, its port); then N times
//!                              connect a client and accept it, reporting each (the new
//!                              fd as ret, the client's fd, the client's port); then a
//!                              non-blocking accept4 (SOCK_CLOEXEC) with nothing waiting
//!                              (EAGAIN) and a
//!                              second bind to the same address (EADDRINUSE), reported
//!                              by their results
//!   send ADDR:PORT N           connect over TCP and send N bytes
//!   file-calls                 in the current directory, each file-changing call by its
//!                              own syscall number (the legacy forms glibc no longer
//!                              uses among them), some failing: see file_calls()
//!   priv-calls                 as root: ptrace a child (attach, peek, detach), a child that
//!                              calls PTRACE_TRACEME, a failed peek; a BPF program load
//!                              and a refused one; then setgroups,
//!                              setresgid, setregid, setfsgid, setfsuid, capset, setresuid
//!                              to 1000 and the setuid(0) and setgid(0) that then fail:
//!                              see priv_calls(). Reports its pid, as `fd` the pid of
//!                              the child that called PTRACE_TRACEME, and as `id` the
//!                              BPF program's id
//!   mount-calls                as root, in the current directory and a mount namespace of
//!                              its own: mount a tmpfs on `a`, unmount it, fail to unmount
//!                              `missing`, mount one with fsopen/fsmount/move_mount, then
//!                              pivot_root into it and unmount the old root: see
//!                              mount_calls(). Needs a directory `a` there
//!   close-bad N                N close(-1) calls (each fails with EBADF)
//!   getpriority N              N getpriority(PRIO_PROCESS, 0) calls (rarely used)
//!   signals N                  N SIGUSR1 to itself (tgkill), each caught by a handler that
//!                              returns: N rt_sigreturn calls
//!   threads N                  start threads until the process has N, each blocked for good
//!   block open PATHHEX         a new thread opens the path (a FIFO: blocks for good)
//!   block connect PATHHEX      a new thread listens on a unix socket at the path with a
//!                              backlog of 0, connects once (queued), then again (blocks)
//!   thread-open PATHHEX        a new thread opens the path (reported), and is joined
//!   forks N DIRHEX             fork N children that wait until all N exist, then each
//!                              opens DIR/<its index> and exits; wait for them
//!   sleep MS                   sleep this many milliseconds
//!   exit CODE                  exit the whole process with this status
//!   exec|execveat xHEX...       execve/execveat(AT_FDCWD) of the path with that argv
//!                              (each word is `x` + hex, so empty arguments survive);
//!                              reports only when the exec fails
//!   exec-fd memfd|unlinked PATHHEX xHEX...  copy the file at PATH into a memfd, or into a
//!                              new file in the current directory that is then unlinked,
//!                              and execveat(fd, "", AT_EMPTY_PATH) it with that argv;
//!                              reports only when the exec fails

use std::ffi::CString;
use std::io::{BufRead, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

use nix::libc;

const ENV: &str = "SYSNOOP_TEST_CHILD";

/// Not a test of its own: the body of the child processes the other tests spawn.
#[test]
fn child_process() {
    let Ok(script) = std::env::var(ENV) else { return };
    let stdout = std::io::stdout();
    let report = |line: String| {
        let mut out = stdout.lock();
        writeln!(out, "CHILD {line}").unwrap();
        out.flush().unwrap();
    };
    let tid = nix::unistd::gettid().as_raw();
    let pid = std::process::id();
    let opened = |ret: i64, path: Option<&CString>| {
        let link = (ret >= 0).then(|| std::fs::read_link(format!("/proc/self/fd/{ret}")).ok()).flatten();
        let link = link.map(|l| l.into_os_string().into_string().unwrap());
        let path = path.map(|p| p.to_str().unwrap().to_owned());
        serde_json::json!({"pid": pid, "tid": tid, "ret": ret, "link": link, "path": path}).to_string()
    };
    let mut dir: i32 = -1;
    for line in script.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["comm", name] => nix::sys::prctl::set_name(&CString::new(*name).unwrap()).unwrap(),
            ["setuid", uid] => {
                let id: u32 = uid.parse().unwrap();
                nix::unistd::setresgid(id.into(), id.into(), id.into()).unwrap();
                nix::unistd::setresuid(id.into(), id.into(), id.into()).unwrap();
            }
            ["wait"] => {
                report(format!(r#"{{"ready":true,"pid":{pid},"tid":{tid}}}"#));
                let mut go = String::new();
                std::io::stdin().lock().read_line(&mut go).unwrap();
            }
            ["connect", proto, target] => {
                use std::os::fd::AsRawFd;
                let result: std::io::Result<(i32, u16)> = match *proto {
                    "tcp" => {
                        std::net::TcpStream::connect(target.parse::<std::net::SocketAddr>().unwrap()).map(|s| (s.as_raw_fd(), s.local_addr().unwrap().port()))
                    }
                    "udp" => {
                        let addr: std::net::SocketAddr = target.parse().unwrap();
                        let any = if addr.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
                        let socket = std::net::UdpSocket::bind(any).unwrap();
                        socket.connect(addr).map(|()| (socket.as_raw_fd(), socket.local_addr().unwrap().port()))
                    }
                    "unix" => std::os::unix::net::UnixStream::connect(std::ffi::OsStr::from_bytes(&unhex(target))).map(|s| (s.as_raw_fd(), 0)),
                    other => panic!("unknown connect kind {other}"),
                };
                let (ret, fd, sport) = match result {
                    Ok((fd, sport)) => (0, fd, sport),
                    Err(e) => (-i64::from(e.raw_os_error().unwrap()), -1, 0),
                };
                report(format!(r#"{{"pid":{pid},"tid":{tid},"ret":{ret},"fd":{fd},"sport":{sport}}}"#));
            }
            ["connect-nb", target, syncnt, wait] => {
                let (ret, fd, sport, error) = connect_nonblocking(target.parse().unwrap(), syncnt.parse().unwrap(), wait.parse().ok());
                report(format!(r#"{{"pid":{pid},"tid":{tid},"ret":{ret},"fd":{fd},"sport":{sport},"error":{error}}}"#));
            }
            ["connect-many", target, n, syncnt] => {
                let target = target.parse().unwrap();
                let fds: Vec<i32> = (0..n.parse::<usize>().unwrap())
                    .map(|_| {
                        std::thread::sleep(std::time::Duration::from_millis(2));
                        connect_nonblocking(target, syncnt.parse().unwrap(), None).1
                    })
                    .collect();
                let timed_out = fds.iter().filter(|&&fd| outcome_of(fd, 20_000) == libc::ETIMEDOUT as i64).count();
                for fd in fds {
                    // SAFETY: closes a socket connect_nonblocking left open for this child.
                    unsafe { libc::close(fd) };
                }
                report(format!(r#"{{"pid":{pid},"tid":{tid},"ret":{timed_out}}}"#));
            }
            ["serve", kind, target, n] => serve(kind, target, n.parse().unwrap(), |ret, fd, sport| {
                report(format!(r#"{{"pid":{pid},"tid":{tid},"ret":{ret},"fd":{fd},"sport":{sport}}}"#))
            }),
            ["file-calls"] => file_calls(),
            ["mount-calls"] => {
                mount_calls();
                report(format!(r#"{{"pid":{pid},"tid":{tid},"ret":0}}"#));
            }
            ["priv-calls"] => {
                let (traceme, prog_id) = priv_calls();
                report(format!(r#"{{"pid":{pid},"tid":{tid},"ret":0,"fd":{traceme},"id":{prog_id}}}"#));
            }
            ["send", target, n] => {
                use std::io::Write as _;
                let mut stream = std::net::TcpStream::connect(target.parse::<std::net::SocketAddr>().unwrap()).unwrap();
                stream.write_all(&vec![b'x'; n.parse().unwrap()]).unwrap();
                stream.shutdown(std::net::Shutdown::Both).unwrap();
            }
            ["threads", n] => {
                let want: usize = n.parse().unwrap();
                let count = || std::fs::read_dir("/proc/self/task").unwrap().count();
                while count() < want {
                    // The new thread is in /proc/self/task once spawn returns.
                    std::thread::spawn(|| loop {
                        std::thread::park();
                    });
                }
            }
            ["block", "open", path] => {
                let path = CString::new(unhex(path)).unwrap();
                // SAFETY: a raw system call on a CString, a buffer or a descriptor this child owns.
                std::thread::spawn(move || unsafe {
                    libc::syscall(libc::SYS_openat, libc::AT_FDCWD, path.as_ptr(), libc::O_RDONLY, 0);
                });
            }
            ["block", "connect", path] => {
                let path = unhex(path);
                // SAFETY: a raw system call on a CString, a buffer or a descriptor this child owns.
                std::thread::spawn(move || unsafe {
                    let mut addr: libc::sockaddr_un = std::mem::zeroed();
                    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
                    for (dst, &src) in addr.sun_path.iter_mut().zip(&path) {
                        *dst = src as libc::c_char;
                    }
                    let addr_ptr = &addr as *const libc::sockaddr_un as *const libc::sockaddr;
                    let len = std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t;
                    let listener = libc::socket(libc::AF_UNIX, libc::SOCK_STREAM, 0);
                    assert!(libc::bind(listener, addr_ptr, len) == 0 && libc::listen(listener, 0) == 0);
                    for _ in 0..2 {
                        let s = libc::socket(libc::AF_UNIX, libc::SOCK_STREAM, 0);
                        libc::syscall(libc::SYS_connect, s, addr_ptr, len);
                    }
                });
            }
            ["cpu", n] => {
                // Moves to CPU n before going on (the call returns there).
                let mut set = nix::sched::CpuSet::new();
                set.set(n.parse().unwrap()).unwrap();
                nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set).unwrap();
            }
            ["getpriority", n] => {
                for _ in 0..n.parse::<u32>().unwrap() {
                    // SAFETY: a raw system call on a CString, a buffer or a descriptor this child owns.
                    unsafe { libc::syscall(libc::SYS_getpriority, libc::PRIO_PROCESS, 0) };
                }
            }
            ["signals", n] => {
                extern "C" fn caught(_: libc::c_int) {}
                let action = nix::sys::signal::SigAction::new(
                    nix::sys::signal::SigHandler::Handler(caught),
                    nix::sys::signal::SaFlags::empty(),
                    nix::sys::signal::SigSet::empty(),
                );
                // SAFETY: the handler does nothing, so it is async-signal-safe.
                unsafe { nix::sys::signal::sigaction(nix::sys::signal::Signal::SIGUSR1, &action) }.unwrap();
                for _ in 0..n.parse::<u32>().unwrap() {
                    // SAFETY: a raw system call signalling this very thread.
                    unsafe { libc::syscall(libc::SYS_tgkill, libc::getpid(), libc::gettid(), libc::SIGUSR1) };
                }
            }
            ["close-bad", n] => {
                for _ in 0..n.parse::<u32>().unwrap() {
                    // SAFETY: a raw system call on a CString, a buffer or a descriptor this child owns.
                    unsafe { libc::syscall(libc::SYS_close, -1) };
                }
            }
            ["thread-open", path] => {
                let path = CString::new(unhex(path)).unwrap();
                let (ret, tid) = std::thread::spawn(move || (open("openat", &path, libc::O_RDONLY.into(), 0), nix::unistd::gettid().as_raw())).join().unwrap();
                report(serde_json::json!({"pid": pid, "tid": tid, "ret": ret, "link": null, "path": null}).to_string());
            }
            ["forks", n, dir] => {
                let dir = unhex(dir);
                let paths: Vec<CString> =
                    (0..n.parse::<u32>().unwrap()).map(|i| CString::new([&dir[..], format!("/{i}").as_bytes()].concat()).unwrap()).collect();
                let (gate_read, gate_write) = nix::unistd::pipe().unwrap();
                let mut children = Vec::new();
                for path in &paths {
                    // SAFETY: the child makes raw system calls only, on memory made before the fork.
                    match unsafe { libc::fork() } {
                        // SAFETY: in the forked child: raw system calls only, on memory made before the fork.
                        0 => unsafe {
                            libc::close(std::os::fd::AsRawFd::as_raw_fd(&gate_write));
                            let mut byte = 0u8;
                            libc::read(std::os::fd::AsRawFd::as_raw_fd(&gate_read), (&mut byte as *mut u8).cast(), 1);
                            libc::syscall(libc::SYS_openat, libc::AT_FDCWD, path.as_ptr(), libc::O_RDONLY, 0);
                            libc::_exit(0);
                        },
                        pid => children.push(pid),
                    }
                }
                drop(gate_write); // every child is forked: let them go
                for pid in children {
                    nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid), None).unwrap();
                }
            }
            ["sleep", ms] => std::thread::sleep(std::time::Duration::from_millis(ms.parse().unwrap())),
            ["exit", code] => std::process::exit(code.parse().unwrap()),
            ["open-each", n, dir] => {
                let dir = unhex(dir);
                for i in 0..n.parse::<u32>().unwrap() {
                    let path = CString::new([&dir[..], format!("/{i}").as_bytes()].concat()).unwrap();
                    // SAFETY: a raw system call on a CString, a buffer or a descriptor this child owns.
                    let fd = unsafe { libc::syscall(libc::SYS_openat, libc::AT_FDCWD, path.as_ptr(), libc::O_RDONLY, 0) };
                    if fd >= 0 {
                        // SAFETY: a raw system call on a CString, a buffer or a descriptor this child owns.
                        unsafe { libc::close(fd as i32) };
                    }
                }
            }
            ["repeat", n, path] => {
                let path = CString::new(unhex(path)).unwrap();
                for _ in 0..n.parse::<u32>().unwrap() {
                    // SAFETY: a raw system call on a CString, a buffer or a descriptor this child owns.
                    let fd = unsafe { libc::syscall(libc::SYS_openat, libc::AT_FDCWD, path.as_ptr(), libc::O_RDONLY, 0) };
                    if fd >= 0 {
                        // SAFETY: a raw system call on a CString, a buffer or a descriptor this child owns.
                        unsafe { libc::close(fd as i32) };
                    }
                }
            }
            [call @ ("exec" | "execveat"), path, args @ ..] => {
                let path = CString::new(unhex(&path[1..])).unwrap();
                let args: Vec<CString> = args.iter().map(|a| CString::new(unhex(&a[1..])).unwrap()).collect();
                let mut argv: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
                argv.push(std::ptr::null());
                let envp = [std::ptr::null::<libc::c_char>()];
                // SAFETY: a raw system call on a CString, a buffer or a descriptor this child owns.
                let ret = unsafe {
                    if *call == "exec" {
                        libc::syscall(libc::SYS_execve, path.as_ptr(), argv.as_ptr(), envp.as_ptr())
                    } else {
                        libc::syscall(libc::SYS_execveat, libc::AT_FDCWD, path.as_ptr(), argv.as_ptr(), envp.as_ptr(), 0)
                    }
                };
                assert!(ret < 0, "exec returned");
                let ret = -i64::from(nix::errno::Errno::last_raw());
                report(format!(r#"{{"pid":{pid},"tid":{tid},"ret":{ret}}}"#));
            }
            ["exec-fd", how @ ("memfd" | "unlinked"), path, args @ ..] => {
                let args: Vec<CString> = args.iter().map(|a| CString::new(unhex(&a[1..])).unwrap()).collect();
                let ret = exec_fd(how, &unhex(&path[1..]), &args);
                report(format!(r#"{{"pid":{pid},"tid":{tid},"ret":{ret}}}"#));
            }
            ["chdir", path] => nix::unistd::chdir(std::ffi::OsStr::from_bytes(&unhex(path))).unwrap(),
            ["chroot", path] => {
                nix::unistd::chroot(std::ffi::OsStr::from_bytes(&unhex(path))).unwrap();
                nix::unistd::chdir("/").unwrap();
            }
            ["bind", source, target] => {
                use nix::mount::{mount, MsFlags};
                nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS).unwrap();
                mount(None::<&str>, "/", None::<&str>, MsFlags::MS_REC | MsFlags::MS_PRIVATE, None::<&str>).unwrap();
                let (source, target) = (unhex(source), unhex(target));
                let (source, target) = (std::ffi::OsStr::from_bytes(&source), std::ffi::OsStr::from_bytes(&target));
                mount(Some(source), target, None::<&str>, MsFlags::MS_BIND, None::<&str>).unwrap();
            }
            ["opendir", path] => {
                let path = CString::new(unhex(path)).unwrap();
                let ret = open("openat", &path, i64::from(libc::O_RDONLY | libc::O_DIRECTORY), 0);
                report(opened(ret, None));
                dir = ret as i32;
            }
            ["openat-dir", flags, mode, path] => {
                let path = CString::new(unhex(path)).unwrap();
                let flags = i64::from_str_radix(flags, 8).unwrap();
                let mode = i64::from_str_radix(mode, 8).unwrap();
                // SAFETY: a raw system call on a CString, a buffer or a descriptor this child owns.
                let ret = unsafe { libc::syscall(libc::SYS_openat, dir, path.as_ptr(), flags, mode) };
                let ret = if ret < 0 { -i64::from(nix::errno::Errno::last_raw()) } else { ret };
                report(opened(ret, None));
                if ret >= 0 {
                    // SAFETY: a raw system call on a CString, a buffer or a descriptor this child owns.
                    unsafe { libc::close(ret as i32) };
                }
            }
            ["reopen-deleted", path] => {
                let path = CString::new(unhex(path)).unwrap();
                let fd = open("openat", &path, i64::from(libc::O_RDONLY), 0);
                report(opened(fd, None));
                nix::unistd::unlink(path.as_c_str()).unwrap();
                let proc_path = CString::new(format!("/proc/self/fd/{fd}")).unwrap();
                let ret = open("openat", &proc_path, i64::from(libc::O_RDONLY), 0);
                report(opened(ret, Some(&proc_path)));
                for fd in [fd, ret].into_iter().filter(|&fd| fd >= 0) {
                    // SAFETY: a raw system call on a CString, a buffer or a descriptor this child owns.
                    unsafe { libc::close(fd as i32) };
                }
            }
            ["reopen", what] => {
                let fd = match *what {
                    "memfd" => nix::sys::memfd::memfd_create(c"buf", nix::sys::memfd::MFdFlags::empty()).unwrap(),
                    "pipe" => nix::unistd::pipe().unwrap().0,
                    other => panic!("reopen what? {other}"),
                };
                let proc_path = CString::new(format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&fd))).unwrap();
                let ret = open("openat", &proc_path, i64::from(libc::O_RDONLY | libc::O_NONBLOCK), 0);
                report(opened(ret, Some(&proc_path)));
                std::mem::forget(fd); // open until the child ends
            }
            [syscall, flags, mode, path] => {
                let flags = i64::from_str_radix(flags, 8).unwrap();
                let mode = i64::from_str_radix(mode, 8).unwrap();
                let path = CString::new(unhex(path)).unwrap();
                let ret = open(syscall, &path, flags, mode);
                report(opened(ret, None));
                if ret >= 0 {
                    // SAFETY: a raw system call on a CString, a buffer or a descriptor this child owns.
                    unsafe { libc::close(ret as i32) };
                }
            }
            other => panic!("bad child script line {other:?}"),
        }
    }
}

/// The raw syscall; returns the fd or -errno, as the kernel does.
fn open(syscall: &str, path: &CString, flags: i64, mode: i64) -> i64 {
    // SAFETY: a raw system call on a CString, a buffer or a descriptor this child owns.
    let ret = unsafe {
        match syscall {
            "open" => libc::syscall(libc::SYS_open, path.as_ptr(), flags, mode),
            "openat" => libc::syscall(libc::SYS_openat, libc::AT_FDCWD, path.as_ptr(), flags, mode),
            "creat" => libc::syscall(libc::SYS_creat, path.as_ptr(), mode),
            "openat2" => {
                // struct open_how { u64 flags, mode, resolve; } (libc's is non-exhaustive)
                let how: [u64; 3] = [flags as u64, mode as u64, 0];
                libc::syscall(libc::SYS_openat2, libc::AT_FDCWD, path.as_ptr(), how.as_ptr(), std::mem::size_of_val(&how))
            }
            other => panic!("unknown open syscall {other}"),
        }
    };
    if ret < 0 {
        -i64::from(nix::errno::Errno::last_raw())
    } else {
        ret
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// A script line: `command` and its paths, hex-encoded.
pub fn path_line(command: &str, paths: &[&Path]) -> String {
    paths.iter().fold(command.to_owned(), |line, p| format!("{line} {}", hex(p.as_os_str().as_bytes())))
}

/// A script line that opens `path` with `syscall`.
pub fn open_line(syscall: &str, flags: i32, mode: u32, path: &Path) -> String {
    format!("{syscall} {flags:o} {mode:o} {}", hex(path.as_os_str().as_bytes()))
}

/// A script line that execs `path` (with `call`: exec or execveat) with this argv.
/// A copy of the file at `path` with no name on any filesystem (a memfd, or a file
/// unlinked once written), exec'd through its descriptor with `argv`: returns the
/// negative errno when the exec fails.
fn exec_fd(how: &str, path: &[u8], args: &[CString]) -> i64 {
    use std::fs::OpenOptions;
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::os::unix::fs::OpenOptionsExt;
    let bytes = std::fs::read(std::ffi::OsStr::from_bytes(path)).unwrap();
    let name = format!("sn-unlinked-{}", std::process::id());
    let writable: OwnedFd = match how {
        "memfd" => nix::sys::memfd::memfd_create(c"sn-fileless", nix::sys::memfd::MFdFlags::empty()).unwrap(),
        _ => OpenOptions::new().write(true).create_new(true).mode(0o755).open(&name).unwrap().into(),
    };
    nix::unistd::write(&writable, &bytes).unwrap();
    // Exec refuses a file open for writing (ETXTBSY): reopened read-only, the writer closed.
    let file = std::fs::File::open(format!("/proc/self/fd/{}", writable.as_raw_fd())).unwrap();
    drop(writable);
    if how == "unlinked" {
        std::fs::remove_file(&name).unwrap();
    }
    let mut argv: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    let envp = [std::ptr::null::<libc::c_char>()];
    // SAFETY: execveat of a descriptor this child owns, with NULL-terminated argv and envp.
    unsafe { libc::syscall(libc::SYS_execveat, file.as_raw_fd(), c"".as_ptr(), argv.as_ptr(), envp.as_ptr(), libc::AT_EMPTY_PATH) };
    -i64::from(nix::errno::Errno::last_raw())
}

pub fn exec_line(call: &str, path: &Path, argv: &[&[u8]]) -> String {
    let mut line = format!("{call} x{}", hex(path.as_os_str().as_bytes()));
    for arg in argv {
        line += &format!(" x{}", hex(arg));
    }
    line
}

pub fn repeat_line(n: u32, path: &Path) -> String {
    format!("repeat {n} {}", hex(path.as_os_str().as_bytes()))
}

/// What the child reported about one open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub pid: u32,
    pub tid: u32,
    pub ret: i64,
    /// connect: the socket's fd and local port, when it connected.
    pub fd: i64,
    pub sport: u64,
    /// connect-nb: the socket's error once the outcome came (0: connected), -1 if none came.
    pub error: i64,
    /// What readlink(/proc/self/fd/N) gave the child right after the open.
    pub link: Option<String>,
    /// priv-calls: the id of the BPF program it loaded.
    pub id: u64,
}

/// `sysnoop ... -- CMD` for a child running `script`: CMD, and the environment variable
/// (name, value) that must reach it.
pub fn command_line(script: &[String]) -> (Vec<String>, (&'static str, String)) {
    let exe = std::env::current_exe().unwrap().into_os_string().into_string().unwrap();
    let args = [exe.as_str(), "--exact", "child::child_process", "--nocapture", "--test-threads=1", "-q"];
    (args.iter().map(|a| a.to_string()).collect(), (ENV, script.join("\n")))
}

fn command(script: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child::child_process", "--nocapture", "--test-threads=1", "-q"]).env(ENV, script).stdout(Stdio::piped()).stderr(Stdio::inherit());
    cmd
}

/// `sysnoop ARGS -o file:... -- CHILD` running `script`: the records, and the child's reports.
pub fn traced(args: &[&str], script: &[String]) -> (Vec<serde_json::Value>, Vec<Opened>, String) {
    let (cmd, env) = command_line(script);
    let cmd: Vec<&str> = cmd.iter().map(String::as_str).collect();
    traced_command(args, &cmd, &[env])
}

/// `sysnoop ARGS -o file:... -- CMD` with `env` added: the records, and what CMD
/// reported as a child does (on its stdout).
pub fn traced_command(args: &[&str], cmd: &[&str], env: &[(&str, String)]) -> (Vec<serde_json::Value>, Vec<Opened>, String) {
    let dir = crate::util::TestDir::new("traced");
    let records = dir.path("records.ndjson");
    let output = Command::new(crate::util::SYSNOOP)
        .args(args)
        .arg("-o")
        .arg(format!("file:{}", records.display()))
        .arg("--")
        .args(cmd)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    (crate::util::parse_ndjson(&std::fs::read(&records).unwrap(), &stderr), reports(&output.stdout), stderr)
}

/// The reports of a child whose stdout was `stdout` (e.g. run as `sysnoop ... -- CMD`).
pub fn reports(stdout: &[u8]) -> Vec<Opened> {
    opened(&parse_reports(stdout))
}

fn parse_reports(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout).lines().filter_map(|l| l.strip_prefix("CHILD ")).map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Runs a script to the end; returns the child's pid and what each open returned.
pub fn run(script: &[String]) -> (u32, Vec<Opened>) {
    let (pid, status, opened) = run_to_end(script);
    assert!(status.success(), "child failed: {status}");
    (pid, opened)
}

/// Runs a script to the end, whatever its exit status.
pub fn run_to_end(script: &[String]) -> (u32, std::process::ExitStatus, Vec<Opened>) {
    let child = command(&script.join("\n")).stdin(Stdio::null()).spawn().unwrap();
    let pid = child.id();
    let output = child.wait_with_output().unwrap();
    (pid, output.status, opened(&parse_reports(&output.stdout)))
}

fn opened(reports: &[serde_json::Value]) -> Vec<Opened> {
    reports
        .iter()
        .filter(|r| r.get("ready").is_none())
        .map(|r| Opened {
            pid: r["pid"].as_u64().unwrap() as u32,
            tid: r["tid"].as_u64().unwrap() as u32,
            ret: r["ret"].as_i64().unwrap(),
            fd: r["fd"].as_i64().unwrap_or(-1),
            sport: r["sport"].as_u64().unwrap_or(0),
            error: r["error"].as_i64().unwrap_or(-1),
            link: r["link"].as_str().map(str::to_owned),
            id: r["id"].as_u64().unwrap_or(0),
        })
        .collect()
}

/// A child that has started and is waiting (script line `wait`) for `go()`, so a
/// tracer can be pointed at its pid or tid first.
pub struct Waiting {
    child: Child,
    stdin: ChildStdin,
    reader: std::io::BufReader<std::process::ChildStdout>,
    pub pid: u32,
    pub tid: u32,
}

impl Waiting {
    #[allow(clippy::zombie_processes)] // kept in the Waiting, which reaps it
    pub fn spawn(script: &[String]) -> Waiting {
        let mut child = command(&script.join("\n")).stdin(Stdio::piped()).spawn().unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        loop {
            line.clear();
            assert!(reader.read_line(&mut line).unwrap() > 0, "child ended before `wait`");
            if let Some(report) = line.trim().strip_prefix("CHILD ") {
                let v: serde_json::Value = serde_json::from_str(report).unwrap();
                let pid = v["pid"].as_u64().unwrap() as u32;
                let tid = v["tid"].as_u64().unwrap() as u32;
                return Waiting { child, stdin, reader, pid, tid };
            }
        }
    }

    /// Sends the child a signal and waits for it to end.
    pub fn kill(self, signal: nix::sys::signal::Signal) -> std::process::ExitStatus {
        self.signal(signal);
        self.reap()
    }

    /// Sends the child a signal.
    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.pid as i32), signal).unwrap();
    }

    /// Waits for the child to end, whatever its status.
    pub fn reap(mut self) -> std::process::ExitStatus {
        drop(self.stdin);
        self.child.wait().unwrap()
    }

    /// Lets the child go on to its next `wait`.
    pub fn step(&mut self) {
        self.stdin.write_all(b"go\n").unwrap();
        let mut line = String::new();
        loop {
            line.clear();
            assert!(self.reader.read_line(&mut line).unwrap() > 0, "child ended before its next `wait`");
            if line.contains(r#""ready":true"#) {
                return;
            }
        }
    }

    /// Lets the child go on and waits for it to end.
    pub fn go(self) -> Vec<Opened> {
        let (status, opened) = self.go_to_end();
        assert!(status.success(), "child failed: {status}");
        opened
    }

    /// Lets the child go on and waits for it to end, whatever its exit status.
    pub fn go_to_end(mut self) -> (std::process::ExitStatus, Vec<Opened>) {
        self.stdin.write_all(b"go\n").unwrap();
        let mut rest = Vec::new();
        std::io::Read::read_to_end(&mut self.reader, &mut rest).unwrap();
        (self.child.wait().unwrap(), opened(&parse_reports(&rest)))
    }
}

/// connect-nb: a non-blocking TCP connect to `target` (SYN retries `syncnt`, 0 for the
/// default), then up to `wait_ms` for its outcome (None: keep the socket, connecting).
/// (ret, fd, local port, the socket's error once the outcome came or -1); the socket is
/// closed unless kept.
fn connect_nonblocking(target: std::net::SocketAddr, syncnt: i32, wait_ms: Option<i32>) -> (i64, i32, u16, i64) {
    use nix::sys::socket::{getsockname, AddressFamily, SockFlag, SockType, SockaddrStorage};
    use std::os::fd::{AsRawFd, IntoRawFd};
    let family = if target.is_ipv4() { AddressFamily::Inet } else { AddressFamily::Inet6 };
    let socket = nix::sys::socket::socket(family, SockType::Stream, SockFlag::SOCK_NONBLOCK, None).unwrap();
    let fd = socket.as_raw_fd();
    if syncnt > 0 {
        // SAFETY: setsockopt on a socket this child owns, with an int option value.
        let set = unsafe { libc::setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_SYNCNT, (&syncnt as *const i32).cast(), 4) };
        assert_eq!(set, 0);
    }
    let ret = match nix::sys::socket::connect(fd, &SockaddrStorage::from(target)) {
        Ok(()) => 0,
        Err(e) => -(e as i64),
    };
    let sport = getsockname::<SockaddrStorage>(fd)
        .ok()
        .and_then(|a| a.as_sockaddr_in().map(|a| a.port()).or_else(|| a.as_sockaddr_in6().map(|a| a.port())))
        .unwrap_or(0);
    let Some(wait_ms) = wait_ms else {
        let _ = socket.into_raw_fd(); // kept open, connecting, until the child exits
        return (ret, fd, sport, -1);
    };
    (ret, fd, sport, outcome_of(fd, wait_ms))
}

/// The error of a connecting socket once it has its outcome (0: connected), waiting up
/// to `wait_ms`; -1 when it has none by then.
fn outcome_of(fd: i32, wait_ms: i32) -> i64 {
    let mut poll = [libc::pollfd { fd, events: libc::POLLOUT, revents: 0 }];
    // SAFETY: poll on one pollfd this child owns.
    let ready = unsafe { libc::poll(poll.as_mut_ptr(), 1, wait_ms) };
    if ready != 1 {
        return -1;
    }
    // SAFETY: the fd is a socket this child holds open for the duration of the call.
    let socket = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    nix::sys::socket::getsockopt(&socket, nix::sys::socket::sockopt::SocketError).unwrap() as i64
}

/// serve: see the module's documentation. `report(ret, fd, port)`.
fn serve(kind: &str, target: &str, n: usize, report: impl Fn(i64, i32, u16)) {
    use nix::sys::socket::{
        accept, bind, connect, getsockname, listen, socket, AddressFamily, Backlog, SockFlag, SockType, SockaddrLike, SockaddrStorage, UnixAddr,
    };
    use std::os::fd::{AsRawFd, OwnedFd};
    let (family, addr): (AddressFamily, SockaddrStorage) = match kind {
        "tcp" => {
            let addr: std::net::SocketAddr = target.parse().unwrap();
            (if addr.is_ipv4() { AddressFamily::Inet } else { AddressFamily::Inet6 }, addr.into())
        }
        "unix" => {
            let unix = UnixAddr::new(Path::new(std::ffi::OsStr::from_bytes(&unhex(target)))).unwrap();
            // SAFETY: a sockaddr_un of unix.len() bytes, as UnixAddr holds it.
            (AddressFamily::Unix, unsafe { SockaddrStorage::from_raw(unix.as_ptr().cast(), Some(unix.len())) }.unwrap())
        }
        other => panic!("unknown serve kind {other}"),
    };
    let port_of = |fd: i32| -> u16 {
        let local = getsockname::<SockaddrStorage>(fd).unwrap();
        local.as_sockaddr_in().map(|a| a.port()).or_else(|| local.as_sockaddr_in6().map(|a| a.port())).unwrap_or(0)
    };
    let new_socket = || socket(family, SockType::Stream, SockFlag::empty(), None).unwrap();
    let listener = new_socket();
    bind(listener.as_raw_fd(), &addr).unwrap();
    listen(&listener, Backlog::new(7).unwrap()).unwrap();
    let port = port_of(listener.as_raw_fd());
    report(0, listener.as_raw_fd(), port);
    // Where clients connect: the port the kernel chose.
    let bound: SockaddrStorage = match kind {
        "tcp" => {
            let mut a: std::net::SocketAddr = target.parse().unwrap();
            a.set_port(port);
            a.into()
        }
        _ => addr,
    };
    let mut kept: Vec<OwnedFd> = Vec::new();
    for _ in 0..n {
        let client = new_socket();
        connect(client.as_raw_fd(), &bound).unwrap();
        let new = accept(listener.as_raw_fd()).unwrap();
        report(new.into(), client.as_raw_fd(), port_of(client.as_raw_fd()));
        // SAFETY: accept returned this descriptor; it is owned here from now on.
        kept.push(unsafe { std::os::fd::FromRawFd::from_raw_fd(new) });
        kept.push(client);
    }
    nix::fcntl::fcntl(&listener, nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK)).unwrap();
    let failed = nix::sys::socket::accept4(listener.as_raw_fd(), SockFlag::SOCK_CLOEXEC);
    report(failed.map_or_else(|e| -(e as i64), i64::from), listener.as_raw_fd(), port);
    let again = new_socket();
    report(bind(again.as_raw_fd(), &bound).map_or_else(|e| -(e as i64), |()| 0), again.as_raw_fd(), port);
}

/// file-calls: every call `sysnoop file` traces, by number, in the current directory;
/// a failing one after most (a missing file, an existing name, a bad descriptor).
/// The privilege calls of `priv-calls`, by their syscall numbers (the set*id ones: glibc
/// would repeat them in every thread). Returns the pid of the child that called
/// PTRACE_TRACEME, and the id of the BPF program it loaded.
fn priv_calls() -> (i32, u32) {
    use libc::{c_long, SYS_capset, SYS_ptrace, SYS_setfsgid, SYS_setfsuid, SYS_setgid, SYS_setgroups, SYS_setregid, SYS_setresgid, SYS_setresuid, SYS_setuid};
    // SAFETY: fork() in a single-threaded child process; raw system calls on memory this
    // function owns.
    unsafe {
        let call = |nr: c_long, args: [c_long; 4]| libc::syscall(nr, args[0], args[1], args[2], args[3]);
        // A tracee: attached, one word of it read, detached, then killed.
        static WORD: c_long = 0x0053_5953_4e4f_4f50; // read back from the tracee's copy
        let tracee = libc::fork();
        if tracee == 0 {
            loop {
                libc::pause();
            }
        }
        let mut peeked: c_long = 0;
        let mut status = 0;
        call(SYS_ptrace, [libc::PTRACE_ATTACH as c_long, tracee as c_long, 0, 0]);
        libc::waitpid(tracee, &mut status, 0);
        call(SYS_ptrace, [libc::PTRACE_PEEKDATA as c_long, tracee as c_long, &WORD as *const c_long as c_long, &mut peeked as *mut c_long as c_long]);
        call(SYS_ptrace, [libc::PTRACE_DETACH as c_long, tracee as c_long, 0, 0]);
        libc::kill(tracee, libc::SIGKILL);
        libc::waitpid(tracee, &mut status, 0);
        assert_eq!(peeked, WORD);
        // A peek at a process that is not a tracee: ESRCH.
        call(SYS_ptrace, [libc::PTRACE_PEEKDATA as c_long, 1, 0, 0]);
        // A child that asks to be traced by this process, then exits.
        let traceme = libc::fork();
        if traceme == 0 {
            libc::syscall(SYS_ptrace, libc::PTRACE_TRACEME, 0, 0, 0);
            libc::_exit(0);
        }
        libc::waitpid(traceme, &mut status, 0);
        // A BPF socket filter "sn_test" (`r0 = 0; exit`), then one of no instructions (E2BIG).
        let (prog_fd, prog_id) = load_socket_filter(2);
        load_socket_filter(0);
        libc::close(prog_fd);
        // Root gives itself up: groups, gids, then capabilities, then uids.
        let groups: [libc::gid_t; 2] = [200, 100];
        call(SYS_setgroups, [2, groups.as_ptr() as c_long, 0, 0]);
        call(SYS_setresgid, [1000, 1000, -1, 0]);
        call(SYS_setregid, [-1, 1001, 0, 0]);
        call(SYS_setfsgid, [2000, 0, 0, 0]);
        call(SYS_setfsuid, [1000, 0, 0, 0]);
        let keep = (1u32 << 7) | (1u32 << 6); // CAP_SETUID, CAP_SETGID
        let header = [0x2008_0522u32, 0]; // _LINUX_CAPABILITY_VERSION_3, this process
        let data = [keep, keep, 0, 0, 0, 0]; // effective, permitted, inheritable; low then high words
        call(SYS_capset, [header.as_ptr() as c_long, data.as_ptr() as c_long, 0, 0]);
        call(SYS_setresuid, [1000, 1000, 1000, 0]);
        // No way back: EPERM, and setfsuid(0) leaves fsuid at 1000.
        call(SYS_setuid, [0, 0, 0, 0]);
        call(SYS_setgid, [0, 0, 0, 0]);
        call(SYS_setfsuid, [0, 0, 0, 0]);
        (traceme, prog_id)
    }
}

/// The mount calls of `mount-calls`, by their syscall numbers.
fn mount_calls() {
    use libc::{c_long, SYS_fsconfig, SYS_fsmount, SYS_fsopen, SYS_mount, SYS_move_mount, SYS_pivot_root, SYS_umount2};
    let s = |text: &str| CString::new(text).unwrap();
    let (none, root, tmpfs, a, size, missing, empty, old, new_old) =
        (s("none"), s("/"), s("tmpfs"), s("a"), s("size=1m"), s("missing"), s(""), s("a/old"), s("/old"));
    let p = |c: &CString| c.as_ptr() as c_long;
    nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS).unwrap();
    // SAFETY: raw system calls on NUL-terminated strings this function owns, and on
    // descriptors it opened.
    unsafe {
        let call = |nr: c_long, args: [c_long; 5]| libc::syscall(nr, args[0], args[1], args[2], args[3], args[4]);
        let ok = |what: &str, ret: c_long| assert!(ret >= 0, "{what}: {}", std::io::Error::last_os_error());
        ok("mount /", call(SYS_mount, [p(&none), p(&root), 0, (libc::MS_REC | libc::MS_PRIVATE) as c_long, 0]));
        ok("mount a", call(SYS_mount, [p(&tmpfs), p(&a), p(&tmpfs), libc::MS_NOSUID as c_long, p(&size)]));
        ok("umount2 a", call(SYS_umount2, [p(&a), libc::MNT_DETACH as c_long, 0, 0, 0]));
        call(SYS_umount2, [p(&missing), 0, 0, 0, 0]); // ENOENT
        let fs = call(SYS_fsopen, [p(&tmpfs), 0, 0, 0, 0]);
        ok("fsopen", fs);
        ok("fsconfig", call(SYS_fsconfig, [fs, 6, 0, 0, 0])); // FSCONFIG_CMD_CREATE
        let mnt = call(SYS_fsmount, [fs, 1, 4, 0, 0]); // FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV
        ok("fsmount", mnt);
        ok("move_mount", call(SYS_move_mount, [mnt, p(&empty), libc::AT_FDCWD as c_long, p(&a), 4])); // MOVE_MOUNT_F_EMPTY_PATH
        ok("mkdir a/old", libc::mkdir(old.as_ptr(), 0o755) as c_long);
        ok("pivot_root", call(SYS_pivot_root, [p(&a), p(&old), 0, 0, 0]));
        ok("umount2 /old", call(SYS_umount2, [p(&new_old), libc::MNT_DETACH as c_long, 0, 0, 0]));
        libc::close(mnt as i32);
        libc::close(fs as i32);
    }
}

/// bpf(BPF_PROG_LOAD) of a socket filter named "sn_test" of `insns` instructions (2:
/// `r0 = 0; exit`; 0 is refused: E2BIG): its fd (or -1) and the id the kernel gave it.
fn load_socket_filter(insns: u32) -> (i32, u32) {
    use libc::c_long;
    let code: [u64; 2] = [0xb7, 0x95]; // BPF_ALU64|BPF_MOV|BPF_K r0 = 0; BPF_JMP|BPF_EXIT
    let license = b"GPL\0";
    // union bpf_attr's BPF_PROG_LOAD part: prog_type, insn_cnt, insns, license, ..., prog_name at 48.
    let mut attr = [0u8; 128];
    attr[0..4].copy_from_slice(&1u32.to_ne_bytes()); // BPF_PROG_TYPE_SOCKET_FILTER
    attr[4..8].copy_from_slice(&insns.to_ne_bytes());
    attr[8..16].copy_from_slice(&(code.as_ptr() as u64).to_ne_bytes());
    attr[16..24].copy_from_slice(&(license.as_ptr() as u64).to_ne_bytes());
    attr[48..55].copy_from_slice(b"sn_test");
    // SAFETY: bpf() reads the attributes and the memory they point to, all of it ours.
    let fd = unsafe { libc::syscall(libc::SYS_bpf, 5 as c_long, attr.as_ptr() as c_long, attr.len() as c_long) } as i32;
    if fd < 0 {
        return (-1, 0);
    }
    // BPF_OBJ_GET_INFO_BY_FD: struct bpf_prog_info has the id at 4.
    let mut info = [0u8; 64];
    let mut get = [0u8; 16];
    get[0..4].copy_from_slice(&(fd as u32).to_ne_bytes());
    get[4..8].copy_from_slice(&(info.len() as u32).to_ne_bytes());
    get[8..16].copy_from_slice(&(info.as_mut_ptr() as u64).to_ne_bytes());
    // SAFETY: the kernel writes at most info_len bytes into `info`.
    let ret = unsafe { libc::syscall(libc::SYS_bpf, 15 as c_long, get.as_ptr() as c_long, get.len() as c_long) };
    assert_eq!(ret, 0, "BPF_OBJ_GET_INFO_BY_FD");
    (fd, u32::from_ne_bytes(info[4..8].try_into().unwrap()))
}

fn file_calls() {
    use libc::{c_long, SYS_chmod, SYS_chown, SYS_fchmod, SYS_fchown, SYS_fchownat, SYS_lchown, SYS_link, SYS_linkat, SYS_mkdir, SYS_mkdirat, SYS_mknod};
    use libc::{
        SYS_mknodat, SYS_rename, SYS_renameat, SYS_renameat2, SYS_rmdir, SYS_symlink, SYS_symlinkat, SYS_truncate, SYS_unlink, SYS_unlinkat, SYS_utimensat,
    };
    let s = |text: &str| CString::new(text).unwrap();
    let (a, b, c, dir, sub, missing, fifo, link, new) = (s("a"), s("b"), s("c"), s("dir"), s("dir/sub"), s("missing"), s("fifo"), s("link"), s("new"));
    let p = |c: &CString| c.as_ptr() as c_long;
    const AT_FDCWD: c_long = libc::AT_FDCWD as c_long;
    // SAFETY: raw system calls on NUL-terminated strings this function owns, and on
    // descriptors it opened (or -1).
    unsafe {
        let call = |nr: c_long, args: [c_long; 5]| libc::syscall(nr, args[0], args[1], args[2], args[3], args[4]);
        let fd = libc::open(p(&a) as *const libc::c_char, libc::O_CREAT | libc::O_WRONLY, 0o644);
        call(SYS_mkdir, [p(&dir), 0o755, 0, 0, 0]);
        call(SYS_mkdir, [p(&dir), 0o755, 0, 0, 0]); // EEXIST
        call(SYS_mkdirat, [AT_FDCWD, p(&sub), 0o700, 0, 0]);
        call(SYS_mknod, [p(&fifo), (libc::S_IFIFO | 0o600) as c_long, 0, 0, 0]);
        call(SYS_mknodat, [AT_FDCWD, p(&fifo), (libc::S_IFIFO | 0o600) as c_long, 0, 0]); // EEXIST
        call(SYS_chmod, [p(&a), 0o600, 0, 0, 0]);
        call(SYS_chmod, [p(&missing), 0o600, 0, 0, 0]); // ENOENT
        call(SYS_fchmod, [fd as c_long, 0o640, 0, 0, 0]);
        call(SYS_fchmod, [-1, 0o640, 0, 0, 0]); // EBADF
        call(SYS_chown, [p(&a), 65534, 65534, 0, 0]);
        call(SYS_fchown, [fd as c_long, -1, 65534, 0, 0]);
        call(SYS_lchown, [p(&missing), 0, 0, 0, 0]); // ENOENT
        call(SYS_fchownat, [AT_FDCWD, p(&a), 0, -1, libc::AT_SYMLINK_NOFOLLOW as c_long]);
        call(SYS_truncate, [p(&a), 100, 0, 0, 0]);
        call(SYS_truncate, [p(&missing), 100, 0, 0, 0]); // ENOENT
        libc::ftruncate(fd, 10);
        call(SYS_utimensat, [fd as c_long, 0, 0, 0, 0]);
        call(SYS_utimensat, [AT_FDCWD, p(&a), 0, libc::AT_SYMLINK_NOFOLLOW as c_long, 0]);
        call(SYS_link, [p(&a), p(&b), 0, 0, 0]);
        call(SYS_link, [p(&a), p(&b), 0, 0, 0]); // EEXIST
        call(SYS_linkat, [AT_FDCWD, p(&b), AT_FDCWD, p(&c), 0]);
        call(SYS_symlink, [p(&a), p(&link), 0, 0, 0]);
        call(SYS_symlinkat, [p(&missing), AT_FDCWD, p(&link), 0, 0]); // EEXIST
        call(SYS_rename, [p(&c), p(&new), 0, 0, 0]);
        call(SYS_rename, [p(&missing), p(&new), 0, 0, 0]); // ENOENT
        call(SYS_renameat, [AT_FDCWD, p(&new), AT_FDCWD, p(&c), 0]);
        call(SYS_renameat2, [AT_FDCWD, p(&a), AT_FDCWD, p(&c), libc::RENAME_EXCHANGE as c_long]);
        call(SYS_renameat2, [AT_FDCWD, p(&a), AT_FDCWD, p(&c), libc::RENAME_NOREPLACE as c_long]); // EEXIST
        call(SYS_unlink, [p(&b), 0, 0, 0, 0]);
        call(SYS_unlink, [p(&missing), 0, 0, 0, 0]); // ENOENT
        call(SYS_unlinkat, [AT_FDCWD, p(&link), 0, 0, 0]);
        call(SYS_unlinkat, [AT_FDCWD, p(&sub), libc::AT_REMOVEDIR as c_long, 0, 0]);
        call(SYS_rmdir, [p(&dir), 0, 0, 0, 0]);
        call(SYS_rmdir, [p(&dir), 0, 0, 0, 0]); // ENOENT
        libc::close(fd);
    }
}
