//! The generic loader: what every BPF object shares (bpf/common.bpf.h), done once for
//! all of them. Opening an object writes the filters, sysnoop's own pid and the wakeup
//! threshold into its rodata and points its `events` map at the run's one ring buffer;
//! loading and attaching name the object in errors; `live` proves its programs fire
//! (see live.rs). A kind's module only does what is its own: which programs to load,
//! its own rodata, and its probe calls.

use std::any::Any;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use libbpf_rs::libbpf_sys::bpf_map_create_opts;
use libbpf_rs::{MapCore, MapFlags, MapHandle, MapType, OpenMapMut, OpenObject};

use crate::filter::Filters;
use crate::kinds::{Event, Kind};
use crate::stats::Skippable;
use crate::transport::{Events, Transport};
use crate::{live, preflight};

/// A generated skeleton, as the loader sees it. Implemented for every object in
/// bpf/ by the `skeleton!` macro (src/lib.rs): every object includes
/// bpf/common.bpf.h, so every one has these globals and maps.
pub(crate) trait Object: Sized + Send + 'static {
    /// The opened, not yet loaded, skeleton.
    type Open;
    /// The object's name: `bpf/<NAME>.bpf.c`.
    const NAME: &'static str;

    /// Opens it to be relocated against the BTF in file `btf`, or else the kernel's.
    fn open(btf: Option<&Path>) -> libbpf_rs::Result<Self::Open>;
    /// Writes the shared globals into the opened object's rodata.
    fn set_common(open: &mut Self::Open, common: &Common);
    /// The opened object, for what every program of it shares.
    fn object_mut(open: &mut Self::Open) -> &mut OpenObject;
    /// The kernel features (src/features.rs, one bit each) of the variant that loads
    /// on this kernel, and of the one with every feature the object uses.
    fn variant_mask() -> u32;
    fn used_features() -> u32;
    fn events(open: &mut Self::Open) -> &mut OpenMapMut<'static>;
    /// The perf transport's room for records built in place (not made for the ring).
    fn reserved(open: &mut Self::Open) -> &mut OpenMapMut<'static>;
    /// The set of followed tasks (-- CMD, --follow), a placeholder until reused.
    fn followed(open: &mut Self::Open) -> &mut OpenMapMut<'static>;
    /// --cgroup's directory, likewise.
    fn cgroup_filter(open: &mut Self::Open) -> &mut OpenMapMut<'static>;
    fn load(open: Self::Open) -> libbpf_rs::Result<Self>;
    /// Attaches every program that was loaded and has an attach point in its SEC().
    fn attach(&mut self) -> libbpf_rs::Result<()>;
    /// The `self_seen` slots in the object's bss (see live.rs).
    fn self_seen(&self) -> &[u8];
    /// The per-CPU `counters` array (bpf/sysnoop.h `enum sysnoop_counter`).
    fn counters(&self) -> &libbpf_rs::MapMut<'static>;
    /// Each loaded program's name and a descriptor of it (for its run statistics).
    fn programs(&self) -> Vec<(String, std::os::fd::OwnedFd)>;
}

/// The globals every object shares (bpf/common.bpf.h), as written into its rodata.
#[derive(Debug, Clone)]
pub(crate) struct Common {
    pub(crate) tgid: u32,
    pub(crate) tid: u32,
    /// u32::MAX: any user.
    pub(crate) uid: u32,
    pub(crate) comm: Vec<u8>,
    pub(crate) failed: u8,
    /// Only the tasks in the set of followed tasks.
    pub(crate) follow: bool,
    /// Only tasks in the cgroup_filter's cgroup or below.
    pub(crate) cgroup: bool,
    pub(crate) self_tgid: u32,
    pub(crate) wakeup_bytes: u64,
    /// Records go out through perf buffers, not the ring buffer.
    pub(crate) use_perf: bool,
    /// The kernel's BTF IDs of the types the programs cast to (`CAST_TYPES`), 0 where
    /// it has no BTF.
    pub(crate) cast_ids: [u32; CAST_TYPES.len()],
}

/// The types the programs cast to with `sn_cast()` (bpf/common.bpf.h), whose IDs in the
/// kernel's BTF their `kid_<type>` variables hold.
pub(crate) const CAST_TYPES: [&str; 4] = ["task_struct", "dentry", "mount", "file"];

impl Common {
    fn new(filters: &Filters, events: &Events, follow: bool, cgroup: bool, cast_ids: [u32; CAST_TYPES.len()]) -> Self {
        Common {
            cast_ids,
            follow,
            cgroup,
            tgid: filters.tgid.unwrap_or(0),
            tid: filters.tid.unwrap_or(0),
            uid: filters.uid.unwrap_or(u32::MAX),
            comm: filters.comm.clone().unwrap_or_default().into_bytes(),
            failed: u8::from(filters.failed),
            self_tgid: std::process::id(),
            wakeup_bytes: crate::transport::wakeup_bytes(events.size),
            use_perf: events.transport == Transport::Perf,
        }
    }
}

/// What one loaded tracer reports on the "tracing" line and in the start record: the
/// hooks it attached (naming a fallback when it took one, e.g. `sched_process_exec`
/// without "(tp_btf)"), and the variants this kernel lacks.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Hooks {
    pub(crate) kind: &'static str,
    /// The record kinds it writes (its sources' kinds): filled in once loaded.
    pub(crate) records: Vec<&'static str>,
    #[serde(rename = "hooks")]
    pub(crate) traced: Vec<String>,
    /// Said after the hooks, e.g. the cgroup traffic is counted in.
    pub(crate) detail: Option<String>,
    pub(crate) absent: Vec<String>,
    /// The kernel features (src/features.rs, one bit each) this kind's programs do
    /// without here: the fallbacks they took. Written as the features' names.
    #[serde(serialize_with = "crate::features::serialize_names")]
    pub(crate) without: u32,
}

impl Hooks {
    pub(crate) fn new(kind: &'static str, traced: Vec<String>) -> Self {
        Hooks { kind, records: Vec::new(), traced, detail: None, absent: Vec::new(), without: 0 }
    }

    /// The hooks of a kind whose programs are object `O`'s: they name the kernel
    /// features its loaded variant does without (src/features.rs).
    pub(crate) fn on<O: Object>(mut self) -> Self {
        self.without = O::used_features() & !O::variant_mask();
        self
    }
}

/// Whether an event repeats one written within the --dedup window (then it is not
/// written, and counted `deduplicated`).
pub(crate) type Dedupe = Box<dyn FnMut(&crate::kinds::Event) -> bool + Send>;

/// One kind of record in the session: from a loaded BPF object's ring-buffer records
/// or maps, counted in that object's in-kernel counters.
pub(crate) struct Source {
    pub(crate) kind: Kind,
    /// None for kinds made in user space (alerts).
    pub(crate) counters: Option<MapHandle>,
    /// A program of this kind whose runs the kernel may skip (see Skippable).
    pub(crate) skippable: Option<Skippable>,
}

/// The run's sources, in order, each found by its record kind in one step; one index
/// past the last stands for a kind no source claims (or an unreadable one).
pub(crate) struct Sources {
    list: Vec<Source>,
    /// By `Kind as usize`: the index of the first source of that kind.
    by_kind: Vec<usize>,
}

impl Sources {
    pub(crate) fn new(list: Vec<Source>) -> Sources {
        let mut by_kind = vec![list.len(); Kind::ALL.len()];
        for (index, source) in list.iter().enumerate().rev() {
            by_kind[source.kind as usize] = index;
        }
        Sources { list, by_kind }
    }

    /// Which source a record of `kind` is counted under.
    #[inline]
    pub(crate) fn index(&self, kind: Option<Kind>) -> usize {
        kind.map_or(self.list.len(), |k| self.by_kind[k as usize])
    }

    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    pub(crate) fn iter(&self) -> std::slice::Iter<'_, Source> {
        self.list.iter()
    }

    pub(crate) fn kinds(&self) -> Vec<Kind> {
        self.list.iter().map(|s| s.kind).collect()
    }
}

/// Events made in user space every `every` (traffic snapshots, syscall counts), and
/// once more at the end of the run for the last, partial interval (or only then, when
/// `every` is None).
pub(crate) struct Periodic {
    pub(crate) every: Option<Duration>,
    /// The events, or why the kernel's maps could not be read (the run ends with it).
    pub(crate) produce: Box<dyn FnMut() -> Result<Vec<Event>> + Send>,
}

/// A loaded, attached and live kind: what the session polls, counts and reports.
pub(crate) struct Loaded {
    pub(crate) hooks: Hooks,
    /// The record kinds it produces, each with its in-kernel counters.
    pub(crate) sources: Vec<Source>,
    /// Records it makes in user space every so often (traffic, syscall counts).
    pub(crate) periodic: Option<Periodic>,
    /// --dedup: for records of this kind, whether one repeats one written within the
    /// window.
    pub(crate) dedup: Option<(Kind, Dedupe)>,
    /// exec --snapshot (`all`): begin with a `process` record per process already
    /// running, argv up to this many bytes.
    pub(crate) snapshot: Option<usize>,
    /// The skeleton and any links made by hand: dropping them detaches the programs.
    /// Only held, never read.
    #[allow(dead_code)]
    pub(crate) attached: Box<dyn Any + Send>,
}

impl Loaded {
    /// The common case: one object, whose ring-buffer records of `kind` are counted in
    /// its counters, and nothing made in user space.
    pub(crate) fn ring<O: Object>(kind: Kind, object: O, hooks: Hooks) -> Result<Loaded> {
        Ok(Loaded { hooks, sources: vec![counted(kind, &object)?], periodic: None, dedup: None, snapshot: None, attached: Box::new(object) })
    }

    /// As `ring`, with the links of a program attached by hand to several tracepoints
    /// (`attach_exits`).
    pub(crate) fn ring_linked<O: Object>(kind: Kind, object: O, links: Vec<libbpf_rs::Link>, hooks: Hooks) -> Result<Loaded> {
        Ok(Loaded { hooks, sources: vec![counted(kind, &object)?], periodic: None, dedup: None, snapshot: None, attached: Box::new((object, links)) })
    }
}

/// What every loader of a run shares: the ring buffer, the filters, the options that
/// choose between programs, and the checks already made.
pub(crate) struct Shared {
    pub(crate) verbose: bool,
    /// The run's one ring buffer, or its perf buffers' map: every object reuses it.
    pub(crate) events: Events,
    /// -- CMD, --follow: the set of followed tasks (bpf/follow.bpf.c), which every
    /// object reuses.
    followed: Option<MapHandle>,
    /// --cgroup: the cgroup v2 mount and the directory, and the map holding it that
    /// every object reuses (only for kinds that trace tasks).
    cgroup: Option<(PathBuf, PathBuf)>,
    cgroup_filter: Option<MapHandle>,
    common: Common,
    /// tracefs's `events/syscalls` directory (empty when no kind attaches tracepoints).
    syscall_tracepoints: PathBuf,
    /// Try tp_btf programs before their classic-tracepoint fallbacks.
    pub(crate) tp_btf: bool,
    /// syscalls: try the raw sys_enter/sys_exit tracepoints first.
    pub(crate) raw_tp: bool,
    /// --metrics: each program loaded, for its run statistics (None: not kept).
    programs: Option<std::sync::Mutex<Vec<crate::stats::Program>>>,
    /// The BTF the objects are relocated against in place of the kernel's: --btf's, or
    /// the kernel's cut down (src/btf.rs), kept in a memfd this holds.
    btf: Option<(PathBuf, Option<std::fs::File>)>,
}

/// What a run's shared BPF parts are made from: what its kinds need of the host, its task
/// filters and its buffers, and nothing else of the command line (`Config::plan` makes
/// one for a run; doctor its own, to try lsm).
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Some kind attaches tracepoints: tracefs and perf events are needed.
    pub(crate) tracepoints: bool,
    /// Some kind traces tasks: --cgroup filters them in the kernel.
    pub(crate) per_task: bool,
    /// --cgroup, as given.
    pub(crate) cgroup: Option<PathBuf>,
    /// -- CMD or --follow: the set of followed tasks, of at most `max_tasks`.
    pub(crate) follow: bool,
    pub(crate) max_tasks: u32,
    pub(crate) filters: Filters,
    pub(crate) transport: Transport,
    pub(crate) ring_size: u32,
    /// Try tp_btf programs before their classic-tracepoint fallbacks.
    pub(crate) tp_btf: bool,
    /// syscalls: try the raw sys_enter/sys_exit tracepoints first.
    pub(crate) raw_tp: bool,
    /// --metrics: keep a descriptor of each program loaded, for its run statistics.
    pub(crate) program_stats: bool,
    /// Relocate against the kernel's BTF cut down to what the objects use (src/btf.rs):
    /// off with SYSNOOP_FULL_BTF=1, for comparison.
    pub(crate) cut_btf: bool,
}

impl Shared {
    /// Runs the preflight checks the run's kinds need and creates the ring buffer (or
    /// the perf buffers' map).
    pub(crate) fn new(session: &Plan, verbose: bool) -> Result<Shared> {
        // The BTF to relocate against (some 5 ms of reading and cutting) is made beside
        // the checks and the buffers.
        std::thread::scope(|scope| Self::with_btf(session, verbose, scope.spawn(|| relocation_btf(session.cut_btf, verbose))))
    }

    fn with_btf(session: &Plan, verbose: bool, btf: std::thread::ScopedJoinHandle<'_, RelocationBtf>) -> Result<Shared> {
        let syscall_tracepoints = if session.tracepoints {
            preflight::syscall_tracepoints(&preflight::require_tracefs()?)?
        } else {
            preflight::require()?;
            PathBuf::new()
        };
        let per_task = session.per_task;
        let cgroup = session.cgroup.as_deref().map(|c| preflight::cgroup_dir(Some(c))).transpose()?;
        let cgroup_filter = match &cgroup {
            Some((_, dir)) if per_task => Some(cgroup_filter(dir)?),
            _ => None,
        };
        let followed = match session.follow {
            true => Some(create_map(MapType::Hash, "followed", 4, 1, session.max_tasks).context("creating the set of followed tasks")?),
            false => None,
        };
        let events = Events::create(session.transport, session.ring_size)?;
        let (btf, cast_ids) = btf.join().expect("the BTF cut panicked");
        Ok(Shared {
            verbose,
            btf,
            common: Common::new(&session.filters, &events, followed.is_some(), cgroup_filter.is_some(), cast_ids),
            events,
            followed,
            cgroup,
            cgroup_filter,
            syscall_tracepoints,
            tp_btf: session.tp_btf,
            raw_tp: session.raw_tp,
            programs: session.program_stats.then(Default::default),
        })
    }

    /// --cgroup's directory.
    pub(crate) fn cgroup(&self) -> Option<&Path> {
        self.cgroup.as_ref().map(|(_, dir)| dir.as_path())
    }

    pub(crate) fn syscall_tracepoints(&self) -> &Path {
        &self.syscall_tracepoints
    }

    /// Whether this kernel has both the enter and the exit tracepoint of `syscall`.
    pub(crate) fn has_syscall_tracepoints(&self, syscall: &str) -> bool {
        ["enter", "exit"].iter().all(|side| self.syscall_tracepoints.join(format!("sys_{side}_{syscall}")).is_dir())
    }

    /// Whether this kernel has the tracepoint `group`/`name` (a sibling of the syscalls').
    pub(crate) fn has_tracepoint(&self, group: &str, name: &str) -> bool {
        self.syscall_tracepoints.parent().is_some_and(|events| events.join(group).join(name).is_dir())
    }

    /// Opens object `O` with the shared globals set and the run's ring buffer in place.
    pub(crate) fn open<O: Object>(&self) -> Result<O::Open> {
        let mut open = O::open(self.btf.as_ref().map(|(path, _)| path.as_path())).with_context(|| format!("opening the {} BPF object", O::NAME))?;
        O::set_common(&mut open, &self.common);
        if std::env::var_os("SYSNOOP_VERIFIER_STATS").is_some() {
            // For developers: the verifier's statistics per program (-v shows them).
            for mut prog in O::object_mut(&mut open).progs_mut() {
                prog.set_log_level(4);
            }
        }
        O::events(&mut open).reuse_fd(self.events.map.as_fd()).context("sharing the ring buffer")?;
        // Only the perf transport uses it; the ring's programs never reach the code that
        // names it (libbpf poisons that, and the verifier prunes it as dead).
        O::reserved(&mut open).set_autocreate(self.common.use_perf).context("choosing whether to create the perf transport's scratch map")?;
        if let Some(followed) = &self.followed {
            O::followed(&mut open).reuse_fd(followed.as_fd()).context("sharing the set of followed tasks")?;
        }
        if let Some(filter) = &self.cgroup_filter {
            O::cgroup_filter(&mut open).reuse_fd(filter.as_fd()).context("sharing the cgroup filter")?;
        }
        Ok(open)
    }

    /// Loads the opened object into the kernel (the verifier runs here).
    pub(crate) fn load<O: Object>(&self, open: O::Open) -> Result<O> {
        crate::libbpf_log::clear();
        let object = O::load(open).map_err(|e| explained(e.into())).with_context(|| format!("loading the {} BPF programs", O::NAME))?;
        if let Some(Ok(mut programs)) = self.programs.as_ref().map(|p| p.lock()) {
            programs.extend(object.programs().into_iter().map(|(name, fd)| crate::stats::Program { object: O::NAME, name, fd }));
        }
        Ok(object)
    }

    /// Every program loaded so far, when the plan asked to keep them (--metrics).
    pub(crate) fn take_programs(&self) -> Vec<crate::stats::Program> {
        self.programs.as_ref().and_then(|p| p.lock().ok().map(|mut p| std::mem::take(&mut *p))).unwrap_or_default()
    }

    /// Loads and attaches every program with an attach point in its SEC().
    pub(crate) fn load_and_attach<O: Object>(&self, open: O::Open) -> Result<O> {
        let mut skel = self.load::<O>(open)?;
        crate::libbpf_log::clear();
        skel.attach().map_err(|e| explained(e.into())).with_context(|| format!("attaching the {} programs", O::NAME))?;
        Ok(skel)
    }

    /// Calls `probe` until each program's `self_seen` slot in `slots` is marked.
    pub(crate) fn live<O: Object>(&self, skel: &O, slots: &[u32], probe: impl Fn()) -> Result<()> {
        live::wait(slots, skel.self_seen(), probe, O::NAME, self.verbose)
    }

    /// Loads with the preferred programs (`load(true)`: tp_btf, raw tracepoints), and
    /// when that fails, with their fallbacks (`load(false)`); straight to the fallbacks
    /// when `prefer` is off (SYSNOOP_NO_TP_BTF, SYSNOOP_NO_RAW_TP). `hook` names the
    /// preferred programs for messages.
    pub(crate) fn preferred_or_fallback<T>(&self, prefer: bool, hook: &str, load: impl Fn(bool) -> Result<T>) -> Result<T> {
        if !prefer {
            return load(false);
        }
        load(true).or_else(|error| {
            if self.verbose {
                crate::say!("sysnoop: {hook} unavailable ({error:#}); using the fallback");
            }
            load(false).with_context(|| format!("({hook} had failed too: {error:#})"))
        })
    }

    /// exec and exit: tp_btf programs, else their classic tracepoints.
    pub(crate) fn tp_btf_or_tracepoint<T>(&self, hook: &str, load: impl Fn(bool) -> Result<T>) -> Result<T> {
        self.preferred_or_fallback(self.tp_btf, &format!("tp_btf/{hook}"), load)
    }
}

/// For a program attached to the exit tracepoints of several syscalls (bpf/common.bpf.h
/// `call_of`): marks call `index` under its syscall number in the program's table `of`.
/// false when this architecture has no such syscall, or its number is past the table.
pub(crate) fn number_call(of: &mut [u8], name: &str, index: u32) -> bool {
    match crate::syscalls::number(name).map(|nr| nr as usize) {
        Some(nr) if nr < of.len() => {
            of[nr] = index as u8 + 1;
            true
        }
        _ => false,
    }
}

/// Attaches `program` to the exit tracepoint of each syscall in `names`.
pub(crate) fn attach_exits(program: &libbpf_rs::ProgramMut<'_>, names: &[String]) -> Result<Vec<libbpf_rs::Link>> {
    names
        .iter()
        .map(|name| {
            let tracepoint = format!("sys_exit_{name}");
            program
                .attach_tracepoint(libbpf_rs::TracepointCategory::Syscalls, &tracepoint)
                .map_err(|e| explained(e.into()))
                .with_context(|| format!("attaching {} to syscalls/{tracepoint}", program.name().to_string_lossy()))
        })
        .collect()
}

/// `error`, with what libbpf's messages said about it (the verifier's complaint, in a
/// line; -v prints them whole instead). Its words never name libbpf: a user has no
/// business with it.
fn explained(error: anyhow::Error) -> anyhow::Error {
    match crate::libbpf_log::explain() {
        Some(why) => error.context(format!("{why} (sysnoop -v shows the whole log)")),
        None => error,
    }
}

/// A map made in user space, for objects to reuse.
fn create_map(map_type: MapType, name: &str, key_size: u32, value_size: u32, max_entries: u32) -> libbpf_rs::Result<MapHandle> {
    let opts = bpf_map_create_opts { sz: std::mem::size_of::<bpf_map_create_opts>() as _, ..Default::default() };
    MapHandle::create(map_type, Some(name), key_size, value_size, max_entries, &opts)
}

/// --cgroup for the kernel: a cgroup array holding `dir` at index 0, which
/// What `relocation_btf` gives: the BTF file to relocate against (and the memfd that
/// holds it), or None for the kernel's; and the kernel's IDs of `CAST_TYPES`.
type RelocationBtf = (Option<(PathBuf, Option<std::fs::File>)>, [u32; CAST_TYPES.len()]);

/// The BTF to relocate the objects against in place of the kernel's, and the kernel's
/// IDs of `CAST_TYPES`. --btf's file, when given. Else the kernel's BTF cut down to the
/// types the objects' relocations start from and what those reach (src/btf.rs: libbpf
/// then searches some 6,000 types for each, not the kernel's 125,000; a third of `all`'s
/// start-up CPU), unless `cut` is off or the cut might relocate differently: a root the
/// kernel's BTF lacks, which libbpf would look for in the modules' BTF. On any trouble,
/// none: libbpf reads the kernel's own, as it would without this (a kernel BTF this
/// cannot parse, e.g. with a kind newer than it knows, libbpf 1.7 cannot either).
fn relocation_btf(cut: bool, verbose: bool) -> RelocationBtf {
    let user = preflight::btf_file();
    let user_btf = || user.map(|file| (file.to_path_buf(), None));
    with_kernel_btf(|bytes| relocation_btf_from(bytes, user_btf(), cut, verbose)).unwrap_or_else(|_| (user_btf(), [0; CAST_TYPES.len()]))
}

/// Calls `f` with the bytes of the kernel's BTF file: mapped where sysfs allows it, as
/// libbpf does (newer kernels), else read (sysfs hands a binary file out 4 KiB a read():
/// about 3 ms for the 5 MB).
fn with_kernel_btf<R>(f: impl FnOnce(&[u8]) -> R) -> std::io::Result<R> {
    use nix::sys::mman::{mmap, munmap, MapFlags, ProtFlags};
    let file = std::fs::File::open(preflight::BTF_PATH)?;
    let len = file.metadata()?.len() as usize;
    let Some(size) = std::num::NonZeroUsize::new(len) else { return Ok(f(&[])) };
    // SAFETY: a private read-only mapping of a file no one writes, unmapped below.
    match unsafe { mmap(None, size, ProtFlags::PROT_READ, MapFlags::MAP_PRIVATE, &file, 0) } {
        Ok(at) => {
            // SAFETY: `len` bytes are mapped at `at`, until the munmap below.
            let result = f(unsafe { std::slice::from_raw_parts(at.as_ptr().cast::<u8>(), len) });
            // SAFETY: the mapping made above, which nothing borrows any more.
            let _ = unsafe { munmap(at, len) };
            Ok(result)
        }
        Err(_) => Ok(f(&std::fs::read(preflight::BTF_PATH)?)),
    }
}

fn relocation_btf_from(bytes: &[u8], user: Option<(PathBuf, Option<std::fs::File>)>, cut: bool, verbose: bool) -> RelocationBtf {
    let kernel = match crate::btf::Types::parse(bytes) {
        Ok(kernel) => kernel,
        Err(e) => {
            if verbose {
                crate::say!("sysnoop: reading {}: {e}; relocating against it as libbpf reads it", preflight::BTF_PATH);
            }
            return (user, [0; CAST_TYPES.len()]);
        }
    };
    let all_types = || kernel.struct_ids(1..=kernel.len(), CAST_TYPES);
    if user.is_some() || !cut {
        return (user, all_types());
    }
    let cut = crate::btf::cut(&kernel, crate::bpf::CORE_ROOTS);
    // The types cast to are roots too (they are read): among those the cut found.
    let found = kernel.struct_ids(cut.named.iter().copied(), CAST_TYPES);
    let cast_ids = if found.contains(&0) { all_types() } else { found };
    let modules = std::fs::read_dir(Path::new(preflight::BTF_PATH).parent().unwrap_or(Path::new("/"))).map_or(0, |dir| dir.count().saturating_sub(1));
    if !cut.missing.is_empty() && modules > 0 {
        if verbose {
            crate::say!("sysnoop: the kernel's BTF has no {}: relocating against it and its modules' in full", cut.missing.join(", "));
        }
        return (None, cast_ids);
    }
    let memfd = nix::sys::memfd::memfd_create(c"sysnoop-btf", nix::sys::memfd::MFdFlags::MFD_CLOEXEC);
    let file = memfd.map(std::fs::File::from).and_then(|mut file| {
        std::io::Write::write_all(&mut file, &cut.bytes).map(|()| file).map_err(|e| nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(0)))
    });
    match file {
        Ok(file) => {
            if verbose {
                crate::say!("sysnoop: relocating against the kernel's BTF cut to {} of its {} types", cut.kept, kernel.len());
            }
            (Some((PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd())), Some(file))), cast_ids)
        }
        Err(e) => {
            if verbose {
                crate::say!("sysnoop: no memfd for the cut BTF ({e}): relocating against the kernel's in full");
            }
            (None, cast_ids)
        }
    }
}

/// bpf_current_task_under_cgroup() checks (bpf/common.bpf.h).
fn cgroup_filter(dir: &Path) -> Result<MapHandle> {
    let map = create_map(MapType::CgroupArray, "cgroup_filter", 4, 4, 1).context("creating the cgroup filter")?;
    let file = std::fs::File::open(dir).with_context(|| format!("opening cgroup {}", preflight::shown(dir)))?;
    // The map keeps its own reference to the cgroup: the file may close.
    map.update(&0u32.to_ne_bytes(), &(file.as_raw_fd() as u32).to_ne_bytes(), MapFlags::ANY)
        .with_context(|| format!("filtering by cgroup {}", preflight::shown(dir)))?;
    Ok(map)
}

/// Records of `kind`, counted in `object`'s in-kernel counters.
pub(crate) fn counted<O: Object>(kind: Kind, object: &O) -> Result<Source> {
    let counters = MapHandle::try_from(object.counters()).with_context(|| format!("reading the {} counters", O::NAME))?;
    Ok(Source { kind, counters: Some(counters), skippable: None })
}

/// Storage for one BPF object for the rest of the run. Leaked on purpose (a few bytes
/// per loaded object, once): skeletons borrow it, and a 'static borrow lets a tracer
/// retry a load with other programs without lifetime juggling.
pub(crate) fn object_storage() -> &'static mut MaybeUninit<OpenObject> {
    Box::leak(Box::new(MaybeUninit::uninit()))
}

#[cfg(test)]
mod sources_tests {
    use super::*;

    /// A program on several calls finds call i under its syscall number as i + 1 (0:
    /// none); a syscall this architecture lacks, or numbered past the table, is not marked.
    #[test]
    fn calls_are_marked_under_their_numbers() {
        let mut of = [0u8; 512];
        assert!(number_call(&mut of, "openat", 1));
        assert!(number_call(&mut of, "close", 0));
        let openat = crate::syscalls::number("openat").unwrap() as usize;
        let close = crate::syscalls::number("close").unwrap() as usize;
        assert_eq!((of[openat], of[close]), (2, 1));
        assert_eq!(of.iter().filter(|&&v| v != 0).count(), 2);
        assert!(!number_call(&mut of, "no_such_syscall", 3));
        assert!(!number_call(&mut [0u8; 3], "openat", 3));
    }

    /// A record is counted under the first source of its kind, and one past the last
    /// when no source claims its kind or its kind could not be read.
    #[test]
    fn a_source_is_found_by_its_kind() {
        let sources = Sources::new(vec![
            Source { kind: Kind::Open, counters: None, skippable: None },
            Source { kind: Kind::Exec, counters: None, skippable: None },
            Source { kind: Kind::Exec, counters: None, skippable: None },
        ]);
        assert_eq!(sources.index(Some(Kind::Open)), 0);
        assert_eq!(sources.index(Some(Kind::Exec)), 1);
        assert_eq!(sources.index(Some(Kind::Connect)), 3);
        assert_eq!(sources.index(None), 3);
    }
}
