//! `sysnoop schema [KIND]`: the JSON Schema (draft 2020-12) of sysnoop's native records,
//! one per kind, with every field typed, described, and required (present, perhaps
//! null) or optional (may be absent). Each kind writes its own (`Record::schema`, in
//! src/kinds/); the record head, and the start and summary records, are written here.
//! The test suite validates every native record it sees against it, and docs/records.md's
//! field tables are made from it (tests/docs.rs; scripts/gen-docs writes them): a field
//! is described here, for the schema and the docs alike, in its record's order
//! (serde_json's `preserve_order` keeps `properties` in insertion order).

use serde_json::{json, Map, Value};

/// The JSON Schema dialect.
pub(crate) const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// One field of a record.
pub(crate) struct Field {
    name: &'static str,
    schema: Value,
    /// Present in every record (its value may still be null if its type allows it).
    required: bool,
}

impl Field {
    fn of(name: &'static str, schema: Value, description: &str) -> Field {
        let mut schema = schema;
        schema["description"] = description.into();
        Field { name, schema, required: true }
    }

    pub(crate) fn string(name: &'static str, description: &str) -> Field {
        Field::of(name, json!({"type": "string"}), description)
    }

    pub(crate) fn integer(name: &'static str, description: &str) -> Field {
        Field::of(name, json!({"type": "integer"}), description)
    }

    /// An integer that is never negative.
    pub(crate) fn count(name: &'static str, description: &str) -> Field {
        Field::of(name, json!({"type": "integer", "minimum": 0}), description)
    }

    pub(crate) fn boolean(name: &'static str, description: &str) -> Field {
        Field::of(name, json!({"type": "boolean"}), description)
    }

    pub(crate) fn strings(name: &'static str, description: &str) -> Field {
        Field::of(name, json!({"type": "array", "items": {"type": "string"}}), description)
    }

    /// A process's id (src/identity.rs): 32 hex digits.
    pub(crate) fn exec_id(name: &'static str, description: &str) -> Field {
        Field::of(name, json!({"type": "string", "pattern": "^[0-9a-f]{32}$"}), description)
    }

    /// A wall-clock time, RFC 3339 UTC with nanoseconds.
    pub(crate) fn time(name: &'static str, description: &str) -> Field {
        Field::of(name, json!({"type": "string", "format": "date-time"}), description)
    }

    /// `<field>_hex`: the exact bytes of a text field that was not UTF-8; absent when it was.
    pub(crate) fn hex(name: &'static str, of: &str) -> Field {
        Field::of(
            name,
            json!({"type": "string", "pattern": "^([0-9a-f]{2})*$"}),
            &format!("the exact bytes of `{of}`, hex-encoded; present only when they are not UTF-8 (`{of}` then shows U+FFFD)"),
        )
        .optional()
    }

    /// Any other schema.
    pub(crate) fn with(name: &'static str, schema: Value, description: &str) -> Field {
        Field::of(name, schema, description)
    }

    /// May also be null.
    pub(crate) fn nullable(mut self) -> Field {
        let ty = self.schema["type"].take();
        self.schema["type"] = json!([ty, "null"]);
        self
    }

    /// May be absent.
    pub(crate) fn optional(mut self) -> Field {
        self.required = false;
        self
    }
}

/// The head of every record about a task, after `kind`, `time` and `session`.
fn task_fields() -> Vec<Field> {
    vec![
        Field::count("pid", "the process id (the thread-group id)"),
        Field::count("tid", "the thread id"),
        Field::count("ppid", "the parent process's id (of the real parent)"),
        Field::count("uid", "the real user id"),
        Field::string("comm", "the command name (at most 15 bytes)"),
        Field::hex("comm_hex", "comm"),
        Field::count("cgroup_id", "the task's cgroup v2 id (its directory's inode number)"),
        Field::string("cgroup", "with `--cgroup-path`: the cgroup's path under the cgroup v2 mount, or `cgroup:<id>` when it is gone").optional(),
        Field::with(
            "container_id",
            json!({"type": "string", "pattern": "^[0-9a-f]{64}$"}),
            "when the task's cgroup is a container's: the container's id, as its cgroup names it (docker, containerd, cri-o, podman)",
        )
        .optional(),
        Field::with(
            "container_runtime",
            json!({"enum": ["docker", "containerd", "cri-o", "podman"]}),
            "when the task's cgroup is a container's: the runtime of that container",
        )
        .optional(),
    ]
}

/// A record kind's schema: `kind` (always `kind`), `time`, then `fields`.
pub(crate) fn record(kind: &str, description: &str, fields: Vec<Field>) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    let head = [
        Field::with("kind", json!({"const": kind}), "the record kind"),
        Field::with("time", json!({"type": "string", "format": "date-time"}), "when it happened, UTC, RFC 3339 with nanoseconds"),
        Field::with(
            "session",
            json!({"type": "string", "format": "uuid"}),
            "the run's session id (`--session-id`; by default a fresh UUID v7), the same in every record of a run",
        ),
    ];
    for field in head.into_iter().chain(fields) {
        if field.required {
            required.push(field.name);
        }
        properties.insert(field.name.into(), field.schema);
    }
    json!({
        "title": kind,
        "description": description,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// A record about a task: `kind`, `time`, `session`, the task's fields, then `fields`. A
/// field of `fields` named like one of the task's says what that one means in this kind
/// of record: it takes that one's place.
pub(crate) fn task_record(kind: &str, description: &str, fields: Vec<Field>) -> Value {
    let mut fields = fields;
    let mut head = task_fields();
    for field in &mut head {
        if let Some(i) = fields.iter().position(|f| f.name == field.name) {
            *field = fields.remove(i);
        }
    }
    record(kind, description, head.into_iter().chain(fields).collect())
}

/// The counts of one kind in the summary and stats records: each event of the kind is in
/// exactly one of them, but `unsent`, which is part of `emitted`.
fn counts() -> Value {
    let count = |d: &str| json!({"type": "integer", "minimum": 0, "description": d});
    json!({
        "type": "object",
        "properties": {
            "emitted": count("written to stdout; with a file or socket `-o`, handed to its queue"),
            "filtered": count("dropped by a filter (`-p`, `-t`, `-u`, `-n`, `-x`, ...), in the kernel"),
            "lost": count("the kernel could not store it: the ring buffer, or its CPU's perf buffer, was full (use a bigger `--ring-size`)"),
            "pairing_misses": count(
                "a traced call whose exit found no entry from its enter (connect, failed exec, `syscalls -L`): it began before tracing started, \
                 or its entry could not be stored or was evicted because more than 10240 calls were in flight at once. Counted once, at the exit",
            ),
            "malformed": count("a ring-buffer record that failed to decode (a bug; never a crash)"),
            "unwritten": count("received, but not written because `--max-events` had been reached"),
            "deduplicated": count("not written because `--dedup` found it repeating one written within its window"),
            "unsent": count(
                "apart from the others, of the records `emitted` to a file or socket (`-o`): those that never reached it: the queue was full \
                 (the destination slow or down), the connection failed in the middle of its line, or the destination was still down or stuck \
                 when the run ended. Delivered = `emitted` - `unsent`",
            ),
        },
        "required": crate::stats::FATES.map(|fate| fate.name),
        "additionalProperties": false,
    })
}

/// The records sysnoop writes about the run itself.
pub(crate) fn run_records() -> Vec<(&'static str, Value)> {
    let hooks = json!({
        "type": "object",
        "properties": {
            "kind": {"type": "string", "description": "the kind traced: its subcommand"},
            "records": {
                "type": "array",
                "items": {"type": "string"},
                "description": "the record kinds it writes, as each record's `kind` and the summary's `counts` name them (`syscalls`: `syscall`, or `syscall_count` with --count; `lsm`: `lsm_file_open` and `lsm_socket_connect`; `traffic`: `traffic` and `alert`)",
            },
            "hooks": {
                "type": "array",
                "items": {"type": "string"},
                "description": "the hooks attached; a fallback is named as such (the hook without \"(tp_btf)\", or `per-syscall tracepoints`)",
            },
            "detail": {"type": ["string", "null"], "description": "more about what is traced (traffic: the cgroup and interval); else null"},
            "absent": {"type": "array", "items": {"type": "string"}, "description": "the variants this kernel lacks"},
            "without": {
                "type": "array",
                "items": {"type": "string"},
                "description": "the newer kernel features (BPF helpers) its programs do without here: the fallbacks they took (see the start record's `fallbacks`); empty on Linux 5.17 and later",
            },
        },
        "required": ["kind", "records", "hooks", "detail", "absent", "without"],
        "additionalProperties": false,
    });
    let skipped = json!({
        "type": "object",
        "properties": {
            "kind": {"type": "string", "description": "the kind not traced"},
            "reason": {"type": "string", "description": "why (e.g. traffic without cgroup v2)"},
        },
        "required": ["kind", "reason"],
        "additionalProperties": false,
    });
    let filter = |ty: &str, d: &str| json!({"type": [ty, "null"], "description": d});
    let filters = json!({
        "type": "object",
        "properties": {
            "pid": filter("integer", "`-p`: only this process"),
            "tid": filter("integer", "`-t`: only this thread"),
            "uid": filter("integer", "`-u`: only this user"),
            "comm": filter("string", "`-n`: only commands whose name contains this"),
            "failed": {"type": "boolean", "description": "`-x`: only failed calls"},
            "cgroup": filter("string", "`--cgroup`, as given"),
            "follow": filter("integer", "`--follow`: the pid of the process followed with its descendants"),
            "command": {"type": ["array", "null"], "items": {"type": "string"}, "description": "`-- CMD`: the argv of the command run and followed"},
        },
        "required": ["pid", "tid", "uid", "comm", "failed", "cgroup", "follow", "command"],
        "additionalProperties": false,
    });
    let start = record(
        "start",
        "The first line of every run: what is traced, how, and since when.",
        vec![
            Field::string("version", "sysnoop's version"),
            Field::string("kernel", "the running kernel's release; null if `uname` failed").nullable(),
            Field::string("hostname", "this host's name (`uname -n`), as OCSF's `device.hostname` has it; null if it cannot be read").nullable(),
            Field::with(
                "machine_id",
                json!({"type": ["string", "null"], "pattern": "^[0-9a-f]{32}$"}),
                "this host's machine id (/etc/machine-id: the same across reboots), so a collector receiving many hosts' streams tells them apart; null when there is none",
            ),
            Field::with(
                "boot_id",
                json!({"type": ["string", "null"], "format": "uuid"}),
                "this boot's id (/proc/sys/kernel/random/boot_id), whose first 16 digits begin every `exec_id`; null when there is none",
            ),
            Field::with("format", json!({"enum": ["native", "ocsf", "text"]}), "`--format`"),
            Field::with("kinds", json!({"type": "array", "items": hooks}), "each kind traced, with its hooks"),
            Field::with("skipped", json!({"type": "array", "items": skipped}), "the kinds `all` goes on without, and why"),
            Field::with("filters", filters, "the filters; each is null (`failed`: false) when not set"),
            Field::count("ring_size", "`--ring-size`: the ring buffer's size in bytes, or the perf buffers' together"),
            Field::with(
                "transport",
                json!({"enum": ["ringbuf", "perf"]}),
                "`--transport`: how records reach sysnoop: the BPF ring buffer, or a perf buffer per CPU",
            ),
            Field::with(
                "fallbacks",
                json!({"type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "description": "the kernel feature (a BPF helper) done without"},
                        "since": {"type": "string", "description": "the Linux version that brought it"},
                        "instead": {"type": "string", "description": "what the programs do instead, and how that is weaker if it is"},
                        "why": {"type": "string", "description": "why it is not used: `not in this kernel`, or `SYSNOOP_AS_KERNEL=VERSION` (e.g. `SYSNOOP_AS_KERNEL=5.10`)"},
                    },
                    "required": ["name", "since", "instead", "why"],
                    "additionalProperties": false,
                }}),
                "the kernel features the traced kinds' programs do without, why, and what they do instead ([docs/kernels.md](kernels.md)); empty on Linux 5.17 and later",
            ),
        ],
    );
    let report = |kind, description| {
        record(kind, description, vec![
            Field::count("elapsed_ns", "since the run began"),
            Field::with(
                "counts",
                json!({"type": "object", "propertyNames": {"title": "kind"}, "additionalProperties": counts()}),
                "per record kind: what happened to every event. An `unknown` entry appears only if the ring buffer held records of a kind no tracer claims, which would be a bug",
            ),
            Field::with(
                "follow",
                json!({
                    "type": "object",
                    "properties": {
                        "tasks": {"type": "integer", "minimum": 0, "description": "the tasks followed: the first ones and every new one, threads included"},
                        "untracked": {
                            "type": "integer",
                            "minimum": 0,
                            "description": "the new tasks of followed ones that the full set (`--max-tasks`) could not take: their events are not traced, and so are in no count",
                        },
                    },
                    "required": ["tasks", "untracked"],
                    "additionalProperties": false,
                }),
                "with `-- CMD` or `--follow`: the tasks followed",
            )
            .optional(),
            Field::count(
                "perf_lost",
                "with `--transport perf`: the samples the perf buffers themselves reported lost (PERF_RECORD_LOST). They are the same losses as \
                 the kinds' `lost`, which the BPF programs count by kind as they fail to send a record, so `perf_lost` is no more than their sum; \
                 it can be less, because a perf buffer reports its losses with its next record that fits, and the last losses of a run may have \
                 none after them",
            )
            .optional(),
            Field::with(
                "skipped",
                json!({"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}}),
                "by hook, when any were: the runs of sysnoop's program the kernel skipped because the program was already running on that \
                 CPU (an interrupt in its middle reached the same hook; the program's `recursion_misses`, counted since Linux 6.7). Only \
                 `inet_sock_set_state` (connect_result) can be reached so: a skipped outcome leaves its connect `pending` at the end of the \
                 run, or counted `lost` when a later socket at the same kernel address changes state first (never given to that socket); a \
                 skipped SYN_SENT leaves the connect without a `connect_id`",
            )
            .optional(),
            Field::with(
                "snapshot",
                json!({
                    "type": "object",
                    "properties": {
                        "listed": {"type": "integer", "minimum": 0, "description": "the processes /proc listed: each is one `process` record (counted under `counts.process`: emitted, filtered, unwritten, unsent), or superseded, vanished or unread"},
                        "superseded": {"type": "integer", "minimum": 0, "description": "introduced by an exec record of their own instead (see docs/records.md, process)"},
                        "vanished": {"type": "integer", "minimum": 0, "description": "gone before they were read whole, or their pid another's by then: their exits are in the stream"},
                        "unread": {"type": "integer", "minimum": 0, "description": "not read within the scan's 5 s (a read of /proc/PID/cmdline waits for the process's memory map)"},
                        "duration_ns": {"type": "integer", "minimum": 0, "description": "how long the scan took, from listing /proc to the last process read"},
                    },
                    "required": ["listed", "superseded", "vanished", "unread", "duration_ns"],
                    "additionalProperties": false,
                }),
                "once the run's `process` records are written (`all`, `exec --snapshot`): what became of every process /proc listed",
            )
            .optional(),
        ])
    };
    vec![
        ("start", start),
        (
            "loss",
            record(
                "loss",
                "Where events went missing: written as soon as sysnoop sees a loss count grow (it looks every 100 ms), and the last ones just before the summary, whose loss counts are the sums of their markers.",
                vec![
                    Field::string("of", "the record kind of the events (`perf`: the perf buffers' own count, `perf_lost`)"),
                    Field::with(
                        "counter",
                        json!({"enum": crate::stats::FATES.iter().filter(|fate| fate.loss).map(|fate| fate.name).chain(["perf_lost"]).collect::<Vec<_>>()}),
                        "which of the summary's counts grew: `lost` (the kernel's buffer was full), `pairing_misses`, `malformed`, `unsent` (records a file or socket destination never got), `perf_lost`",
                    ),
                    Field::with("count", json!({"type": "integer", "minimum": 1}), "how many since the kind's previous marker of this counter"),
                    Field::with("since", json!({"type": "string", "format": "date-time"}), "the events went missing after this time (the previous look, or the start)"),
                    Field::with("until", json!({"type": "string", "format": "date-time"}), "and before this one (this look: the record's `time`)"),
                ],
            ),
        ),
        ("summary", report("summary", "The last line of every run: every event of each kind, counted once.")),
        ("stats", report("stats", "On stderr every `--stats-interval`: the counts so far.")),
    ]
}
