//! The kind registry: every event kind sysnoop traces, one line each in `registry!`
//! below. A kind lives in one place: its BPF trio (`bpf/<kind>.bpf.c`, `bpf/<kind>.h`)
//! and its module here, which holds its options, its loader and its records. What every
//! kind shares iterates this registry: the command line (a subcommand per kind, and its
//! options flattened into `all`), decode dispatch, the "tracing" line and the summary.
//!
//! Adding a kind: write the trio and `src/kinds/<kind>.rs` (a `Tracer` and a `Record`
//! per record kind), and add its line here. If it sends records through the ring
//! buffer, give it an `enum sysnoop_kind` value in bpf/sysnoop.h; a value no record
//! here decodes, or one decoded twice, fails the build.

use std::fmt;

use anyhow::Result;
use clap::{ArgMatches, FromArgMatches};

use crate::decode::Malformed;
use crate::event::Record;
use crate::event::RecordContext;
use crate::loader::{Loaded, Shared};
use crate::ocsf::Ocsf;

/// One line per kind: `module: Tracer => RecordVariant(Event), ...;` The tracers
/// become subcommands in this order; the records become the `Kind` and `Event` enums.
macro_rules! registry {
    ($($module:ident: $tracer:ident => $($variant:ident($event:ident)),+;)*) => {
        $(pub mod $module;)*

        /// Every tracing subcommand, in `--help` order.
        pub(crate) static TRACERS: &[&dyn Registered] = &[$(&$module::$tracer),*];

        /// Every record kind.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Kind { $($($variant,)+)* }

        impl Kind {
            pub(crate) const ALL: &[Kind] = &[$($(Kind::$variant,)+)*];

            /// The JSON Schema of its native records.
            pub(crate) fn schema(self) -> serde_json::Value {
                match self { $($(Kind::$variant => <$module::$event as Record>::schema(),)+)* }
            }

            /// Its columns under `--format text`.
            pub(crate) fn text_header(self) -> &'static crate::columns::Header {
                match self { $($(Kind::$variant => &<$module::$event as Record>::TEXT,)+)* }
            }

            /// The record's `kind` field, and its key in the summary.
            pub(crate) fn name(self) -> &'static str {
                match self { $($(Kind::$variant => <$module::$event as Record>::NAME,)+)* }
            }

            /// Whether the kernel sends these records through the ring buffer.
            #[cfg(test)]
            pub(crate) fn in_ring(self) -> bool {
                match self { $($(Kind::$variant => <$module::$event as Record>::RING.is_some(),)+)* }
            }

            /// The kind of records whose header says `kind` (bpf/sysnoop.h).
            #[cfg(test)]
            pub(crate) fn from_ring_kind(kind: u32) -> Option<Kind> {
                $($(if let Some((k, _)) = <$module::$event as Record>::RING {
                    if k == kind {
                        return Some(Kind::$variant);
                    }
                })+)*
                None
            }
        }

        /// A decoded record of any kind.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub(crate) enum Event { $($($variant($module::$event),)+)* }

        impl Event {
            pub(crate) fn kind(&self) -> Kind {
                match self { $($(Event::$variant(_) => Kind::$variant,)+)* }
            }

            /// Appends this event's NDJSON line (with its newline) to `line`.
            pub(crate) fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
                match self { $($(Event::$variant(e) => e.write_json(ctx, line),)+)* }
            }

            /// Appends this event's text columns (no newline) to `line`.
            pub(crate) fn write_text(&self, ctx: &RecordContext, line: &mut String) {
                match self { $($(Event::$variant(e) => e.write_text(ctx, line),)+)* }
            }

            /// Appends this event as one OCSF event (with its newline) to `line`.
            pub(crate) fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
                match self { $($(Event::$variant(e) => e.write_ocsf(ctx, ocsf, line),)+)* }
            }
        }

        /// The record the header's `kind` says, decoded; None for a kind nobody sends.
        #[inline]
        pub(crate) fn decode(kind: u32, bytes: &[u8]) -> Option<(Kind, Result<Event, Malformed>)> {
            $($(if let Some((k, decode)) = <$module::$event as Record>::RING {
                if k == kind {
                    return Some((Kind::$variant, decode(bytes).map(Event::$variant)));
                }
            })+)*
            None
        }

        // Every kind the C side can put in a header is decoded by exactly one record.
        const _: () = {
            let end = crate::abi::sysnoop_kind::SN_KIND_NR.0;
            $($(if let Some((k, _)) = <$module::$event as Record>::RING {
                assert!(k >= 1 && k < end, "a record's ring kind is not in enum sysnoop_kind (bpf/sysnoop.h)");
            })+)*
            let mut kind = 1;
            while kind < end {
                let mut decoders = 0;
                $($(if let Some((k, _)) = <$module::$event as Record>::RING {
                    if k == kind {
                        decoders += 1;
                    }
                })+)*
                assert!(decoders == 1, "each enum sysnoop_kind value (bpf/sysnoop.h) needs exactly one registered record");
                kind += 1;
            }
        };

        /// One real record of every kind the ring buffer carries, as the kernel lays it out.
        #[cfg(test)]
        pub(crate) fn example_records() -> Vec<(Kind, Vec<u8>)> {
            let mut records = Vec::new();
            $($(if let Some(bytes) = <$module::$event as Record>::example() {
                records.push((Kind::$variant, bytes));
            })+)*
            records
        }
    };
}

registry! {
    open: Open => Open(OpenEvent);
    exec: Exec => Exec(ExecEvent), Process(ProcessEvent);
    exit: Exit => Exit(ExitEvent);
    connect: Connect => Connect(ConnectEvent), ConnectResult(ConnectResultEvent);
    accept: Accept => Accept(AcceptEvent);
    bind: Bind => Bind(BindEvent), Listen(ListenEvent);
    file: FileChanges => File(FileEvent);
    privilege: Privilege => Cred(CredEvent), Ptrace(PtraceEvent), BpfProg(BpfProgEvent), Mount(MountEvent), Module(ModuleEvent);
    syscall: Syscalls => Syscall(SyscallEvent), SyscallCount(SyscallCountEvent);
    lsm: Lsm => LsmFileOpen(LsmFileOpenEvent), LsmConnect(LsmConnectEvent);
    traffic: Traffic => Traffic(TrafficEvent), Alert(AlertEvent);
}

impl Event {
    /// Gives the event's byte buffers back to src/pool.rs, for the next records the poll
    /// thread decodes: open's and syscall's, the records a busy host sends by the million.
    /// Any other event is dropped.
    pub(crate) fn recycle(self) {
        match self {
            Event::Open(e) => e.recycle(),
            Event::Syscall(e) => e.recycle(),
            _ => {}
        }
    }
}

/// Any record from the session's ring buffer, told apart by its header's `kind`. A
/// record that fails to decode comes back with its kind when that much was readable.
#[inline]
pub(crate) fn record(bytes: &[u8]) -> Result<Event, (Option<Kind>, crate::decode::Malformed)> {
    let Some(raw) = bytes.get(crate::decode::KIND_OFFSET..crate::decode::KIND_OFFSET + 4) else {
        return Err((None, crate::decode::Malformed::Short { len: bytes.len(), need: crate::decode::KIND_OFFSET + 4 }));
    };
    let kind = u32::from_ne_bytes(raw.try_into().unwrap());
    match decode(kind, bytes) {
        Some((kind, decoded)) => decoded.map_err(|e| (Some(kind), e)),
        None => Err((None, crate::decode::Malformed::UnknownKind(kind))),
    }
}

/// Every record kind's schema, by name.
pub(crate) fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    let mut schemas: Vec<(&'static str, serde_json::Value)> = Kind::ALL.iter().map(|k| (k.name(), k.schema())).collect();
    schemas.extend(crate::schema::run_records());
    schemas
}

/// The schema of `kind`'s records, or of every record when None (any one of them, told
/// apart by `kind`). None when there is no such kind.
pub fn schema_document(kind: Option<&str>) -> Option<serde_json::Value> {
    let schemas = schemas();
    let mut document = match kind {
        Some(kind) => schemas.into_iter().find(|(name, _)| *name == kind)?.1,
        None => {
            let one_of: Vec<serde_json::Value> = schemas.iter().map(|(name, _)| serde_json::json!({"$ref": format!("#/$defs/{name}")})).collect();
            let defs: serde_json::Map<String, serde_json::Value> = schemas.into_iter().map(|(name, schema)| (name.to_owned(), schema)).collect();
            serde_json::json!({"title": "sysnoop record", "description": "One line of sysnoop's native output.", "oneOf": one_of, "$defs": defs})
        }
    };
    document["$schema"] = crate::schema::DIALECT.into();
    Some(document)
}

/// The kinds `sysnoop schema KIND` takes.
pub(crate) fn schema_names() -> Vec<&'static str> {
    schemas().into_iter().map(|(name, _)| name).collect()
}

/// One kind's tracer: implemented by a unit struct in the kind's module.
///
/// The contract a kind keeps:
/// - `load` runs on a thread of its own, beside every other kind's load
///   (`session::trace`); all it shares is `Shared` (read-only, plus the maps libbpf
///   reuses). It returns only once its programs are attached and seen to run
///   (`Shared::live`), or with an error that names the program and the cause.
/// - It touches no process-wide state: libbpf's print callback is installed once
///   (src/libbpf_log.rs) and captures per thread, so a load that wants libbpf quiet or
///   its log explained uses `libbpf_log`'s per-thread capture, never `set_print`; no
///   signal dispositions, no rlimits, no capabilities (src/caps.rs gives them up after
///   every load), no current directory.
/// - What it hands back (`Loaded`) is owned: the skeleton, its sources and counters,
///   any periodic producer and --dedup table; the writer thread takes those, and the
///   follower, if any, is loaded after every kind (it must see every kind's tasks).
/// - It shares code with other kinds only through lower modules (tests/layers.rs).
pub(crate) trait Tracer: Sync + 'static {
    /// Its subcommand, and its name in messages and on the "tracing" line.
    const NAME: &'static str;
    /// Whether `all` traces it.
    const IN_ALL: InAll;
    /// Whether it traces tasks through the ring buffer: it takes the process filters
    /// and --ring-size, and needs tracefs. False for kinds counted per cgroup (traffic).
    const PER_TASK: bool = true;
    /// Whether it attaches tracefs tracepoints (which takes reading tracefs, and
    /// perf_event_open): every kind that traces tasks but lsm (its hooks attach through
    /// BTF alone).
    const TRACEPOINTS: bool = Self::PER_TASK;
    /// Whether the /proc snapshot waits for it to be live before it reads /proc: a
    /// process the snapshot lists must have its exec and its exit traced from then on.
    const SNAPSHOT_NEEDS: bool = false;
    /// Its own options (clap derive; the struct's doc comment is the subcommand's
    /// help). The same struct is flattened into `all`.
    type Options: clap::Args + FromArgMatches + fmt::Debug + Sync + 'static;

    /// Loads, attaches and proves live its programs.
    fn load(shared: &Shared, options: &Self::Options) -> Result<Loaded>;

    /// Options clap cannot check alone (a usage error, exit 2, with this reason).
    fn check(_options: &Self::Options) -> Result<(), String> {
        Ok(())
    }

    /// Its options as part of `all`, where some defaults differ.
    fn in_all(_options: &mut Self::Options) {}

    /// Whether the run begins with the /proc snapshot (its Loaded's `snapshot`).
    fn snapshot(_options: &Self::Options) -> bool {
        false
    }
}

/// How `all` treats a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InAll {
    /// Not in `all`.
    No,
    /// In `all`, which fails when it cannot be loaded.
    Required,
    /// In `all` where it can be loaded; elsewhere `all` goes on without it and says
    /// so on stderr: `sysnoop: <unavailable>: <why>`.
    IfAvailable { unavailable: &'static str },
}

/// A registered tracer, as the shared code sees it (object-safe).
pub(crate) trait Registered: Sync {
    fn name(&self) -> &'static str;
    fn in_all(&self) -> InAll;
    fn per_task(&self) -> bool;
    /// Adds this kind's options (and help) to a command.
    fn args(&self, command: clap::Command) -> clap::Command;
    /// This kind with its options, read back from the command line; `in_all`: as
    /// part of `all`.
    fn select(&self, matches: &ArgMatches, in_all: bool) -> Result<Selected, clap::Error>;
}

impl<T: Tracer> Registered for T {
    fn name(&self) -> &'static str {
        T::NAME
    }

    fn in_all(&self) -> InAll {
        T::IN_ALL
    }

    fn per_task(&self) -> bool {
        T::PER_TASK
    }

    fn args(&self, command: clap::Command) -> clap::Command {
        <T::Options as clap::Args>::augment_args(command)
    }

    fn select(&self, matches: &ArgMatches, in_all: bool) -> Result<Selected, clap::Error> {
        let mut options = T::Options::from_arg_matches(matches)?;
        if in_all {
            T::in_all(&mut options);
        }
        T::check(&options).map_err(|reason| clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{reason}\n")))?;
        let optional = match T::IN_ALL {
            InAll::IfAvailable { unavailable } if in_all => Some(unavailable),
            _ => None,
        };
        Ok(Selected {
            name: T::NAME,
            optional,
            per_task: T::PER_TASK,
            tracepoints: T::TRACEPOINTS,
            snapshot: T::snapshot(&options),
            snapshot_needs: T::SNAPSHOT_NEEDS,
            plan: Box::new(Planned::<T>(options)),
        })
    }
}

/// A kind chosen for a run, with its resolved options.
#[derive(Debug)]
pub(crate) struct Selected {
    pub(crate) name: &'static str,
    /// In `all`, for a kind it goes on without: what it says then (see `InAll`).
    pub(crate) optional: Option<&'static str>,
    pub(crate) per_task: bool,
    /// Tracer::TRACEPOINTS.
    pub(crate) tracepoints: bool,
    /// Tracer::snapshot(), with these options.
    pub(crate) snapshot: bool,
    /// Tracer::SNAPSHOT_NEEDS.
    pub(crate) snapshot_needs: bool,
    plan: Box<dyn Plan>,
}

impl Selected {
    pub(crate) fn load(&self, shared: &Shared) -> Result<Loaded> {
        self.plan.load(shared)
    }
}

trait Plan: fmt::Debug + Sync {
    fn load(&self, shared: &Shared) -> Result<Loaded>;
}

struct Planned<T: Tracer>(T::Options);

impl<T: Tracer> Plan for Planned<T> {
    fn load(&self, shared: &Shared) -> Result<Loaded> {
        T::load(shared, &self.0)
    }
}

impl<T: Tracer> fmt::Debug for Planned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", T::NAME, self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let unique = |mut names: Vec<&str>| {
            let count = names.len();
            names.sort();
            names.dedup();
            names.len() == count
        };
        assert!(unique(Kind::ALL.iter().map(|k| k.name()).collect()));
        assert!(unique(TRACERS.iter().map(|t| t.name()).chain(["all", "doctor", "schema"]).collect()));
    }

    #[test]
    fn every_ring_record_has_an_example() {
        let examples: Vec<Kind> = example_records().into_iter().map(|(k, _)| k).collect();
        for kind in Kind::ALL.iter().filter(|k| k.in_ring()) {
            assert!(examples.contains(kind), "{kind:?} has no example record");
        }
    }

    /// Every kind's schema is one record: `kind` first among the required fields, every
    /// required field a property, every property described.
    #[test]
    fn every_record_schema_is_complete() {
        for (name, schema) in schemas() {
            let properties = schema["properties"].as_object().unwrap();
            let required: Vec<&str> = schema["required"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
            assert_eq!(required[..3], ["kind", "time", "session"], "{name}");
            assert!(required.iter().all(|r| properties.contains_key(*r)), "{name}");
            assert!(properties.values().all(|p| p["description"].is_string()), "{name}");
            assert_eq!(schema["additionalProperties"], false, "{name}");
        }
        assert_eq!(schema_document(Some("nope")), None);
        // The run records: start, loss, summary, stats.
        assert_eq!(schema_document(None).unwrap()["oneOf"].as_array().unwrap().len(), Kind::ALL.len() + 4);
    }
}
