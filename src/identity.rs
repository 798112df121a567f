//! Process identity: `exec_id`, a name for a process that stays unique on this host
//! across pid reuse and reboots, the same whether it comes from the kernel at an exec or
//! exit, or from /proc for a process that was running before sysnoop.
//!
//! It is 32 lowercase hex digits: the first 8 bytes of the boot id
//! (/proc/sys/kernel/random/boot_id, 16 digits), the process's start in clock ticks
//! since boot (10 digits), and its pid (6 digits). The start is the group leader's
//! `start_boottime`, which /proc/PID/stat's field 22 shows in clock ticks (USER_HZ,
//! 100 a second), so the kernel's nanoseconds and /proc's ticks give the same id without
//! a table of processes. It names a process from fork to exit: an exec keeps it, as the
//! pid does. Two processes share one only if one pid is reused within a clock tick
//! (10 ms), which takes forking through the whole pid space in that time.

use std::fmt;

use nix::unistd::{sysconf, SysconfVar};

/// What exec ids are made of on this host: its boot and its clock tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The first 8 bytes of the boot id.
    boot: u64,
    /// Nanoseconds per clock tick (10,000,000 at USER_HZ 100).
    tick_ns: u64,
}

/// Where the kernel names this boot.
const BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";

impl Identity {
    /// This host's: its boot id and clock tick. Without a boot id (no /proc) the boot part
    /// is 0, said once on stderr: ids are then unique within this boot only.
    pub(crate) fn of_host() -> Self {
        let ticks_per_s = sysconf(SysconfVar::CLK_TCK).ok().flatten().filter(|&t| t > 0).unwrap_or(100) as u64;
        let boot = std::fs::read_to_string(BOOT_ID).ok().and_then(|id| boot_of(&id));
        if boot.is_none() {
            crate::say!("sysnoop: warning: no boot id in {BOOT_ID}: exec ids are unique within this boot only");
        }
        Identity { boot: boot.unwrap_or(0), tick_ns: 1_000_000_000 / ticks_per_s }
    }

    /// Fixed parts: replays render the same ids on every machine.
    pub(crate) const fn fixed(boot: u64, tick_ns: u64) -> Self {
        Identity { boot, tick_ns }
    }

    /// The id of the process `pid` that began `start_ns` after boot (CLOCK_BOOTTIME).
    pub(crate) fn of(&self, start_ns: u64, pid: u32) -> ExecId {
        self.of_ticks(start_ns / self.tick_ns, pid)
    }

    /// The same from /proc/PID/stat's start time, in clock ticks.
    pub(crate) fn of_ticks(&self, ticks: u64, pid: u32) -> ExecId {
        let mut id = [0; 32];
        hex(&mut id[..16], self.boot);
        hex(&mut id[16..26], ticks);
        hex(&mut id[26..], pid.into());
        ExecId(id)
    }

    /// A start in ticks, as a start in CLOCK_BOOTTIME nanoseconds.
    pub(crate) fn ticks_ns(&self, ticks: u64) -> u64 {
        ticks.saturating_mul(self.tick_ns)
    }
}

/// This host as a collector receiving many hosts' streams tells them apart: the start
/// record's `hostname`, `machine_id` and `boot_id`, each null when it cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Host {
    pub(crate) hostname: Option<String>,
    /// /etc/machine-id: 32 lowercase hex digits, the same across reboots.
    pub(crate) machine_id: Option<String>,
    /// This boot's id (a UUID), the one exec ids begin with.
    pub(crate) boot_id: Option<String>,
}

/// Where systemd (or dbus, on hosts without it) keeps the machine id.
const MACHINE_IDS: [&str; 2] = ["/etc/machine-id", "/var/lib/dbus/machine-id"];

impl Host {
    pub(crate) fn read() -> Host {
        let hostname = nix::unistd::gethostname().ok().map(|h| h.to_string_lossy().into_owned());
        let machine_id = MACHINE_IDS.iter().find_map(|path| std::fs::read_to_string(path).ok().and_then(|id| machine_id(&id)));
        let boot_id = std::fs::read_to_string(BOOT_ID).ok().and_then(|id| boot_id(&id));
        Host { hostname, machine_id, boot_id }
    }
}

/// A machine id as the file holds it: 32 lowercase hex digits and a newline.
fn machine_id(text: &str) -> Option<String> {
    let id = text.trim_end_matches('\n');
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))).then(|| id.to_owned())
}

/// A boot id as the kernel gives it: a UUID in lowercase hex, and a newline.
fn boot_id(text: &str) -> Option<String> {
    let id = text.trim_end_matches('\n');
    let shape = id.len() == 36
        && id.bytes().enumerate().all(|(i, b)| if [8, 13, 18, 23].contains(&i) { b == b'-' } else { b.is_ascii_hexdigit() && !b.is_ascii_uppercase() });
    shape.then(|| id.to_owned())
}

/// The first 8 bytes of a boot id ("2b2c1e7c-6a1f-4e3b-...").
fn boot_of(id: &str) -> Option<u64> {
    let digits: String = id.trim().chars().filter(|&c| c != '-').take(16).collect();
    (digits.len() == 16).then(|| u64::from_str_radix(&digits, 16).ok()).flatten()
}

/// `value`'s low `out.len()` hex digits, zero-padded.
fn hex(out: &mut [u8], mut value: u64) {
    for b in out.iter_mut().rev() {
        *b = b"0123456789abcdef"[(value & 0xf) as usize];
        value >>= 4;
    }
}

/// A process's id: 32 lowercase hex digits, kept inline (no allocation per record).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ExecId([u8; 32]);

impl ExecId {
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("hex digits")
    }
}

impl fmt::Display for ExecId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ExecId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExecId({})", self.as_str())
    }
}

impl serde::Serialize for ExecId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The fields of /proc/PID/stat from the third (state) on: the name in parentheses
/// may hold spaces and parentheses, so they start after its last `)`.
pub(crate) fn stat_fields(stat: &[u8]) -> Option<Vec<&[u8]>> {
    let close = stat.iter().rposition(|&b| b == b')')?;
    Some(stat[close + 1..].split(u8::is_ascii_whitespace).filter(|f| !f.is_empty()).collect())
}

/// A field of /proc/PID/stat by its number in proc(5) (from 3 on), as a number.
pub(crate) fn stat_field(fields: &[&[u8]], number: usize) -> Option<u64> {
    std::str::from_utf8(fields.get(number.checked_sub(3)?)?).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_boot_start_and_pid() {
        let id = Identity::fixed(0x2b2c_1e7c_6a1f_4e3b, 10_000_000);
        // 12.345678 s after boot is tick 1234.
        assert_eq!(id.of(12_345_678_901, 4242).as_str(), "2b2c1e7c6a1f4e3b00000004d2001092");
        assert_eq!(id.of(12_345_678_901, 4242), id.of_ticks(1234, 4242));
        assert_ne!(id.of(12_345_678_901, 4242), id.of(12_355_678_901, 4242), "a tick later");
        assert_ne!(id.of(12_345_678_901, 4242), id.of(12_345_678_901, 4243));
        assert_eq!(id.of(u64::MAX, 4_194_304).as_str().len(), 32, "the largest pid and start still fit 32 digits");
        assert_eq!(serde_json::to_string(&id.of(0, 1)).unwrap(), "\"2b2c1e7c6a1f4e3b0000000000000001\"");
        assert_eq!(id.ticks_ns(1234), 12_340_000_000);
    }

    #[test]
    fn host_ids_as_their_files_hold_them() {
        assert_eq!(machine_id("0123456789abcdef0123456789abcdef\n").as_deref(), Some("0123456789abcdef0123456789abcdef"));
        assert_eq!(machine_id("uninitialized\n"), None);
        assert_eq!(machine_id("0123456789ABCDEF0123456789abcdef\n"), None);
        assert_eq!(boot_id("2b2c1e7c-6a1f-4e3b-9d3e-0123456789ab\n").as_deref(), Some("2b2c1e7c-6a1f-4e3b-9d3e-0123456789ab"));
        assert_eq!(boot_id("2b2c1e7c6a1f4e3b9d3e0123456789ab\n"), None);
        let host = Host::read();
        assert!(host.boot_id.is_some() && host.hostname.is_some(), "{host:?}");
    }

    #[test]
    fn boot_ids() {
        assert_eq!(boot_of("2b2c1e7c-6a1f-4e3b-9d0e-5f6a7b8c9d0e\n"), Some(0x2b2c_1e7c_6a1f_4e3b));
        assert_eq!(boot_of("nonsense"), None);
        assert_eq!(boot_of(""), None);
        assert_ne!(Identity::of_host().boot, 0, "this host has a boot id");
    }

    #[test]
    fn stat_fields_after_the_name() {
        let stat = b"4242 (a) b) (c) S 1 4242 4242 0 -1 4194560 99 0 0 0 0 0 0 0 20 0 1 0 123456 1000 10";
        let fields = stat_fields(stat).unwrap();
        assert_eq!(fields[0], b"S");
        assert_eq!(stat_field(&fields, 4), Some(1), "ppid");
        assert_eq!(stat_field(&fields, 22), Some(123_456), "starttime");
        assert_eq!(stat_field(&fields, 99), None);
        assert_eq!(stat_field(&fields, 2), None);
        assert!(stat_fields(b"no name").is_none());
    }

    /// The kernel's start of this process, through /proc, gives the id the BPF side's
    /// nanoseconds give: the tick is the same division.
    #[test]
    fn proc_and_kernel_agree_on_this_process() {
        let host = Identity::of_host();
        let stat = std::fs::read(format!("/proc/{}/stat", std::process::id())).unwrap();
        let ticks = stat_field(&stat_fields(&stat).unwrap(), 22).unwrap();
        let ns = host.ticks_ns(ticks) + host.tick_ns - 1;
        assert_eq!(host.of(ns, std::process::id()), host.of_ticks(ticks, std::process::id()));
    }
}
