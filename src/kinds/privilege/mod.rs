//! `sysnoop priv`: the calls that change privilege, from bpf/privilege.bpf.c. `cred`
//! records: set*id, setgroups and capset, with the task's credentials before and after
//! each call; `ptrace` records: every ptrace(2) call, with its target; `bpf_prog`
//! records: BPF program loads; `mount` records: mount, umount2, move_mount, fsmount and
//! pivot_root; `module` records (module.rs): kernel module loads and unloads.

mod module;

pub(crate) use module::ModuleEvent;

use std::borrow::Cow;
use std::fmt::{Display, Write as _};
use std::mem::{offset_of, size_of};

use anyhow::{bail, Context, Result};
use libbpf_rs::MapHandle;
use serde::Serialize;

use crate::abi::sysnoop_kind;
use crate::bpf::privilege::types::{bpf_prog_event, cred_event, mount_event, priv_abi, priv_caps, priv_cred_syscall, priv_ids, priv_mount_syscall, priv_slot, ptrace_event};
use crate::bpf::privilege::PrivilegeBpfSkel;
use crate::columns::{escape, time_of_day, Header};
use crate::decode::{self, Malformed};
use crate::event::{push_task_line, Decoder, Record, RecordContext, Task};
use crate::identity::ExecId;
use crate::kinds::{InAll, Kind, Tracer};
use crate::loader::{attach_exits, counted, number_call, Hooks, Loaded, Object, Shared, Source};
use crate::ocsf::{Actor, Class, File, Ocsf, Process, User};
use crate::path::{self, dirfd, shown, Dirfd, FullPath};
use crate::schema::Field;
use crate::{errno, plain_abi, text};

/// Trace the calls that change privilege on the whole host, failed ones included:
/// setuid, setgid, setreuid, setregid, setresuid, setresgid, setfsuid, setfsgid,
/// setgroups and capset (`cred` records: the ids, capabilities and groups before and
/// after), ptrace (`ptrace` records: the request and its target), BPF program loads
/// (`bpf_prog` records: the program as the kernel holds it; sysnoop's own are not
/// reported), and mount, umount2, move_mount, fsmount and pivot_root (`mount` records:
/// the mount point in full, the source, type and options, the mount namespace), and
/// init_module, finit_module and delete_module (`module` records: the module's name,
/// finit_module's file; kernels without module support have none). -x keeps the failed
/// calls (setfsuid and setfsgid: those that left the id unchanged).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Privilege options")]
pub(crate) struct PrivOptions {}

pub(crate) struct Privilege;

/// Each credential call: its syscall (and tracepoint) name, and its number in `enum
/// priv_cred_syscall`.
const CRED_CALLS: [(&str, priv_cred_syscall); priv_cred_syscall::CRED_SYSCALL_NR.0 as usize] = [
    ("setuid", priv_cred_syscall::CRED_SETUID),
    ("setgid", priv_cred_syscall::CRED_SETGID),
    ("setreuid", priv_cred_syscall::CRED_SETREUID),
    ("setregid", priv_cred_syscall::CRED_SETREGID),
    ("setresuid", priv_cred_syscall::CRED_SETRESUID),
    ("setresgid", priv_cred_syscall::CRED_SETRESGID),
    ("setfsuid", priv_cred_syscall::CRED_SETFSUID),
    ("setfsgid", priv_cred_syscall::CRED_SETFSGID),
    ("setgroups", priv_cred_syscall::CRED_SETGROUPS),
    ("capset", priv_cred_syscall::CRED_CAPSET),
];

impl Tracer for Privilege {
    const NAME: &'static str = "priv";
    const IN_ALL: InAll = InAll::Required;
    type Options = PrivOptions;

    fn load(shared: &Shared, _options: &PrivOptions) -> Result<Loaded> {
        let mut open = shared.open::<PrivilegeBpfSkel>()?;
        let mut hooks = Hooks::new(Self::NAME, Vec::new()).on::<PrivilegeBpfSkel>();
        let mut slots = Vec::new();
        for mut program in <PrivilegeBpfSkel as Object>::object_mut(&mut open).progs_mut() {
            let program_name: String = program.name().to_string_lossy().into_owned();
            if program_name == "tracepoint__module__module_load" {
                // It names the module a load made; without it (no module support) a
                // load's record has no name.
                program.set_autoload(shared.has_tracepoint("module", "module_load"));
                continue;
            }
            let (name, exit) = if let Some(name) = program_name.strip_prefix("tracepoint__syscalls__sys_exit_") {
                (name.to_owned(), true)
            } else if let Some(name) = program_name.strip_prefix("tracepoint__syscalls__sys_enter_") {
                (name.to_owned(), false)
            } else {
                continue;
            };
            let slot = match CRED_CALLS.iter().find(|(call, _)| *call == name.as_str()) {
                Some(&(_, syscall)) if exit => syscall.0 + priv_slot::PRIV_SLOT_CRED_EXIT.0,
                Some(&(_, syscall)) => syscall.0,
                None if name == "ptrace" && exit => priv_slot::PRIV_SLOT_PTRACE_EXIT.0,
                None if name == "ptrace" => priv_slot::PRIV_SLOT_PTRACE_ENTER.0,
                None if name == "bpf" && exit => priv_slot::PRIV_SLOT_BPF_EXIT.0,
                None if exit && module::MODULE_CALLS.iter().any(|(call, _)| *call == name) => {
                    let &(_, syscall) = module::MODULE_CALLS.iter().find(|(call, _)| *call == name).expect("found above");
                    priv_slot::PRIV_SLOT_MODULE_EXIT.0 + syscall.0
                }
                None => bail!("privilege.bpf.c has a program for {name}, which privilege.rs does not know"),
            };
            if shared.has_syscall_tracepoints(&name) {
                if exit {
                    hooks.traced.push(name);
                }
                slots.push(slot);
            } else {
                program.set_autoload(false);
                if exit {
                    hooks.absent.push(name);
                }
            }
        }
        // The mount calls: one program (bpf/privilege.bpf.c), which knows a call by its
        // number; shown by the syscalls' names (umount2's tracepoint is `umount`), before
        // the module calls.
        let rodata = open.maps.rodata_data.as_deref_mut().expect("privilege.bpf.c has rodata");
        let mut mount_tracepoints = Vec::new();
        let (mut traced, mut absent) = (Vec::new(), Vec::new());
        for &(syscall, tracepoint, call) in &MOUNT_CALLS {
            if shared.has_syscall_tracepoints(tracepoint) && number_call(&mut rodata.mount_syscall_of, syscall, call.0) {
                traced.push(syscall.to_owned());
                slots.push(priv_slot::PRIV_SLOT_MOUNT_EXIT.0 + call.0);
                mount_tracepoints.push(tracepoint.to_owned());
            } else {
                absent.push(syscall.to_owned());
            }
        }
        for (list, mounts) in [(&mut hooks.traced, traced), (&mut hooks.absent, absent)] {
            let modules = list.iter().position(|hook| module::MODULE_CALLS.iter().any(|(call, _)| call == hook)).unwrap_or(list.len());
            list.splice(modules..modules, mounts);
        }
        if slots.is_empty() {
            bail!("none of the privilege syscalls' tracepoints exist in {}", shared.syscall_tracepoints().display());
        }
        slots.sort_unstable();
        let skel = shared.load_and_attach::<PrivilegeBpfSkel>(open)?;
        let links = attach_exits(&skel.progs.sys_exit_mount_calls, &mount_tracepoints)?;
        shared.live(&skel, &slots, probe_calls)?;
        let ptrace_counters = MapHandle::try_from(&skel.maps.ptrace_counters).context("reading the ptrace counters")?;
        let bpf_counters = MapHandle::try_from(&skel.maps.bpf_counters).context("reading the bpf_prog counters")?;
        let mount_counters = MapHandle::try_from(&skel.maps.mount_counters).context("reading the mount counters")?;
        let module_counters = MapHandle::try_from(&skel.maps.module_counters).context("reading the module counters")?;
        let sources = vec![
            counted(Kind::Cred, &skel)?,
            Source { kind: Kind::Ptrace, counters: Some(ptrace_counters), skippable: None },
            Source { kind: Kind::BpfProg, counters: Some(bpf_counters), skippable: None },
            Source { kind: Kind::Mount, counters: Some(mount_counters), skippable: None },
            Source { kind: Kind::Module, counters: Some(module_counters), skippable: None },
        ];
        Ok(Loaded { hooks, sources, periodic: None, dedup: None, snapshot: None, attached: Box::new((skel, links)) })
    }
}

/// Each call, made so that it changes nothing: ids of -1 (none, or "unchanged"), NULL
/// addresses (EFAULT), ptrace of pid 0 (ESRCH), a BPF program load of no attributes
/// (EINVAL), mount calls on addresses in no mapping (EFAULT) or descriptors of -1 (EBADF),
/// module loads of no image (ENOEXEC) or descriptor -1 (EBADF), an unload of no name
/// (EFAULT). Raw calls: glibc's wrappers would make every thread of sysnoop repeat the
/// set*id calls.
fn probe_calls() {
    use nix::libc::{self, c_long};
    let none = -1 as c_long;
    let calls: [(c_long, [c_long; 4]); 20] = [
        (libc::SYS_setuid, [none, 0, 0, 0]),
        (libc::SYS_setgid, [none, 0, 0, 0]),
        (libc::SYS_setreuid, [none, none, 0, 0]),
        (libc::SYS_setregid, [none, none, 0, 0]),
        (libc::SYS_setresuid, [none, none, none, 0]),
        (libc::SYS_setresgid, [none, none, none, 0]),
        (libc::SYS_setfsuid, [none, 0, 0, 0]),
        (libc::SYS_setfsgid, [none, 0, 0, 0]),
        (libc::SYS_setgroups, [none, 0, 0, 0]),
        (libc::SYS_capset, [0, 0, 0, 0]),
        (libc::SYS_ptrace, [libc::PTRACE_PEEKDATA as c_long, 0, 0, 0]),
        (libc::SYS_bpf, [5, 0, 0, 0]), // BPF_PROG_LOAD of nothing: EINVAL
        (libc::SYS_mount, [0, 1, 0, 0]),
        (libc::SYS_umount2, [1, 0, 0, 0]),
        (libc::SYS_move_mount, [-1, 1, -1, 1]),
        (libc::SYS_fsmount, [-1, 0, 0, 0]),
        (libc::SYS_pivot_root, [1, 1, 0, 0]),
        (libc::SYS_init_module, [0, 0, 0, 0]),
        (libc::SYS_finit_module, [-1, 0, 0, 0]),
        (libc::SYS_delete_module, [0, 0, 0, 0]),
    ];
    for (nr, [a, b, c, d]) in calls {
        // SAFETY: raw calls that change nothing: -1 ids are refused (setuid, setgid,
        // setgroups) or mean "unchanged", capset's NULL header faults, pid 0 is no
        // tracee of sysnoop's, bpf() refuses a size of 0, and the mount calls an address
        // in no mapping (EFAULT) or a descriptor of -1 (EBADF), as do the module calls
        // (init_module of 0 bytes: ENOEXEC); without CAP_SYS_MODULE, all are EPERM.
        unsafe { libc::syscall(nr, a, b, c, d) };
    }
}

/// A task's ids, as `struct priv_ids` has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Ids {
    pub(crate) uid: u32,
    pub(crate) euid: u32,
    pub(crate) suid: u32,
    pub(crate) fsuid: u32,
    pub(crate) gid: u32,
    pub(crate) egid: u32,
    pub(crate) sgid: u32,
    pub(crate) fsgid: u32,
}

impl From<priv_ids> for Ids {
    fn from(i: priv_ids) -> Ids {
        Ids { uid: i.uid, euid: i.euid, suid: i.suid, fsuid: i.fsuid, gid: i.gid, egid: i.egid, sgid: i.sgid, fsgid: i.fsgid }
    }
}

impl Ids {
    /// Each id by name, in the record's order.
    fn named(&self) -> [(&'static str, u32); 8] {
        [
            ("uid", self.uid),
            ("euid", self.euid),
            ("suid", self.suid),
            ("fsuid", self.fsuid),
            ("gid", self.gid),
            ("egid", self.egid),
            ("sgid", self.sgid),
            ("fsgid", self.fsgid),
        ]
    }
}

/// Capability sets, one bit per capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Caps {
    pub(crate) effective: u64,
    pub(crate) permitted: u64,
    pub(crate) inheritable: u64,
}

impl From<priv_caps> for Caps {
    fn from(c: priv_caps) -> Caps {
        Caps { effective: c.effective, permitted: c.permitted, inheritable: c.inheritable }
    }
}

/// The capabilities' names, by number (linux/capability.h).
const CAP_NAMES: [&str; 41] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// A capability set by name, in number order; a bit past the names as `cap_<n>`.
pub(crate) fn cap_names(set: u64) -> Vec<Cow<'static, str>> {
    (0..64)
        .filter(|bit| set & (1u64 << bit) != 0)
        .map(|bit| CAP_NAMES.get(bit).map_or_else(|| Cow::Owned(format!("cap_{bit}")), |name| Cow::Borrowed(*name)))
        .collect()
}

#[derive(Serialize)]
struct CapsRecord {
    effective: Vec<Cow<'static, str>>,
    permitted: Vec<Cow<'static, str>>,
    inheritable: Vec<Cow<'static, str>>,
}

impl From<Caps> for CapsRecord {
    fn from(c: Caps) -> CapsRecord {
        CapsRecord { effective: cap_names(c.effective), permitted: cap_names(c.permitted), inheritable: cap_names(c.inheritable) }
    }
}

/// setgroups: the lists, each cut at PRIV_GROUPS_MAX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Groups {
    pub(crate) passed: Vec<u32>,
    pub(crate) before: Vec<u32>,
    pub(crate) after: Vec<u32>,
    /// How many each list really has (`passed`: the size passed).
    pub(crate) counts: [u64; 3],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CredEvent {
    pub(crate) task: Task,
    pub(crate) start_ns: u64,
    pub(crate) syscall: &'static str,
    pub(crate) args: [i64; 3],
    pub(crate) before: Ids,
    pub(crate) after: Ids,
    pub(crate) caps_before: Caps,
    pub(crate) caps_after: Caps,
    /// capset: the sets passed, when they could be read.
    pub(crate) caps_passed: Option<Caps>,
    pub(crate) ret: i32,
    pub(crate) groups: Option<Groups>,
}

const CRED_BASE: usize = priv_abi::CRED_EVENT_BASE_SIZE.0 as usize;
const CRED_SIZE: usize = priv_abi::CRED_EVENT_SIZE.0 as usize;
const GROUPS_MAX: usize = priv_abi::PRIV_GROUPS_MAX.0 as usize;
plain_abi!(cred_event);
plain_abi!(ptrace_event);
const _: () = assert!(offset_of!(cred_event, groups_passed) == CRED_BASE && size_of::<cred_event>() == CRED_SIZE);
const _: () = assert!(size_of::<ptrace_event>() == priv_abi::PTRACE_EVENT_SIZE.0 as usize);
plain_abi!(bpf_prog_event);
const _: () = assert!(size_of::<bpf_prog_event>() == priv_abi::BPF_PROG_EVENT_SIZE.0 as usize);

/// The record without its groups, or (setgroups) with them.
fn decode_cred(bytes: &[u8]) -> Result<CredEvent, Malformed> {
    if bytes.len() < CRED_BASE {
        return Err(Malformed::Short { len: bytes.len(), need: CRED_BASE });
    }
    let mut full = [0u8; CRED_SIZE];
    full[..bytes.len().min(CRED_SIZE)].copy_from_slice(&bytes[..bytes.len().min(CRED_SIZE)]);
    let e: cred_event = decode::fixed(&full)?;
    let &(syscall, _) = CRED_CALLS.get(usize::from(e.syscall)).ok_or(Malformed::Unknown { field: "cred syscall", value: e.syscall.into() })?;
    // Only setgroups' records carry the lists (the perf transport may pad any record).
    let groups = if u32::from(e.syscall) == priv_cred_syscall::CRED_SETGROUPS.0 {
        if bytes.len() < CRED_SIZE {
            return Err(Malformed::Short { len: bytes.len(), need: CRED_SIZE });
        }
        let cut = |list: &[u32], n: u64| list[..(n as usize).min(GROUPS_MAX)].to_vec();
        let passed_n = e.args[0].max(0) as u64;
        Some(Groups {
            passed: cut(&e.groups_passed, passed_n),
            before: cut(&e.groups_before, e.ngroups_before.into()),
            after: cut(&e.groups_after, e.ngroups_after.into()),
            counts: [passed_n, e.ngroups_before.into(), e.ngroups_after.into()],
        })
    } else {
        None
    };
    Ok(CredEvent {
        task: decode::task(bytes),
        start_ns: e.start_ns,
        syscall,
        args: e.args,
        before: e.before.into(),
        after: e.after.into(),
        caps_before: e.caps_before.into(),
        caps_after: e.caps_after.into(),
        caps_passed: (e.caps_passed_read != 0).then(|| e.caps_passed.into()),
        ret: e.ret,
        groups,
    })
}

/// An id as passed: `-1` for (uid_t)-1 ("unchanged", or none), else the id.
fn id_arg(arg: i64) -> i64 {
    let id = arg as u32;
    if id == u32::MAX {
        -1
    } else {
        id.into()
    }
}

impl CredEvent {
    /// The arguments as passed, as strace shows them: set*id's ids (-1 for "unchanged"),
    /// setgroups' size, capset's header (version, pid).
    fn shown_args(&self) -> Vec<i64> {
        let n = match self.syscall {
            "setuid" | "setgid" | "setfsuid" | "setfsgid" => 1,
            "setreuid" | "setregid" => 2,
            "setresuid" | "setresgid" => 3,
            _ => 0,
        };
        match self.syscall {
            "setgroups" => vec![self.args[0] as i32 as i64],
            // The header's version and pid (the kernel side read them; -1 when it could not).
            "capset" => vec![self.args[0] as u32 as i64, self.args[1] as i32 as i64],
            _ => self.args[..n].iter().map(|&a| id_arg(a)).collect(),
        }
    }

    /// Whether the call failed: setfsuid and setfsgid return the old id, never an
    /// error, and failed when the id did not become the one passed.
    fn failed(&self) -> bool {
        match self.syscall {
            "setfsuid" => self.after.fsuid != self.args[0] as u32,
            "setfsgid" => self.after.fsgid != self.args[0] as u32,
            _ => self.ret < 0,
        }
    }

    fn errno(&self) -> Option<Cow<'static, str>> {
        match self.syscall {
            "setfsuid" | "setfsgid" => None,
            _ => errno::of_ret(self.ret.into()),
        }
    }

    /// Changes a user id (OCSF's Set User ID).
    fn sets_uid(&self) -> bool {
        matches!(self.syscall, "setuid" | "setreuid" | "setresuid" | "setfsuid")
    }

    /// The capability sets, when the call is capset or changed them.
    fn caps(&self) -> Option<CredCaps> {
        (self.syscall == "capset" || self.caps_before != self.caps_after).then(|| CredCaps {
            before: self.caps_before.into(),
            after: self.caps_after.into(),
            passed: self.caps_passed.map(Into::into),
        })
    }

    fn body(&self, ctx: &RecordContext) -> CredRecord {
        CredRecord {
            exec_id: ctx.exec_id(self.start_ns, self.task.pid),
            syscall: self.syscall,
            args: self.shown_args(),
            before: self.before,
            after: self.after,
            groups: self.groups.as_ref().map(|g| GroupsRecord {
                passed: g.passed.clone(),
                before: g.before.clone(),
                after: g.after.clone(),
                truncated: g.counts.iter().any(|&n| n > GROUPS_MAX as u64),
            }),
            caps: self.caps(),
            failed: self.failed(),
            ret: self.ret,
            errno: self.errno(),
        }
    }

    /// What changed, for the text format: `euid 0->1000 caps.effective -CAP_SETUID`, or
    /// `-40 capabilities` for more than four.
    fn changes(&self) -> String {
        let mut out = String::new();
        for ((name, before), (_, after)) in self.before.named().into_iter().zip(self.after.named()) {
            if before != after {
                let _ = write!(out, "{name} {before}->{after} ");
            }
        }
        if let Some(g) = &self.groups {
            if g.before != g.after {
                let _ = write!(out, "groups {:?}->{:?} ", g.before, g.after);
            }
        }
        for (name, before, after) in [
            ("effective", self.caps_before.effective, self.caps_after.effective),
            ("permitted", self.caps_before.permitted, self.caps_after.permitted),
            ("inheritable", self.caps_before.inheritable, self.caps_after.inheritable),
        ] {
            let (lost, gained) = (before & !after, after & !before);
            if lost | gained != 0 {
                let _ = write!(out, "caps.{name}");
                // A few by name; more (root's whole set, as it leaves uid 0) by number.
                for (sign, set) in [('+', gained), ('-', lost)] {
                    let names = cap_names(set);
                    if names.len() > 4 {
                        let _ = write!(out, " {sign}{} capabilities", names.len());
                    } else {
                        for cap in names {
                            let _ = write!(out, " {sign}{cap}");
                        }
                    }
                }
                out.push(' ');
            }
        }
        if out.is_empty() {
            out.push_str("(unchanged)");
        }
        out.trim_end().to_owned()
    }
}

#[derive(Serialize)]
struct GroupsRecord {
    passed: Vec<u32>,
    before: Vec<u32>,
    after: Vec<u32>,
    truncated: bool,
}

#[derive(Serialize)]
struct CredCaps {
    before: CapsRecord,
    after: CapsRecord,
    passed: Option<CapsRecord>,
}

#[derive(Serialize)]
struct CredRecord {
    exec_id: ExecId,
    syscall: &'static str,
    args: Vec<i64>,
    before: Ids,
    after: Ids,
    groups: Option<GroupsRecord>,
    caps: Option<CredCaps>,
    failed: bool,
    ret: i32,
    errno: Option<Cow<'static, str>>,
}

#[derive(Serialize)]
struct CredOcsf<'a> {
    actor: Actor<'a>,
    device: &'a serde_json::value::RawValue,
    process: Process<'a>,
    status_id: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<Cow<'static, str>>,
    unmapped: CredRecord,
}

/// Process Activity's activities.
const ACTIVITY_OPEN: u8 = 3;
const ACTIVITY_INJECT: u8 = 4;
const ACTIVITY_SET_USER_ID: u8 = 5;
const ACTIVITY_OTHER: u8 = 99;

fn ids_schema(when: &str) -> serde_json::Value {
    let ids = [
        ("uid", "real user id"),
        ("euid", "effective user id (what permission checks use)"),
        ("suid", "saved user id"),
        ("fsuid", "filesystem user id (what file access checks use)"),
        ("gid", "real group id"),
        ("egid", "effective group id"),
        ("sgid", "saved group id"),
        ("fsgid", "filesystem group id"),
    ];
    let properties: serde_json::Map<String, serde_json::Value> =
        ids.iter().map(|(name, what)| (name.to_string(), serde_json::json!({"type": "integer", "minimum": 0, "description": format!("the {what} {when}")}))).collect();
    let names: Vec<&str> = ids.iter().map(|(name, _)| *name).collect();
    serde_json::json!({"type": "object", "properties": properties, "required": names, "additionalProperties": false})
}

fn caps_schema(which: &str) -> serde_json::Value {
    let set = |name: &str| serde_json::json!({"type": "array", "items": {"type": "string", "pattern": "^(CAP_[A-Z_]+|cap_[0-9]+)$"}, "description": format!("the {name} set {which}: capability names (`CAP_SYS_ADMIN`), `cap_<n>` past the known ones")});
    serde_json::json!({
        "type": "object",
        "properties": {"effective": set("effective"), "permitted": set("permitted"), "inheritable": set("inheritable")},
        "required": ["effective", "permitted", "inheritable"],
        "additionalProperties": false,
    })
}

impl Record for CredEvent {
    const NAME: &'static str = "cred";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_CRED.0, decode_cred));

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        push_task_line(line, Self::NAME, ctx, &self.task, &self.body(ctx));
    }

    /// Process Activity: Set User ID for the calls that set user ids, Other for the
    /// rest (OCSF has no activity for groups or capabilities). The actor is the task
    /// with its user before the call; the process, the same task with its user after.
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let exec_id = ctx.exec_id(self.start_ns, self.task.pid);
        let actor = Actor { user: Some(User::uid(self.before.uid)), ..Actor::task(&self.task, ctx) };
        let process = Process { uid: Some(exec_id), user: Some(User::uid(self.after.uid)), ..Process::task(&self.task, ctx) };
        let (status_id, status_detail) = if self.failed() { (2, Some(self.errno().unwrap_or(Cow::Borrowed("unchanged")))) } else { (1, None) };
        let event = CredOcsf { actor, device: ocsf.device(), process, status_id, status_detail, unmapped: self.body(ctx) };
        let activity = if self.sets_uid() { ACTIVITY_SET_USER_ID } else { ACTIVITY_OTHER };
        ocsf.push_task(line, Class::Process, activity, ctx, &self.task, &event);
    }

    fn schema() -> serde_json::Value {
        let groups = |which: &str| serde_json::json!({"type": "array", "items": {"type": "integer", "minimum": 0}, "description": format!("the supplementary groups {which}, at most 32")});
        let with_null = |mut caps: serde_json::Value, description: &str| {
            caps["type"] = serde_json::json!(["object", "null"]);
            caps["description"] = description.into();
            caps
        };
        let fields = vec![
            Field::exec_id("exec_id", "the process's id (as its `exec` records give it)"),
            Field::with("syscall", serde_json::json!({"enum": CRED_CALLS.iter().map(|c| c.0).collect::<Vec<_>>()}), "the call"),
            Field::with(
                "args",
                serde_json::json!({"type": "array", "items": {"type": "integer"}}),
                "the arguments as passed: set*id's ids in order (`-1`: leave unchanged); setgroups' size (the groups are under `groups.passed`); capset: its header's version (`4294967295` when it could not be read) and pid (its sets are under `caps.passed`)",
            ),
            Field::with("before", ids_schema("when the call began"), "the task's ids when it made the call: real, effective, saved and filesystem user and group ids"),
            Field::with("after", ids_schema("when the call returned"), "the task's ids when the call returned (the same as `before` when it failed)"),
            Field::with(
                "groups",
                serde_json::json!({
                    "type": ["object", "null"],
                    "properties": {
                        "passed": groups("passed, in their order"),
                        "before": groups("before the call"),
                        "after": groups("after the call (the kernel sorts them)"),
                        "truncated": {"type": "boolean", "description": "a list had more than 32 groups: each list holds its first 32"},
                    },
                    "required": ["passed", "before", "after", "truncated"],
                    "additionalProperties": false,
                }),
                "setgroups: the supplementary groups passed, before and after; else `null`",
            ),
            Field::with(
                "caps",
                serde_json::json!({
                    "type": ["object", "null"],
                    "properties": {
                        "before": with_null(caps_schema("before the call"), "the sets before the call"),
                        "after": with_null(caps_schema("after the call"), "the sets after the call"),
                        "passed": with_null(caps_schema("passed"), "capset: the sets as passed; `null` when they could not be read, and for other calls"),
                    },
                    "required": ["before", "after", "passed"],
                    "additionalProperties": false,
                }),
                "the capability sets (effective, permitted, inheritable) before and after, for capset and for any call that changed them (a set*uid that leaves uid 0 clears them); else `null`",
            ),
            Field::boolean("failed", "the call changed nothing it was asked to: it failed, or (setfsuid, setfsgid, which return the old id and no error) the id stayed"),
            Field::integer("ret", "what the call returned: `0` or the negative errno (setfsuid, setfsgid: the old id)"),
            Field::string("errno", "the errno name when it failed (e.g. `\"EPERM\"`), else `null`").nullable(),
        ];
        crate::schema::task_record(
            Self::NAME,
            "One call that sets a task's credentials (set*id, setgroups, capset), failed ones included. The header's `uid` is the real uid after the call.",
            fields,
        )
    }

    const TEXT: Header = Header {
        columns: &[("TIME(UTC)", 12), ("PID", 7), ("COMM", 16), ("SYSCALL", 10), ("RET", 7)],
        last: "CHANGES",
    };

    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let ret = match self.errno() {
            Some(name) => name,
            None if self.failed() => Cow::Borrowed("unchanged"),
            None => Cow::Owned(self.ret.to_string()),
        };
        let cells: [&dyn Display; 5] = [&time_of_day(ctx.utc(self.task.ts_ns)), &self.task.pid, &escape(&self.task.comm), &self.syscall, &ret];
        Self::TEXT.row(line, &cells, &self.changes());
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        // setresuid(1000, 1000, -1) by root: the ids change, and the capabilities go.
        let mut b = crate::decode::tests::header(sysnoop_kind::SN_KIND_CRED.0, CRED_BASE);
        let mut put = |offset: usize, bytes: &[u8]| b[offset..offset + bytes.len()].copy_from_slice(bytes);
        put(offset_of!(cred_event, start_ns), &1_000_000_000u64.to_ne_bytes());
        put(offset_of!(cred_event, args), &1000i64.to_ne_bytes());
        put(offset_of!(cred_event, args) + 8, &1000i64.to_ne_bytes());
        put(offset_of!(cred_event, args) + 16, &0xffff_ffffi64.to_ne_bytes());
        let after = offset_of!(cred_event, after);
        for (i, id) in [1000u32, 1000, 0, 1000, 0, 0, 0, 0].iter().enumerate() {
            put(after + 4 * i, &id.to_ne_bytes());
        }
        let all = (1u64 << 41) - 1;
        put(offset_of!(cred_event, caps_before), &all.to_ne_bytes());
        put(offset_of!(cred_event, caps_before) + 8, &all.to_ne_bytes());
        put(offset_of!(cred_event, syscall), &(priv_cred_syscall::CRED_SETRESUID.0 as u16).to_ne_bytes());
        Some(b)
    }
}

/// ptrace requests by number (linux/ptrace.h, x86 and arm64's asm/ptrace.h).
const REQUESTS: &[(i64, &str)] = &[
    (0, "PTRACE_TRACEME"),
    (1, "PTRACE_PEEKTEXT"),
    (2, "PTRACE_PEEKDATA"),
    (3, "PTRACE_PEEKUSER"),
    (4, "PTRACE_POKETEXT"),
    (5, "PTRACE_POKEDATA"),
    (6, "PTRACE_POKEUSER"),
    (7, "PTRACE_CONT"),
    (8, "PTRACE_KILL"),
    (9, "PTRACE_SINGLESTEP"),
    #[cfg(target_arch = "x86_64")]
    (12, "PTRACE_GETREGS"),
    #[cfg(target_arch = "x86_64")]
    (13, "PTRACE_SETREGS"),
    #[cfg(target_arch = "x86_64")]
    (14, "PTRACE_GETFPREGS"),
    #[cfg(target_arch = "x86_64")]
    (15, "PTRACE_SETFPREGS"),
    (16, "PTRACE_ATTACH"),
    (17, "PTRACE_DETACH"),
    #[cfg(target_arch = "x86_64")]
    (18, "PTRACE_GETFPXREGS"),
    #[cfg(target_arch = "x86_64")]
    (19, "PTRACE_SETFPXREGS"),
    (24, "PTRACE_SYSCALL"),
    #[cfg(target_arch = "x86_64")]
    (30, "PTRACE_ARCH_PRCTL"),
    #[cfg(target_arch = "x86_64")]
    (31, "PTRACE_SYSEMU"),
    #[cfg(target_arch = "x86_64")]
    (32, "PTRACE_SYSEMU_SINGLESTEP"),
    #[cfg(target_arch = "x86_64")]
    (33, "PTRACE_SINGLEBLOCK"),
    (0x4200, "PTRACE_SETOPTIONS"),
    (0x4201, "PTRACE_GETEVENTMSG"),
    (0x4202, "PTRACE_GETSIGINFO"),
    (0x4203, "PTRACE_SETSIGINFO"),
    (0x4204, "PTRACE_GETREGSET"),
    (0x4205, "PTRACE_SETREGSET"),
    (0x4206, "PTRACE_SEIZE"),
    (0x4207, "PTRACE_INTERRUPT"),
    (0x4208, "PTRACE_LISTEN"),
    (0x4209, "PTRACE_PEEKSIGINFO"),
    (0x420a, "PTRACE_GETSIGMASK"),
    (0x420b, "PTRACE_SETSIGMASK"),
    (0x420c, "PTRACE_SECCOMP_GET_FILTER"),
    (0x420d, "PTRACE_SECCOMP_GET_METADATA"),
    (0x420e, "PTRACE_GET_SYSCALL_INFO"),
    (0x420f, "PTRACE_GET_RSEQ_CONFIGURATION"),
    (0x4210, "PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG"),
    (0x4211, "PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG"),
    (0x4212, "PTRACE_SET_SYSCALL_INFO"),
];

/// A request's name; an unknown one as `PTRACE_<n>`.
fn request_name(request: i64) -> Cow<'static, str> {
    REQUESTS.iter().find(|r| r.0 == request).map_or_else(|| Cow::Owned(format!("PTRACE_{request}")), |r| Cow::Borrowed(r.1))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) pid: u32,
    pub(crate) tid: u32,
    pub(crate) comm: Vec<u8>,
    pub(crate) start_ns: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PtraceEvent {
    pub(crate) task: Task,
    pub(crate) start_ns: u64,
    pub(crate) request: i64,
    /// As passed, in the caller's pid namespace.
    pub(crate) pid: i32,
    pub(crate) addr: u64,
    pub(crate) data: u64,
    pub(crate) ret: i32,
    pub(crate) target: Option<Target>,
}

fn decode_ptrace(bytes: &[u8]) -> Result<PtraceEvent, Malformed> {
    let e: ptrace_event = decode::fixed(bytes)?;
    let target = (e.target_tid != 0).then(|| Target {
        pid: e.target_tgid,
        tid: e.target_tid,
        comm: text::until_nul(&e.target_comm.map(|c| c as u8)).to_vec(),
        start_ns: e.target_start_ns,
    });
    Ok(PtraceEvent { task: decode::task(bytes), start_ns: e.start_ns, request: e.request, pid: e.pid, addr: e.addr, data: e.data, ret: e.ret, target })
}

#[derive(Serialize)]
struct TargetRecord {
    pid: u32,
    tid: u32,
    exec_id: ExecId,
    comm: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    comm_hex: Option<String>,
}

#[derive(Serialize)]
struct PtraceRecord {
    exec_id: ExecId,
    request: Cow<'static, str>,
    request_id: i64,
    target_pid: i32,
    addr: String,
    data: String,
    target: Option<TargetRecord>,
    ret: i32,
    errno: Option<Cow<'static, str>>,
}

#[derive(Serialize)]
struct PtraceOcsf<'a> {
    actor: Actor<'a>,
    device: &'a serde_json::value::RawValue,
    process: Process<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    injection_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    injection_type_id: Option<u8>,
    status_id: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<Cow<'static, str>>,
    unmapped: PtraceRecord,
}

impl PtraceEvent {
    fn body(&self, ctx: &RecordContext) -> PtraceRecord {
        PtraceRecord {
            exec_id: ctx.exec_id(self.start_ns, self.task.pid),
            request: request_name(self.request),
            request_id: self.request,
            target_pid: self.pid,
            addr: format!("{:#x}", self.addr),
            data: format!("{:#x}", self.data),
            target: self.target.as_ref().map(|t| {
                let comm = text::render(&t.comm);
                TargetRecord { pid: t.pid, tid: t.tid, exec_id: ctx.exec_id(t.start_ns, t.pid), comm: comm.text.into_owned(), comm_hex: comm.hex }
            }),
            ret: self.ret,
            errno: errno::of_ret(self.ret.into()),
        }
    }

    /// Process Activity's activity: Open for an attach (ATTACH, SEIZE, TRACEME),
    /// Inject for a write into the target (POKE*, SET*REGS*), Other for the rest.
    fn activity(&self) -> u8 {
        match self.request {
            0 | 16 | 0x4206 => ACTIVITY_OPEN,
            4..=6 | 0x4205 => ACTIVITY_INJECT,
            #[cfg(target_arch = "x86_64")]
            13 | 15 | 19 => ACTIVITY_INJECT,
            _ => ACTIVITY_OTHER,
        }
    }
}

impl Record for PtraceEvent {
    const NAME: &'static str = "ptrace";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_PTRACE.0, decode_ptrace));

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        push_task_line(line, Self::NAME, ctx, &self.task, &self.body(ctx));
    }

    /// Process Activity: the caller is the actor, the target the process (only its pid
    /// as passed when it was not found).
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let process = match &self.target {
            Some(t) => Process {
                pid: t.pid,
                tid: Some(t.tid),
                uid: Some(ctx.exec_id(t.start_ns, t.pid)),
                name: Some(Cow::Owned(text::render(&t.comm).text.into_owned())),
                ..Process::default()
            },
            None => Process { pid: self.pid.max(0) as u32, ..Process::default() },
        };
        let inject = self.activity() == ACTIVITY_INJECT;
        let (status_id, status_detail) = crate::ocsf::status(self.ret.into());
        let event = PtraceOcsf {
            actor: Actor::task(&self.task, ctx),
            device: ocsf.device(),
            process,
            injection_type: inject.then_some("ptrace"),
            injection_type_id: inject.then_some(99),
            status_id,
            status_detail,
            unmapped: self.body(ctx),
        };
        ocsf.push_task(line, Class::Process, self.activity(), ctx, &self.task, &event);
    }

    fn schema() -> serde_json::Value {
        let hex = serde_json::json!({"type": "string", "pattern": "^0x[0-9a-f]+$"});
        let target = serde_json::json!({
            "type": ["object", "null"],
            "properties": {
                "pid": {"type": "integer", "minimum": 0, "description": "the target's process id (global)"},
                "tid": {"type": "integer", "minimum": 0, "description": "the target thread's id (global)"},
                "exec_id": {"type": "string", "pattern": "^[0-9a-f]{32}$", "description": "the target's process id, as its `exec` records give it"},
                "comm": {"type": "string", "description": "the target thread's command name"},
                "comm_hex": {"type": "string", "pattern": "^([0-9a-f]{2})*$", "description": "the exact bytes of `comm`, hex-encoded; present only when they are not UTF-8"},
            },
            "required": ["pid", "tid", "exec_id", "comm"],
            "additionalProperties": false,
        });
        let fields = vec![
            Field::exec_id("exec_id", "the caller's process id (as its `exec` records give it)"),
            Field::string("request", "the request's name (`\"PTRACE_ATTACH\"`), `PTRACE_<n>` for one sysnoop does not know"),
            Field::integer("request_id", "the request's number"),
            Field::integer("target_pid", "the pid argument as passed, in the caller's pid namespace (`0` for `PTRACE_TRACEME`)"),
            Field::with("addr", hex.clone(), "the addr argument, in hex"),
            Field::with("data", hex, "the data argument, in hex (a PEEK* request's: where the word read was stored)"),
            Field::with(
                "target",
                target,
                "the target thread: its process (`pid`, global), `tid` (global), `exec_id` and `comm`. The caller's tracee (looked up when the call began; for an attach, when it returned), or for `PTRACE_TRACEME` the caller's parent; `null` when it is neither (a failed attach, a pid that is not a tracee of the caller's, or one past the 16 first tracees)",
            ),
            Field::integer("ret", "what the call returned: `0` for most requests (a raw PEEK* call stores the word read at `data`), a size for `PTRACE_GET_SYSCALL_INFO`, or the negative errno"),
            Field::string("errno", "the errno name when it failed (e.g. `\"ESRCH\"`), else `null`").nullable(),
        ];
        crate::schema::task_record(Self::NAME, "One ptrace(2) call, failed ones included.", fields)
    }

    const TEXT: Header = Header {
        columns: &[("TIME(UTC)", 12), ("PID", 7), ("COMM", 16), ("REQUEST", 18), ("RET", 7)],
        last: "TARGET",
    };

    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let ret = errno::of_ret(self.ret.into()).unwrap_or(Cow::Borrowed("0"));
        let target = match &self.target {
            Some(t) => format!("{} ({})", t.tid, escape(&t.comm)),
            None => self.pid.to_string(),
        };
        let request = request_name(self.request);
        let cells: [&dyn Display; 5] = [&time_of_day(ctx.utc(self.task.ts_ns)), &self.task.pid, &escape(&self.task.comm), &request, &ret];
        Self::TEXT.row(line, &cells, &target);
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        // PTRACE_ATTACH of 4243 ("sleep").
        let mut b = crate::decode::tests::header(sysnoop_kind::SN_KIND_PTRACE.0, size_of::<ptrace_event>());
        let mut put = |offset: usize, bytes: &[u8]| b[offset..offset + bytes.len()].copy_from_slice(bytes);
        put(offset_of!(ptrace_event, start_ns), &1_000_000_000u64.to_ne_bytes());
        put(offset_of!(ptrace_event, request), &16i64.to_ne_bytes());
        put(offset_of!(ptrace_event, target_start_ns), &2_000_000_000u64.to_ne_bytes());
        put(offset_of!(ptrace_event, pid), &4243i32.to_ne_bytes());
        put(offset_of!(ptrace_event, target_tid), &4243u32.to_ne_bytes());
        put(offset_of!(ptrace_event, target_tgid), &4243u32.to_ne_bytes());
        put(offset_of!(ptrace_event, target_comm), b"sleep\0");
        Some(b)
    }
}

/// `enum bpf_prog_type`'s names (include/uapi/linux/bpf.h), by number.
const PROG_TYPES: [&str; 33] = [
    "unspec",
    "socket_filter",
    "kprobe",
    "sched_cls",
    "sched_act",
    "tracepoint",
    "xdp",
    "perf_event",
    "cgroup_skb",
    "cgroup_sock",
    "lwt_in",
    "lwt_out",
    "lwt_xmit",
    "sock_ops",
    "sk_skb",
    "cgroup_device",
    "sk_msg",
    "raw_tracepoint",
    "cgroup_sock_addr",
    "lwt_seg6local",
    "lirc_mode2",
    "sk_reuseport",
    "flow_dissector",
    "cgroup_sysctl",
    "raw_tracepoint_writable",
    "cgroup_sockopt",
    "tracing",
    "struct_ops",
    "ext",
    "lsm",
    "sk_lookup",
    "syscall",
    "netfilter",
];

fn prog_type_name(prog_type: u32) -> Cow<'static, str> {
    PROG_TYPES.get(prog_type as usize).map_or_else(|| Cow::Owned(format!("type_{prog_type}")), |name| Cow::Borrowed(*name))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BpfProgEvent {
    pub(crate) task: Task,
    pub(crate) start_ns: u64,
    pub(crate) ret: i32,
    pub(crate) prog_type: u32,
    pub(crate) expected_attach_type: u32,
    /// As passed (None when the attributes could not be read).
    pub(crate) insn_cnt: Option<u32>,
    pub(crate) prog_flags: Option<u32>,
    /// The kernel's view of the loaded program: (id, tag, instructions held).
    pub(crate) loaded: Option<(u32, [u8; 8], u32)>,
    pub(crate) name: Vec<u8>,
    pub(crate) attach_func: Vec<u8>,
}

fn decode_bpf_prog(bytes: &[u8]) -> Result<BpfProgEvent, Malformed> {
    let e: bpf_prog_event = decode::fixed(bytes)?;
    let read = e.attr_read != 0;
    Ok(BpfProgEvent {
        task: decode::task(bytes),
        start_ns: e.start_ns,
        ret: e.ret,
        prog_type: e.prog_type,
        expected_attach_type: e.expected_attach_type,
        insn_cnt: read.then_some(e.insn_cnt),
        prog_flags: read.then_some(e.prog_flags),
        loaded: (e.loaded != 0).then_some((e.id, e.tag, e.len)),
        name: text::until_nul(&e.name.map(|c| c as u8)).to_vec(),
        attach_func: text::until_nul(&e.attach_func.map(|c| c as u8)).to_vec(),
    })
}

#[derive(Serialize)]
struct BpfProgRecord {
    exec_id: ExecId,
    prog_type: Option<Cow<'static, str>>,
    prog_type_id: Option<u32>,
    expected_attach_type: Option<u32>,
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name_hex: Option<String>,
    attach_func: Option<String>,
    insn_cnt: Option<u32>,
    prog_flags: Option<u32>,
    loaded: bool,
    id: Option<u32>,
    tag: Option<String>,
    insns: Option<u32>,
    fd: Option<i32>,
    ret: i32,
    errno: Option<Cow<'static, str>>,
}

/// Kernel Activity's `kernel`: the program, as a kernel resource.
#[derive(Serialize)]
struct KernelResource {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    type_id: u8,
}

#[derive(Serialize)]
struct BpfProgOcsf<'a> {
    actor: Actor<'a>,
    device: &'a serde_json::value::RawValue,
    kernel: KernelResource,
    status_id: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<Cow<'static, str>>,
    unmapped: BpfProgRecord,
}

impl BpfProgEvent {
    fn body(&self, ctx: &RecordContext) -> BpfProgRecord {
        // What the kernel holds, or what was passed; nothing when neither could be read.
        let known = self.loaded.is_some() || self.insn_cnt.is_some();
        let name = text::render(&self.name);
        BpfProgRecord {
            exec_id: ctx.exec_id(self.start_ns, self.task.pid),
            prog_type: known.then(|| prog_type_name(self.prog_type)),
            prog_type_id: known.then_some(self.prog_type),
            expected_attach_type: known.then_some(self.expected_attach_type),
            name: known.then(|| name.text.into_owned()),
            name_hex: name.hex,
            attach_func: (!self.attach_func.is_empty()).then(|| text::render(&self.attach_func).text.into_owned()),
            insn_cnt: self.insn_cnt,
            prog_flags: self.prog_flags,
            loaded: self.loaded.is_some(),
            id: self.loaded.map(|(id, _, _)| id),
            tag: self.loaded.map(|(_, tag, _)| tag.iter().map(|b| format!("{b:02x}")).collect()),
            insns: self.loaded.map(|(_, _, len)| len),
            fd: (self.ret >= 0).then_some(self.ret),
            ret: self.ret,
            errno: errno::of_ret(self.ret.into()),
        }
    }
}

impl Record for BpfProgEvent {
    const NAME: &'static str = "bpf_prog";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_BPF_PROG.0, decode_bpf_prog));

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        push_task_line(line, Self::NAME, ctx, &self.task, &self.body(ctx));
    }

    /// Kernel Activity, Create: a BPF program is a resource made in the kernel (OCSF
    /// has no class for BPF); `kernel` names it and its type.
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let body = self.body(ctx);
        let kernel = KernelResource {
            name: body.name.clone().filter(|n| !n.is_empty()).or_else(|| body.tag.clone()).unwrap_or_default(),
            kind: format!("bpf_prog:{}", body.prog_type.as_deref().unwrap_or("unknown")),
            type_id: 99,
        };
        let (status_id, status_detail) = crate::ocsf::status(self.ret.into());
        let event = BpfProgOcsf { actor: Actor::task(&self.task, ctx), device: ocsf.device(), kernel, status_id, status_detail, unmapped: body };
        ocsf.push_task(line, Class::Kernel, 1, ctx, &self.task, &event);
    }

    fn schema() -> serde_json::Value {
        let count = serde_json::json!({"type": ["integer", "null"], "minimum": 0});
        let fields = vec![
            Field::exec_id("exec_id", "the loader's process id (as its `exec` records give it)"),
            Field::string("prog_type", "the program's type (`\"socket_filter\"`, `\"kprobe\"`, `\"tracing\"`, `\"lsm\"`, ...; `type_<n>` past the known ones): the kernel's for a loaded program, else as passed; `null` when the attributes could not be read").nullable(),
            Field::with("prog_type_id", count.clone(), "its number (`enum bpf_prog_type`)"),
            Field::with("expected_attach_type", count.clone(), "the attach type (`enum bpf_attach_type`) it was loaded for"),
            Field::string("name", "the program's name (at most 15 bytes): the kernel's copy for a loaded program, else as passed").nullable(),
            Field::hex("name_hex", "name"),
            Field::string("attach_func", "a loaded tracing, lsm or extension program's hook (`security_file_open`); else `null`").nullable(),
            Field::with("insn_cnt", count.clone(), "the instructions passed; `null` when the attributes could not be read"),
            Field::with("prog_flags", count.clone(), "the `BPF_F_*` load flags passed"),
            Field::boolean("loaded", "the kernel holds the program: `id`, `tag` and `insns` are its"),
            Field::with("id", count.clone(), "the program's id, as `bpftool prog` lists it; `null` when refused"),
            Field::with("tag", serde_json::json!({"type": ["string", "null"], "pattern": "^[0-9a-f]{16}$"}), "the program's tag (a hash of its instructions, as bpftool shows it); `null` when refused"),
            Field::with("insns", count.clone(), "the instructions the kernel holds; `null` when refused"),
            Field::with("fd", serde_json::json!({"type": ["integer", "null"]}), "the new program's descriptor; `null` when refused"),
            Field::integer("ret", "the descriptor, or the negative errno"),
            Field::string("errno", "the errno name when it was refused (e.g. `\"EACCES\"`, the verifier's refusal), else `null`").nullable(),
        ];
        crate::schema::task_record(
            Self::NAME,
            "One BPF program load (bpf(BPF_PROG_LOAD)), refused ones included; sysnoop's own are counted `filtered`, never reported.",
            fields,
        )
    }

    const TEXT: Header = Header {
        columns: &[("TIME(UTC)", 12), ("PID", 7), ("COMM", 16), ("TYPE", 16), ("RET", 7)],
        last: "PROGRAM",
    };

    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let ret = errno::of_ret(self.ret.into()).unwrap_or_else(|| Cow::Owned(self.ret.to_string()));
        let mut program = escape(&self.name).into_owned();
        if let Some((id, _, _)) = self.loaded {
            let _ = write!(program, " id {id}");
        }
        if !self.attach_func.is_empty() {
            let _ = write!(program, " on {}", escape(&self.attach_func));
        }
        let prog_type = prog_type_name(self.prog_type);
        let cells: [&dyn Display; 5] = [&time_of_day(ctx.utc(self.task.ts_ns)), &self.task.pid, &escape(&self.task.comm), &prog_type, &ret];
        Self::TEXT.row(line, &cells, &program);
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        // A socket filter "sn_test" of 2 instructions, loaded as id 42 on fd 3.
        let mut b = crate::decode::tests::header(sysnoop_kind::SN_KIND_BPF_PROG.0, size_of::<bpf_prog_event>());
        let mut put = |offset: usize, bytes: &[u8]| b[offset..offset + bytes.len()].copy_from_slice(bytes);
        put(offset_of!(bpf_prog_event, ret), &3i32.to_ne_bytes());
        put(offset_of!(bpf_prog_event, prog_type), &1u32.to_ne_bytes());
        put(offset_of!(bpf_prog_event, insn_cnt), &2u32.to_ne_bytes());
        put(offset_of!(bpf_prog_event, id), &42u32.to_ne_bytes());
        put(offset_of!(bpf_prog_event, len), &2u32.to_ne_bytes());
        put(offset_of!(bpf_prog_event, tag), &[0xa0, 0x4f, 0x5e, 0xef, 0x16, 0x78, 0x5a, 0xfb]);
        put(offset_of!(bpf_prog_event, name), b"sn_test\0");
        put(offset_of!(bpf_prog_event, loaded), &[1, 1]);
        Some(b)
    }
}

/// Each mount call: its name, its tracepoint's, and its number in `enum priv_mount_syscall`.
const MOUNT_CALLS: [(&str, &str, priv_mount_syscall); priv_mount_syscall::MOUNT_SYSCALL_NR.0 as usize] = [
    ("mount", "mount", priv_mount_syscall::MOUNT_MOUNT),
    ("umount2", "umount", priv_mount_syscall::MOUNT_UMOUNT2),
    ("move_mount", "move_mount", priv_mount_syscall::MOUNT_MOVE_MOUNT),
    ("fsmount", "fsmount", priv_mount_syscall::MOUNT_FSMOUNT),
    ("pivot_root", "pivot_root", priv_mount_syscall::MOUNT_PIVOT_ROOT),
];

/// Each call's flags by name (linux/mount.h).
const MS_FLAGS: &[(u64, &str)] = &[
    (1, "MS_RDONLY"),
    (2, "MS_NOSUID"),
    (4, "MS_NODEV"),
    (8, "MS_NOEXEC"),
    (16, "MS_SYNCHRONOUS"),
    (32, "MS_REMOUNT"),
    (64, "MS_MANDLOCK"),
    (128, "MS_DIRSYNC"),
    (256, "MS_NOSYMFOLLOW"),
    (1024, "MS_NOATIME"),
    (2048, "MS_NODIRATIME"),
    (4096, "MS_BIND"),
    (8192, "MS_MOVE"),
    (16384, "MS_REC"),
    (32768, "MS_SILENT"),
    (1 << 16, "MS_POSIXACL"),
    (1 << 17, "MS_UNBINDABLE"),
    (1 << 18, "MS_PRIVATE"),
    (1 << 19, "MS_SLAVE"),
    (1 << 20, "MS_SHARED"),
    (1 << 21, "MS_RELATIME"),
    (1 << 23, "MS_I_VERSION"),
    (1 << 24, "MS_STRICTATIME"),
    (1 << 25, "MS_LAZYTIME"),
];
const UMOUNT_FLAGS: &[(u64, &str)] = &[(1, "MNT_FORCE"), (2, "MNT_DETACH"), (4, "MNT_EXPIRE"), (8, "UMOUNT_NOFOLLOW")];
const MOVE_MOUNT_FLAGS: &[(u64, &str)] = &[
    (1, "MOVE_MOUNT_F_SYMLINKS"),
    (2, "MOVE_MOUNT_F_AUTOMOUNTS"),
    (4, "MOVE_MOUNT_F_EMPTY_PATH"),
    (0x10, "MOVE_MOUNT_T_SYMLINKS"),
    (0x20, "MOVE_MOUNT_T_AUTOMOUNTS"),
    (0x40, "MOVE_MOUNT_T_EMPTY_PATH"),
    (0x100, "MOVE_MOUNT_SET_GROUP"),
    (0x200, "MOVE_MOUNT_BENEATH"),
];
const FSMOUNT_FLAGS: &[(u64, &str)] = &[(1, "FSMOUNT_CLOEXEC")];
const MOUNT_ATTR_FLAGS: &[(u64, &str)] = &[
    (1, "MOUNT_ATTR_RDONLY"),
    (2, "MOUNT_ATTR_NOSUID"),
    (4, "MOUNT_ATTR_NODEV"),
    (8, "MOUNT_ATTR_NOEXEC"),
    (0x10, "MOUNT_ATTR_NOATIME"),
    (0x20, "MOUNT_ATTR_STRICTATIME"),
    (0x80, "MOUNT_ATTR_NODIRATIME"),
    (0x10_0000, "MOUNT_ATTR_IDMAP"),
    (0x20_0000, "MOUNT_ATTR_NOSYMFOLLOW"),
];
/// mount(2)'s flags may carry this magic number in their top 16 bits (ignored).
const MS_MGC_VAL: u64 = 0xc0ed_0000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MountEvent {
    pub(crate) task: Task,
    pub(crate) start_ns: u64,
    pub(crate) syscall: &'static str,
    pub(crate) flags: u64,
    pub(crate) attr_flags: u32,
    pub(crate) mnt_ns: u32,
    pub(crate) ret: i32,
    pub(crate) dirfd: i32,
    pub(crate) from_dirfd: i32,
    /// As passed: mount's source, move_mount's from path, pivot_root's put_old.
    pub(crate) source: Option<Vec<u8>>,
    /// As passed: mount's, umount2's, move_mount's to path, pivot_root's new root.
    pub(crate) target: Option<Vec<u8>>,
    pub(crate) target_full: FullPath,
    pub(crate) fs_type: Option<Vec<u8>>,
    pub(crate) options: Option<Vec<u8>>,
}

const MOUNT_HEADER: usize = priv_abi::MOUNT_EVENT_HEADER_SIZE.0 as usize;
plain_abi!(mount_event);
const _: () = assert!(offset_of!(mount_event, data) == MOUNT_HEADER);

/// The header, then the source (source_len bytes with its NUL), the target (target_len),
/// the target's walked name (full_len), the filesystem type and the options.
fn decode_mount(bytes: &[u8]) -> Result<MountEvent, Malformed> {
    if bytes.len() < MOUNT_HEADER {
        return Err(Malformed::Short { len: bytes.len(), need: MOUNT_HEADER });
    }
    let field = |offset: usize| usize::from(decode::read::<u16>(bytes, offset));
    let number = decode::read::<u16>(bytes, offset_of!(mount_event, syscall));
    let &(syscall, _, _) = MOUNT_CALLS.get(usize::from(number)).ok_or(Malformed::Unknown { field: "mount syscall", value: number.into() })?;
    let lens = [
        ("source_len", field(offset_of!(mount_event, source_len))),
        ("target_len", field(offset_of!(mount_event, target_len))),
        ("full_len", field(offset_of!(mount_event, full_len))),
        ("fs_type_len", field(offset_of!(mount_event, fs_type_len))),
        ("options_len", field(offset_of!(mount_event, options_len))),
    ];
    let mut pieces = Vec::with_capacity(lens.len());
    let mut start = MOUNT_HEADER;
    for (name, len) in lens {
        let piece = bytes.get(start..start + len).ok_or(Malformed::Length { field: name, value: len, len: bytes.len() })?;
        pieces.push((start, piece));
        start += len;
    }
    // A string as passed: None when there was none (or it could not be read).
    let string = |piece: &[u8]| (!piece.is_empty()).then(|| text::until_nul(piece).to_vec());
    let target = string(pieces[1].1);
    let byte = |offset: usize| decode::read::<u8>(bytes, offset);
    let target_full = path::decode(
        bytes,
        pieces[2].0,
        lens[2].1,
        byte(offset_of!(mount_event, full_source)),
        byte(offset_of!(mount_event, full_flags)),
        0,
        target.as_deref().unwrap_or_default(),
        "full_len",
    )?;
    Ok(MountEvent {
        task: decode::task(bytes),
        start_ns: decode::read(bytes, offset_of!(mount_event, start_ns)),
        syscall,
        flags: decode::read(bytes, offset_of!(mount_event, flags)),
        attr_flags: decode::read(bytes, offset_of!(mount_event, attr_flags)),
        mnt_ns: decode::read(bytes, offset_of!(mount_event, mnt_ns)),
        ret: decode::read(bytes, offset_of!(mount_event, ret)),
        dirfd: decode::read(bytes, offset_of!(mount_event, dirfd)),
        from_dirfd: decode::read(bytes, offset_of!(mount_event, from_dirfd)),
        source: string(pieces[0].1),
        target,
        target_full,
        fs_type: string(pieces[3].1),
        options: string(pieces[4].1),
    })
}

#[derive(Serialize)]
struct MountRecord {
    exec_id: ExecId,
    syscall: &'static str,
    mnt_ns: u32,
    source: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_hex: Option<String>,
    from_dirfd: Option<Dirfd>,
    target: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_hex: Option<String>,
    target_dirfd: Option<Dirfd>,
    target_full_path: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_full_path_hex: Option<String>,
    target_full_path_truncated: bool,
    put_old: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    put_old_hex: Option<String>,
    fs_type: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fs_type_hex: Option<String>,
    options: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    options_hex: Option<String>,
    fs_fd: Option<i32>,
    flags: Vec<Cow<'static, str>>,
    attr_flags: Vec<Cow<'static, str>>,
    ret: i32,
    errno: Option<Cow<'static, str>>,
}

#[derive(Serialize)]
struct MountOcsf<'a> {
    actor: Actor<'a>,
    device: &'a serde_json::value::RawValue,
    file: File<'a>,
    status_id: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<Cow<'static, str>>,
    unmapped: MountRecord,
}

impl MountEvent {
    fn body(&self, ctx: &RecordContext) -> MountRecord {
        let pivot = self.syscall == "pivot_root";
        let (source, source_hex) = if pivot { (None, None) } else { shown(self.source.as_deref()) };
        let (put_old, put_old_hex) = if pivot { shown(self.source.as_deref()) } else { (None, None) };
        let (target, target_hex) = shown(self.target.as_deref());
        let (full, full_hex) = self.target_full.rendered();
        let (fs_type, fs_type_hex) = shown(self.fs_type.as_deref());
        let (options, options_hex) = shown(self.options.as_deref());
        let flags = match self.syscall {
            "mount" => {
                let flags = if self.flags & 0xffff_0000 == MS_MGC_VAL { self.flags & 0xffff } else { self.flags };
                crate::flags::named(flags, MS_FLAGS)
            }
            "umount2" => crate::flags::named(self.flags, UMOUNT_FLAGS),
            "move_mount" => crate::flags::named(self.flags, MOVE_MOUNT_FLAGS),
            "fsmount" => crate::flags::named(self.flags, FSMOUNT_FLAGS),
            _ => Vec::new(),
        };
        let move_mount = self.syscall == "move_mount";
        MountRecord {
            exec_id: ctx.exec_id(self.start_ns, self.task.pid),
            syscall: self.syscall,
            mnt_ns: self.mnt_ns,
            source,
            source_hex,
            from_dirfd: move_mount.then(|| dirfd(self.from_dirfd)),
            target,
            target_hex,
            target_dirfd: move_mount.then(|| dirfd(self.dirfd)),
            target_full_path: full.map(|f| Cow::Owned(f.into_owned())),
            target_full_path_hex: full_hex,
            target_full_path_truncated: self.target_full.truncated,
            put_old,
            put_old_hex,
            fs_type,
            fs_type_hex,
            options,
            options_hex,
            fs_fd: (self.syscall == "fsmount").then_some(self.dirfd),
            flags,
            attr_flags: if self.syscall == "fsmount" { crate::flags::named(self.attr_flags.into(), MOUNT_ATTR_FLAGS) } else { Vec::new() },
            ret: self.ret,
            errno: errno::of_ret(self.ret.into()),
        }
    }

    /// File System Activity's activity: Mount 12 (mount, move_mount, fsmount, which
    /// makes one), Unmount 13, Other 99 (pivot_root).
    fn activity(&self) -> u8 {
        match self.syscall {
            "umount2" => 13,
            "pivot_root" => 99,
            _ => 12,
        }
    }
}

impl Record for MountEvent {
    const NAME: &'static str = "mount";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_MOUNT.0, decode_mount));

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        push_task_line(line, Self::NAME, ctx, &self.task, &self.body(ctx));
    }

    /// File System Activity: Mount, Unmount, or Other (pivot_root); `file` is the
    /// mount point (a folder): the target in full, or as passed (fsmount's new mount
    /// has none: an empty path).
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let body = self.body(ctx);
        let mut file = File::at(body.target_full_path.clone().or_else(|| body.target.clone()).unwrap_or(Cow::Borrowed("")));
        file.type_id = 2;
        let (status_id, status_detail) = crate::ocsf::status(self.ret.into());
        let event = MountOcsf { actor: Actor::task(&self.task, ctx), device: ocsf.device(), file, status_id, status_detail, unmapped: body };
        ocsf.push_task(line, Class::FileSystem, self.activity(), ctx, &self.task, &event);
    }

    fn schema() -> serde_json::Value {
        let fd = serde_json::json!({"type": ["integer", "string", "null"]});
        let fields = vec![
            Field::exec_id("exec_id", "the caller's process id (as its `exec` records give it)"),
            Field::with("syscall", serde_json::json!({"enum": MOUNT_CALLS.iter().map(|c| c.0).collect::<Vec<_>>()}), "the call (umount2's tracepoint is the kernel's `umount`)"),
            Field::count("mnt_ns", "the caller's mount namespace, by its inode number (as `/proc/PID/ns/mnt` links to `mnt:[N]`)"),
            Field::string("source", "mount: the source as passed (a device, a path for a bind mount, or a name such as `tmpfs`); move_mount: the from path; else `null`").nullable(),
            Field::hex("source_hex", "source"),
            Field::with("from_dirfd", fd.clone(), "move_mount: the from path's dirfd (`\"AT_FDCWD\"` or a descriptor, e.g. fsmount's new mount); else `null`"),
            Field::string("target", "the mount point as passed: mount's, umount2's, move_mount's to path, pivot_root's new root; else `null`").nullable(),
            Field::hex("target_hex", "target"),
            Field::with("target_dirfd", fd, "move_mount: the to path's dirfd; else `null`"),
            Field::string("target_full_path", "`target` in full: an absolute one as passed, else the base directory (the cwd, or move_mount's to dirfd) as the kernel names it, `/`, and the target as passed; move_mount with `MOVE_MOUNT_T_EMPTY_PATH`: the dirfd's file. pivot_root's is named once the call returned, in the new root").nullable(),
            Field::hex("target_full_path_hex", "target_full_path"),
            Field::boolean("target_full_path_truncated", "the base directory's name was cut (too deep, or longer than PATH_MAX)"),
            Field::string("put_old", "pivot_root: where the old root goes, as passed; else `null`").nullable(),
            Field::hex("put_old_hex", "put_old"),
            Field::string("fs_type", "mount: the filesystem type as passed (at most 63 bytes); else `null`").nullable(),
            Field::hex("fs_type_hex", "fs_type"),
            Field::string("options", "mount: its data, the filesystem's options as passed (`size=1m`; at most 255 bytes); `null` when none").nullable(),
            Field::hex("options_hex", "options"),
            Field::with("fs_fd", serde_json::json!({"type": ["integer", "null"]}), "fsmount: the filesystem context's descriptor (from fsopen); else `null`"),
            Field::strings("flags", "the flags passed by name: mount's `MS_*`, umount2's `MNT_*` and `UMOUNT_NOFOLLOW`, move_mount's `MOVE_MOUNT_*`, fsmount's `FSMOUNT_CLOEXEC`; any other bit in hex"),
            Field::strings("attr_flags", "fsmount: the new mount's `MOUNT_ATTR_*` by name; else empty"),
            Field::integer("ret", "`0` (fsmount: the new mount's descriptor), or the negative errno"),
            Field::string("errno", "the errno name when it failed (e.g. `\"EPERM\"`), else `null`").nullable(),
        ];
        crate::schema::task_record(Self::NAME, "One call that changes the mount tree (mount, umount2, move_mount, fsmount, pivot_root), failed ones included.", fields)
    }

    const TEXT: Header = Header {
        columns: &[("TIME(UTC)", 12), ("PID", 7), ("COMM", 16), ("SYSCALL", 10), ("RET", 7)],
        last: "MOUNT",
    };

    /// The source (mount's fs type in brackets) and the target: `tmpfs [tmpfs] -> /mnt`.
    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let ret = errno::of_ret(self.ret.into()).unwrap_or_else(|| Cow::Owned(self.ret.to_string()));
        let target = match (self.target_full.path.as_deref(), self.target.as_deref()) {
            (Some(t), _) | (None, Some(t)) => escape(t).into_owned(),
            (None, None) => "-".to_owned(),
        };
        let mut mount = String::new();
        if let Some(source) = &self.source {
            let _ = write!(mount, "{} ", escape(source));
        }
        if let Some(fs_type) = &self.fs_type {
            let _ = write!(mount, "[{}] ", escape(fs_type));
        }
        let _ = write!(mount, "-> {target}");
        let cells: [&dyn Display; 5] = [&time_of_day(ctx.utc(self.task.ts_ns)), &self.task.pid, &escape(&self.task.comm), &self.syscall, &ret];
        Self::TEXT.row(line, &cells, &mount);
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        // mount("tmpfs", "mnt", "tmpfs", MS_NOSUID, "size=1m") in cwd /srv.
        let mut b = crate::decode::tests::header(sysnoop_kind::SN_KIND_MOUNT.0, MOUNT_HEADER);
        let mut put = |offset: usize, bytes: &[u8]| b[offset..offset + bytes.len()].copy_from_slice(bytes);
        put(offset_of!(mount_event, flags), &2u64.to_ne_bytes());
        put(offset_of!(mount_event, mnt_ns), &4026531841u32.to_ne_bytes());
        put(offset_of!(mount_event, dirfd), &(-100i32).to_ne_bytes());
        put(offset_of!(mount_event, from_dirfd), &(-100i32).to_ne_bytes());
        for (field, len) in [(offset_of!(mount_event, source_len), 6u16), (offset_of!(mount_event, target_len), 4), (offset_of!(mount_event, full_len), 4), (offset_of!(mount_event, fs_type_len), 6), (offset_of!(mount_event, options_len), 8)] {
            put(field, &len.to_ne_bytes());
        }
        put(offset_of!(mount_event, full_source), &[2]); // SN_PATH_BASE
        b.extend_from_slice(b"tmpfs\0mnt\0/srvtmpfs\0size=1m\0");
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::json;
    use crate::kinds::Event;

    #[test]
    fn a_setresuid_that_drops_root() {
        let e = decode_cred(&<CredEvent as Record>::example().unwrap()).unwrap();
        let v = json(&Event::Cred(e.clone()));
        assert_eq!((&v["syscall"], &v["args"]), (&"setresuid".into(), &serde_json::json!([1000, 1000, -1])));
        assert_eq!((&v["before"]["euid"], &v["after"]["euid"], &v["after"]["suid"]), (&0.into(), &1000.into(), &0.into()));
        assert_eq!(v["caps"]["before"]["effective"].as_array().unwrap().len(), 41);
        assert_eq!((&v["caps"]["after"]["effective"], &v["caps"]["passed"]), (&serde_json::json!([]), &serde_json::Value::Null));
        assert_eq!((&v["groups"], &v["failed"], &v["errno"]), (&serde_json::Value::Null, &false.into(), &serde_json::Value::Null));
        let o = crate::ocsf::json(&Event::Cred(e));
        assert_eq!(crate::ocsf::ids(&o), (1007, 5, 100705));
        assert_eq!((&o["actor"]["user"]["uid"], &o["process"]["user"]["uid"]), (&"0".into(), &"1000".into()));
    }

    #[test]
    fn setgroups_carries_its_lists() {
        let mut b = <CredEvent as Record>::example().unwrap();
        b.resize(CRED_SIZE, 0);
        b[offset_of!(cred_event, syscall)..][..2].copy_from_slice(&(priv_cred_syscall::CRED_SETGROUPS.0 as u16).to_ne_bytes());
        b[offset_of!(cred_event, args)..][..8].copy_from_slice(&2i64.to_ne_bytes());
        b[offset_of!(cred_event, groups_passed)..][..8].copy_from_slice(&[200u32.to_ne_bytes(), 100u32.to_ne_bytes()].concat());
        b[offset_of!(cred_event, ngroups_after)..][..4].copy_from_slice(&2u32.to_ne_bytes());
        b[offset_of!(cred_event, groups_after)..][..8].copy_from_slice(&[100u32.to_ne_bytes(), 200u32.to_ne_bytes()].concat());
        let v = json(&Event::Cred(decode_cred(&b).unwrap()));
        assert_eq!(v["groups"], serde_json::json!({"passed": [200, 100], "before": [], "after": [100, 200], "truncated": false}));
        assert_eq!(v["args"], serde_json::json!([2]));
        // The lists are always there for setgroups.
        assert!(matches!(decode_cred(&b[..CRED_BASE]), Err(Malformed::Short { .. })));
    }

    #[test]
    fn setfsuid_fails_without_an_errno() {
        let mut e = decode_cred(&<CredEvent as Record>::example().unwrap()).unwrap();
        (e.syscall, e.args, e.ret) = ("setfsuid", [1000, 0, 0], 0);
        e.after.fsuid = 0;
        assert!(e.failed() && e.errno().is_none());
        e.after.fsuid = 1000;
        assert!(!e.failed());
    }

    #[test]
    fn the_text_says_what_changed() {
        let mut e = decode_cred(&<CredEvent as Record>::example().unwrap()).unwrap();
        assert_eq!(e.changes(), "uid 0->1000 euid 0->1000 fsuid 0->1000 caps.effective -41 capabilities caps.permitted -41 capabilities");
        e.caps_after = e.caps_before;
        e.caps_after.effective &= !(1 << 7);
        e.after = e.before;
        assert_eq!(e.changes(), "caps.effective -CAP_SETUID");
        e.caps_after = e.caps_before;
        assert_eq!(e.changes(), "(unchanged)");
    }

    #[test]
    fn ptrace_requests_as_ocsf_activities() {
        let mut e = decode_ptrace(&<PtraceEvent as Record>::example().unwrap()).unwrap();
        for (request, activity) in [(0, ACTIVITY_OPEN), (0x4206, ACTIVITY_OPEN), (5, ACTIVITY_INJECT), (0x4205, ACTIVITY_INJECT), (2, ACTIVITY_OTHER), (17, ACTIVITY_OTHER)] {
            e.request = request;
            assert_eq!(e.activity(), activity, "{}", request_name(request));
        }
        e.request = 5;
        let o = crate::ocsf::json(&Event::Ptrace(e.clone()));
        assert_eq!((&o["activity_id"], &o["injection_type"], &o["injection_type_id"]), (&4.into(), &"ptrace".into(), &99.into()));
        e.request = 0x9999;
        assert_eq!(json(&Event::Ptrace(e))["request"], "PTRACE_39321");
    }

    #[test]
    fn a_loaded_program_as_the_kernel_holds_it() {
        let e = decode_bpf_prog(&<BpfProgEvent as Record>::example().unwrap()).unwrap();
        let v = json(&Event::BpfProg(e.clone()));
        assert_eq!((&v["prog_type"], &v["name"], &v["id"], &v["tag"], &v["fd"]), (&"socket_filter".into(), &"sn_test".into(), &42.into(), &"a04f5eef16785afb".into(), &3.into()));
        let o = crate::ocsf::json(&Event::BpfProg(e.clone()));
        assert_eq!(crate::ocsf::ids(&o), (1003, 1, 100301));
        assert_eq!(o["kernel"], serde_json::json!({"name": "sn_test", "type": "bpf_prog:socket_filter", "type_id": 99}));
        // Refused: as passed, no id.
        let refused = BpfProgEvent { ret: -22, loaded: None, ..e };
        let v = json(&Event::BpfProg(refused));
        assert_eq!((&v["id"], &v["tag"], &v["fd"], &v["errno"], &v["loaded"]), (&serde_json::Value::Null, &serde_json::Value::Null, &serde_json::Value::Null, &"EINVAL".into(), &false.into()));
    }

    #[test]
    fn a_mount_with_its_target_in_full() {
        let e = decode_mount(&<MountEvent as Record>::example().unwrap()).unwrap();
        let v = json(&Event::Mount(e.clone()));
        assert_eq!((&v["syscall"], &v["source"], &v["target"], &v["target_full_path"]), (&"mount".into(), &"tmpfs".into(), &"mnt".into(), &"/srv/mnt".into()));
        assert_eq!((&v["fs_type"], &v["options"], &v["flags"], &v["put_old"], &v["from_dirfd"]), (&"tmpfs".into(), &"size=1m".into(), &serde_json::json!(["MS_NOSUID"]), &serde_json::Value::Null, &serde_json::Value::Null));
        let o = crate::ocsf::json(&Event::Mount(e.clone()));
        assert_eq!(crate::ocsf::ids(&o), (1001, 12, 100112));
        assert_eq!(o["file"], serde_json::json!({"name": "mnt", "type_id": 2, "path": "/srv/mnt"}));
        // The magic number old callers put in the top bits is not a flag.
        let magic = MountEvent { flags: MS_MGC_VAL | 1, ..e.clone() };
        assert_eq!(json(&Event::Mount(magic))["flags"], serde_json::json!(["MS_RDONLY"]));
        let mut b = <MountEvent as Record>::example().unwrap();
        b[offset_of!(mount_event, options_len)..][..2].copy_from_slice(&100u16.to_ne_bytes());
        assert!(matches!(decode_mount(&b), Err(Malformed::Length { field: "options_len", .. })));
    }

    #[test]
    fn capabilities_by_name() {
        assert_eq!(cap_names(1 << 7 | 1 << 21 | 1 << 45), ["CAP_SETUID", "CAP_SYS_ADMIN", "cap_45"]);
    }

    #[test]
    fn an_attach_names_its_target() {
        let e = decode_ptrace(&<PtraceEvent as Record>::example().unwrap()).unwrap();
        let v = json(&Event::Ptrace(e.clone()));
        assert_eq!((&v["request"], &v["request_id"], &v["target_pid"], &v["addr"]), (&"PTRACE_ATTACH".into(), &16.into(), &4243.into(), &"0x0".into()));
        assert_eq!((&v["target"]["tid"], &v["target"]["comm"]), (&4243.into(), &"sleep".into()));
        let o = crate::ocsf::json(&Event::Ptrace(e));
        assert_eq!(crate::ocsf::ids(&o), (1007, 3, 100703));
        assert_eq!((&o["process"]["pid"], &o["process"]["name"]), (&4243.into(), &"sleep".into()));
    }
}
