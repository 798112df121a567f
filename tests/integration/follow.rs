//! `sysnoop KIND -- CMD` and `--follow PID`: only the job and everything it starts is
//! traced, the run ends with its last task, and sysnoop exits with CMD's status.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::child::{command_line, hex};
use crate::records::FollowCounts;
use crate::util::{parse_ndjson, require_bpf, TestDir, SYSNOOP};

/// What a `sysnoop ... -o file:F -- CMD` run left: its exit status, its records (from
/// the file, each checked as every test checks them) and its stderr.
struct Run {
    status: std::process::ExitStatus,
    records: Vec<Value>,
    stderr: String,
}

impl Run {
    fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.records.iter().filter(move |r| r["kind"] == kind)
    }

    fn opens_of(&self, path: &Path) -> Vec<&Value> {
        self.of_kind("open").filter(|r| r["path"] == path.to_str().unwrap()).collect()
    }

    fn summary(&self) -> &Value {
        let last = self.records.last().unwrap_or_else(|| panic!("no records; stderr:\n{}", self.stderr));
        assert_eq!(last["kind"], "summary", "{last}");
        last
    }

    fn follow(&self) -> FollowCounts {
        serde_json::from_value(self.summary()["follow"].clone()).unwrap()
    }
}

/// Runs `sysnoop ARGS -o file:... -- CMD` (with `env` for CMD) to its end, with a 60 s
/// limit. CMD's own stdout and stderr go to the test's.
fn run(dir: &TestDir, args: &[&str], cmd: &[String], env: &[(&str, String)]) -> Run {
    let out = dir.path("records.ndjson");
    let _ = std::fs::remove_file(&out);
    let mut command = Command::new(SYSNOOP);
    command.args(args).arg("-o").arg(format!("file:{}", out.display())).arg("--").args(cmd);
    command.envs(env.iter().map(|(k, v)| (k, v))).stdin(Stdio::null()).stderr(Stdio::piped());
    let child = command.spawn().unwrap();
    let pid = child.id();
    let killer = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if !Path::new(&format!("/proc/{pid}")).exists() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), nix::sys::signal::Signal::SIGKILL);
    });
    let output = child.wait_with_output().unwrap();
    let _ = killer.join();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let bytes = std::fs::read(&out).unwrap_or_default();
    Run { status: output.status, records: parse_ndjson(&bytes, &stderr), stderr }
}

/// A script that forks, execs, runs a thread, double-forks a daemon that outlives it,
/// and exits with 3: every task's events are there, nobody else's, and sysnoop ends
/// with the daemon and exits with 3.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_command_and_everything_it_starts_and_nothing_else() {
    require_bpf();
    let dir = TestDir::new("follow-job");
    let [parent, sub, thread, daemon, noise] = ["parent", "sub", "thread", "daemon", "noise"].map(|n| dir.file(n));
    let (child, (var, _)) = command_line(&[]);
    let script = format!(
        "cat {parent} >/dev/null\n\
         ( exec cat {sub} >/dev/null )\n\
         {child}\n\
         ( ( sleep 0.5; cat {daemon} >/dev/null ) & )\n\
         exit 3\n",
        parent = parent.display(),
        sub = sub.display(),
        daemon = daemon.display(),
        child = child.join(" "),
    );
    // Noise from outside the job, all through the run.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let noisy = {
        let (stop, noise) = (stop.clone(), noise.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = Command::new("cat").arg(&noise).stdout(Stdio::null()).status();
            }
        })
    };
    let thread_line = format!("thread-open {}", hex(thread.as_os_str().as_encoded_bytes()));
    let run = run(&dir, &["all"], &["sh".into(), "-c".into(), script], &[(var, thread_line)]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    noisy.join().unwrap();

    assert_eq!(run.status.code(), Some(3), "sysnoop exits with CMD's status; stderr:\n{}", run.stderr);
    assert!(run.stderr.contains("and its descendants"), "{}", run.stderr);
    let start = &run.records[0];
    assert_eq!(start["filters"]["command"][0], "sh", "{start}");
    for path in [&parent, &sub, &thread, &daemon] {
        let opens = run.opens_of(path);
        assert_eq!(opens.len(), 1, "{}: {opens:?}", path.display());
        assert_eq!(opens[0]["ret"].as_i64().map(|fd| fd >= 0), Some(true), "{}", opens[0]);
    }
    assert!(run.opens_of(&noise).is_empty(), "an open from outside the job was traced");
    let thread_open = run.opens_of(&thread)[0];
    assert_ne!(thread_open["tid"], thread_open["pid"], "the open from a thread: {thread_open}");

    // Every task of the job exits within the run, each with one exit record: the job's
    // processes. Every record is of one of them, and each one's parent is in the job
    // (or sysnoop, for CMD), but the daemon's: its parent exited, so it was reparented.
    let exits: BTreeMap<u64, &Value> = run.of_kind("exit").map(|r| (r["pid"].as_u64().unwrap(), r)).collect();
    assert_eq!(exits.len(), run.of_kind("exit").count(), "one exit record per process");
    let tasks: Vec<&Value> = run.records.iter().filter(|r| r.get("pid").is_some()).collect();
    for r in &tasks {
        assert!(exits.contains_key(&r["pid"].as_u64().unwrap()), "a record of a process that is not in the job: {r}");
    }
    let sysnoop = BTreeSet::from([run.of_kind("exec").next().unwrap()["ppid"].as_u64().unwrap()]);
    let orphans: Vec<&&Value> =
        exits.values().filter(|r| !exits.contains_key(&r["ppid"].as_u64().unwrap()) && !sysnoop.contains(&r["ppid"].as_u64().unwrap())).collect();
    assert_eq!(orphans.len(), 1, "only the daemon lost its parent: {orphans:?}");
    let execs: BTreeSet<&str> = run.of_kind("exec").map(|r| r["comm"].as_str().unwrap()).collect();
    assert!(execs.is_superset(&BTreeSet::from(["sh", "cat", "sleep"])), "{execs:?}");
    // CMD's exec is its first record, and its exit code the run's.
    assert_eq!(run.records[1]["kind"], "exec", "{}", run.records[1]);
    let cmd_pid = run.records[1]["pid"].as_u64().unwrap();
    assert_eq!(exits[&cmd_pid]["exit_code"], 3);
    let follow = run.follow();
    assert_eq!(follow.untracked, 0);
    assert!(follow.tasks as usize >= exits.len(), "{follow:?} for {} processes", exits.len());
    for (kind, counts) in run.summary()["counts"].as_object().unwrap() {
        assert_eq!((kind.as_str(), &counts["lost"], &counts["pairing_misses"]), (kind.as_str(), &Value::from(0), &Value::from(0)), "{counts}");
    }
}

/// A command that cannot be run: 127, as from a shell, with the reason; one that the
/// kernel refuses to execute: 127 too, with its failed exec traced.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_command_that_cannot_run_exits_127() {
    require_bpf();
    let dir = TestDir::new("follow-127");
    let missing = run(&dir, &["exec"], &["no-such-command-anywhere".into()], &[]);
    assert_eq!(missing.status.code(), Some(127), "{}", missing.stderr);
    assert!(missing.stderr.contains("cannot run `no-such-command-anywhere`: command not found"), "{}", missing.stderr);
    assert!(missing.records.is_empty(), "nothing is traced: {:?}", missing.records);

    let empty = dir.executable("empty", b"");
    let refused = run(&dir, &["exec"], &[empty.display().to_string()], &[]);
    assert_eq!(refused.status.code(), Some(127), "{}", refused.stderr);
    let execs: Vec<&Value> = refused.of_kind("exec").collect();
    assert_eq!(execs.len(), 1, "{execs:?}");
    assert_eq!((&execs[0]["filename"], &execs[0]["errno"]), (&Value::from(empty.to_str().unwrap()), &Value::from("ENOEXEC")), "{}", execs[0]);
}

/// A run that stops first (--duration) ends CMD with SIGTERM and exits with 128+15.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_run_that_stops_first_ends_the_command() {
    require_bpf();
    let dir = TestDir::new("follow-duration");
    let started = Instant::now();
    let run = run(&dir, &["exit", "-d", "500ms"], &["sleep".into(), "30".into()], &[]);
    assert_eq!(run.status.code(), Some(128 + 15), "{}", run.stderr);
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    let exits: Vec<&Value> = run.of_kind("exit").collect();
    assert!(exits.len() <= 1, "{exits:?}");
}

/// --user runs CMD as that user, with its groups; sysnoop keeps tracing as root.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn user_runs_the_command_as_that_user() {
    require_bpf();
    let dir = TestDir::new("follow-user");
    let nobody = nix::unistd::User::from_name("nobody").unwrap().expect("a nobody user");
    let run = run(&dir, &["exec", "--user", "nobody"], &["id".into(), "-u".into()], &[]);
    assert!(run.status.success(), "{}", run.stderr);
    let execs: Vec<&Value> = run.of_kind("exec").collect();
    assert_eq!(execs.len(), 1, "{execs:?}");
    assert_eq!((&execs[0]["comm"], &execs[0]["uid"]), (&Value::from("id"), &Value::from(nobody.uid.as_raw())), "{}", execs[0]);
}

/// A full set (--max-tasks) counts every new task it cannot take as untracked, and
/// traces nothing of theirs: 5 children forked at once by a process of 2 tasks (the
/// test harness runs the script on a thread of its own), with room for 4.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_full_set_counts_untracked_tasks() {
    require_bpf();
    let dir = TestDir::new("follow-full");
    let files = dir.path("files");
    std::fs::create_dir(&files).unwrap();
    for i in 0..5 {
        std::fs::write(files.join(i.to_string()), "").unwrap();
    }
    let (cmd, (var, _)) = command_line(&[]);
    let script = format!("forks 5 {}", hex(files.as_os_str().as_encoded_bytes()));
    let run = run(&dir, &["open", "--max-tasks", "4"], &cmd, &[(var, script)]);
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.follow(), FollowCounts { tasks: 4, untracked: 3 });
    let traced: Vec<String> = (0..5).filter(|i| !run.opens_of(&files.join(i.to_string())).is_empty()).map(|i| i.to_string()).collect();
    assert_eq!(traced, ["0", "1"], "the first two children fit");
}

/// --follow of a running shell: the child it already has and the ones it starts later
/// are traced; sysnoop ends when they have all exited, with status 0.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn follow_a_running_parent() {
    require_bpf();
    let dir = TestDir::new("follow-pid");
    let fifo = dir.path("fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let [a, c] = ["a", "c"].map(|n| dir.file(n));
    // The parent starts a child that waits on the FIFO, then waits on its stdin.
    let script =
        format!("sh -c 'read y; cat {c} >/dev/null' < {fifo} & read x; cat {a} >/dev/null; wait", c = c.display(), fifo = fifo.display(), a = a.display());
    let mut parent = Command::new("sh").args(["-c", &script]).stdin(Stdio::piped()).spawn().unwrap();
    let mut writer = std::fs::OpenOptions::new().read(true).write(true).custom_flags(0).open(&fifo).unwrap();
    // The child is reading the FIFO once its read(0, ...) shows in /proc.
    let reading = |pid: u32| std::fs::read_to_string(format!("/proc/{pid}/syscall")).is_ok_and(|s| s.starts_with("0 0x0 "));
    let child_pid = wait_until(|| {
        let children = std::fs::read_to_string(format!("/proc/{}/task/{}/children", parent.id(), parent.id())).ok()?;
        children.split_whitespace().filter_map(|p| p.parse::<u32>().ok()).find(|&p| reading(p))
    });
    wait_until(|| reading(parent.id()).then_some(()));

    let out = dir.path("records.ndjson");
    let trace = crate::util::Trace::start(&["open", "--follow", &parent.id().to_string(), "-o", &format!("file:{}", out.display())]);
    writer.write_all(b"go\n").unwrap();
    parent.stdin.as_mut().unwrap().write_all(b"go\n").unwrap();
    assert!(parent.wait().unwrap().success());
    let status = trace.wait().status;
    assert!(status.success(), "{status}");
    let records = parse_ndjson(&std::fs::read(&out).unwrap(), "");
    let run = Run { status, records, stderr: String::new() };
    for path in [&a, &c] {
        assert_eq!(run.opens_of(path).len(), 1, "{}: {:?}", path.display(), run.records);
    }
    // The parent, the child it had, and the children of either.
    let job = [u64::from(parent.id()), u64::from(child_pid)];
    for r in run.of_kind("open") {
        assert!(job.contains(&r["pid"].as_u64().unwrap()) || job.contains(&r["ppid"].as_u64().unwrap()), "not of the job: {r}");
    }
    assert_eq!(run.records[0]["filters"]["follow"], parent.id());
}

/// Polls `f` until it gives a value (10 s at most).
fn wait_until<T>(f: impl Fn() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(10));
    }
}
