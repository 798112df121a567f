//! `sysnoop schema [KIND]`: the JSON Schema (draft 2020-12) of sysnoop's native records,
//! one per kind, with every field typed, described, and required (present, perhaps
//! null) or optional (may be absent). Each kind writes its own (`Record::schema`, in
//! src/kinds/); the record head, and the start and summary records, are written here.
//! The test suite validates every native record it sees against it.

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

/// The head of every record about a task, after `kind` and `time`.
fn task_fields() -> Vec<Field> {
    vec![
        Field::count("pid", "the process (thread-group id)"),
        Field::count("tid", "the thread"),
        Field::count("ppid", "the real parent's process id"),
        Field::count("uid", "the real user id"),
        Field::string("comm", "the command name (at most 15 bytes)"),
        Field::hex("comm_hex", "comm"),
        Field::count("cgroup_id", "the task's cgroup v2 id (its directory's inode number)"),
        Field::string("cgroup", "--cgroup-path: the cgroup's path under the cgroup v2 mount, or cgroup:<id> when it is gone").optional(),
        Field::with(
            "container_id",
            json!({"type": "string", "pattern": "^[0-9a-f]{64}$"}),
            "the container the cgroup names (docker, containerd, cri-o, podman), when it names one",
        )
        .optional(),
        Field::with("container_runtime", json!({"enum": ["docker", "containerd", "cri-o", "podman"]}), "the runtime of that container").optional(),
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
            "the run's session id (--session-id; by default a fresh UUID v7), the same in every record of a run",
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

/// A record about a task: `kind`, `time`, the task's fields, then `fields`.
pub(crate) fn task_record(kind: &str, description: &str, fields: Vec<Field>) -> Value {
    record(kind, description, task_fields().into_iter().chain(fields).collect())
}

/// The counts of one kind in the summary and stats records.
fn counts() -> Value {
    let count = |d: &str| json!({"type": "integer", "minimum": 0, "description": d});
    json!({
        "type": "object",
        "properties": {
            "emitted": count("records written (to a file or socket: handed to its queue)"),
            "filtered": count("events a filter dropped, in the kernel"),
            "lost": count("events the kernel could not store: the ring buffer (or a CPU's perf buffer) was full"),
            "pairing_misses": count("traced calls whose exit found no entry from their enter"),
            "malformed": count("ring-buffer records that failed to decode"),
            "unwritten": count("records received but not written (--max-events reached)"),
            "deduplicated": count("records not written because --dedup found them repeating one written within its window"),
            "unsent": count("of the records emitted, those a file or socket destination (-o) never got: its queue was full, or it was down or stuck"),
        },
        "required": ["emitted", "filtered", "lost", "pairing_misses", "malformed", "unwritten", "deduplicated", "unsent"],
        "additionalProperties": false,
    })
}

/// The records sysnoop writes about the run itself.
pub(crate) fn run_records() -> Vec<(&'static str, Value)> {
    let hooks = json!({
        "type": "object",
        "properties": {
            "kind": {"type": "string", "description": "the kind traced"},
            "hooks": {"type": "array", "items": {"type": "string"}, "description": "the hooks attached; a fallback is named as such"},
            "detail": {"type": ["string", "null"], "description": "more about what is traced (traffic: the cgroup and interval)"},
            "absent": {"type": "array", "items": {"type": "string"}, "description": "variants this kernel lacks"},
            "without": {"type": "array", "items": {"type": "string"}, "description": "kernel features (BPF helpers) its programs do without here: the fallbacks they took (see the start record's fallbacks)"},
        },
        "required": ["kind", "hooks", "detail", "absent", "without"],
        "additionalProperties": false,
    });
    let skipped = json!({
        "type": "object",
        "properties": {"kind": {"type": "string"}, "reason": {"type": "string"}},
        "required": ["kind", "reason"],
        "additionalProperties": false,
    });
    let filter = |ty: &str, d: &str| json!({"type": [ty, "null"], "description": d});
    let filters = json!({
        "type": "object",
        "properties": {
            "pid": filter("integer", "-p"),
            "tid": filter("integer", "-t"),
            "uid": filter("integer", "-u"),
            "comm": filter("string", "-n"),
            "failed": {"type": "boolean", "description": "-x"},
            "cgroup": filter("string", "--cgroup, as given"),
            "follow": filter("integer", "--follow: the process followed with its descendants"),
            "command": {"type": ["array", "null"], "items": {"type": "string"}, "description": "-- CMD: the command run and followed"},
        },
        "required": ["pid", "tid", "uid", "comm", "failed", "cgroup", "follow", "command"],
        "additionalProperties": false,
    });
    let start = record(
        "start",
        "The first line of every run: what is traced, how, and since when.",
        vec![
            Field::string("version", "sysnoop's version"),
            Field::string("kernel", "the running kernel's release").nullable(),
            Field::with("format", json!({"enum": ["native", "ocsf", "text"]}), "--format"),
            Field::with("kinds", json!({"type": "array", "items": hooks}), "each kind traced, with its hooks"),
            Field::with("skipped", json!({"type": "array", "items": skipped}), "kinds `all` goes on without, and why"),
            Field::with("filters", filters, "the filters; null when not set"),
            Field::count("ring_size", "--ring-size: the ring buffer's size in bytes, or the perf buffers' together"),
            Field::with("transport", json!({"enum": ["ringbuf", "perf"]}), "how records reach sysnoop: the BPF ring buffer, or a perf buffer per CPU"),
            Field::with(
                "fallbacks",
                json!({"type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "description": "the kernel feature (a BPF helper) done without"},
                        "since": {"type": "string", "description": "the Linux version that brought it"},
                        "instead": {"type": "string", "description": "what the programs do instead, and how that is weaker if it is"},
                        "why": {"type": "string", "description": "\"not in this kernel\", or SYSNOOP_AS_KERNEL=VERSION"},
                    },
                    "required": ["name", "since", "instead", "why"],
                    "additionalProperties": false,
                }}),
                "the kernel features the traced kinds' programs do without, why, and what they do instead",
            ),
        ],
    );
    let report = |kind, description| {
        record(kind, description, vec![
            Field::count("elapsed_ns", "since the run began"),
            Field::with("counts", json!({"type": "object", "additionalProperties": counts()}), "per record kind: what happened to every event"),
            Field::with("follow", json!({
                "type": "object",
                "properties": {
                    "tasks": {"type": "integer", "minimum": 0, "description": "tasks (processes and threads) followed: the first ones and every new one"},
                    "untracked": {"type": "integer", "minimum": 0, "description": "new tasks of followed ones not followed because the set was full (--max-tasks): nothing they did was traced"},
                },
                "required": ["tasks", "untracked"],
                "additionalProperties": false,
            }), "-- CMD and --follow: the tasks followed").optional(),
            Field::count("perf_lost", "the perf transport: samples its buffers reported lost, the same losses the kinds' `lost` counts (the last ones of a run may be missing here)").optional(),
        ])
    };
    vec![
        ("start", start),
        ("summary", report("summary", "The last line of every run: every event of each kind, counted once.")),
        ("stats", report("stats", "On stderr every --stats-interval: the counts so far.")),
    ]
}
