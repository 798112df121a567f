//! `module` records: init_module, finit_module and delete_module, from
//! bpf/privilege.bpf.c's module_exit. A load's module is named by the kernel (the
//! tracepoint module_load, during the call); an unload's as passed.

use std::borrow::Cow;
use std::fmt::{Display, Write as _};
use std::mem::offset_of;

use serde::Serialize;

use crate::abi::sysnoop_kind;
use crate::bpf::privilege::types::{module_event, priv_abi, priv_module_name, priv_module_syscall};
use crate::columns::{escape, time_of_day, Header};
use crate::decode::{self, Malformed};
use crate::event::{push_task_line, Decoder, Record, RecordContext, Task};
use crate::identity::ExecId;
use crate::ocsf::{Actor, Class, File, Ocsf};
use crate::path::{self, shown, FullPath};
use crate::schema::Field;
use crate::{errno, plain_abi, text};

/// Each module call: its name (and tracepoint's), and its number in `enum priv_module_syscall`.
pub(super) const MODULE_CALLS: [(&str, priv_module_syscall); priv_module_syscall::MODULE_SYSCALL_NR.0 as usize] = [
    ("init_module", priv_module_syscall::MODULE_INIT),
    ("finit_module", priv_module_syscall::MODULE_FINIT),
    ("delete_module", priv_module_syscall::MODULE_DELETE),
];

/// finit_module's flags (linux/module.h), and delete_module's (O_NONBLOCK, O_TRUNC: fcntl.h).
const FINIT_FLAGS: &[(u64, &str)] = &[(1, "MODULE_INIT_IGNORE_MODVERSIONS"), (2, "MODULE_INIT_IGNORE_VERMAGIC"), (4, "MODULE_INIT_COMPRESSED_FILE")];
const DELETE_FLAGS: &[(u64, &str)] = &[(0o4000, "O_NONBLOCK"), (0o1000, "O_TRUNC")];

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModuleEvent {
    pub(crate) task: Task,
    pub(crate) start_ns: u64,
    pub(crate) syscall: &'static str,
    /// The module: the kernel's name for a load it got far enough to name, delete_module's as passed.
    pub(crate) name: Option<Vec<u8>>,
    pub(crate) len: u64,
    pub(crate) flags: u64,
    pub(crate) ret: i32,
    pub(crate) fd: i32,
    /// init_module's and finit_module's parameters, as passed.
    pub(crate) params: Option<Vec<u8>>,
    /// finit_module: its file, in full.
    pub(crate) file: FullPath,
}

const MODULE_HEADER: usize = priv_abi::MODULE_EVENT_HEADER_SIZE.0 as usize;
plain_abi!(module_event);
const _: () = assert!(offset_of!(module_event, data) == MODULE_HEADER);

/// The header, then the parameters (params_len bytes with their NUL) and finit_module's
/// file's walked name (path_len).
pub(super) fn decode_module(bytes: &[u8]) -> Result<ModuleEvent, Malformed> {
    if bytes.len() < MODULE_HEADER {
        return Err(Malformed::Short { len: bytes.len(), need: MODULE_HEADER });
    }
    let number = decode::read::<u16>(bytes, offset_of!(module_event, syscall));
    let &(syscall, _) = MODULE_CALLS.get(usize::from(number)).ok_or(Malformed::Unknown { field: "module syscall", value: number.into() })?;
    let params_len = usize::from(decode::read::<u16>(bytes, offset_of!(module_event, params_len)));
    let path_len = usize::from(decode::read::<u16>(bytes, offset_of!(module_event, path_len)));
    let params = bytes.get(MODULE_HEADER..MODULE_HEADER + params_len).ok_or(Malformed::Length { field: "params_len", value: params_len, len: bytes.len() })?;
    let byte = |offset: usize| decode::read::<u8>(bytes, offset);
    let file = path::decode(
        bytes,
        MODULE_HEADER + params_len,
        path_len,
        byte(offset_of!(module_event, path_source)),
        byte(offset_of!(module_event, path_flags)),
        decode::read(bytes, offset_of!(module_event, ino)),
        &[],
        "path_len",
    )?;
    let name_source = u32::from(byte(offset_of!(module_event, name_source)));
    if name_source > priv_module_name::MODULE_NAME_PASSED.0 {
        return Err(Malformed::Unknown { field: "module name source", value: name_source });
    }
    let name = bytes.get(offset_of!(module_event, name)..).and_then(|b| b.get(..priv_abi::MODULE_NAME_MAX.0 as usize)).unwrap_or_default();
    Ok(ModuleEvent {
        task: decode::task(bytes),
        start_ns: decode::read(bytes, offset_of!(module_event, start_ns)),
        syscall,
        name: (name_source != priv_module_name::MODULE_NAME_NONE.0).then(|| text::until_nul(name).to_vec()),
        len: decode::read(bytes, offset_of!(module_event, len)),
        flags: decode::read(bytes, offset_of!(module_event, flags)),
        ret: decode::read(bytes, offset_of!(module_event, ret)),
        fd: decode::read(bytes, offset_of!(module_event, fd)),
        params: (!params.is_empty()).then(|| text::until_nul(params).to_vec()),
        file,
    })
}

#[derive(Serialize)]
struct ModuleRecord {
    exec_id: ExecId,
    syscall: &'static str,
    name: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name_hex: Option<String>,
    fd: Option<i32>,
    file: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file_hex: Option<String>,
    file_truncated: bool,
    len: Option<u64>,
    params: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    params_hex: Option<String>,
    flags: Vec<Cow<'static, str>>,
    ret: i32,
    errno: Option<Cow<'static, str>>,
}

/// Kernel Extension Activity's `driver`: the module, as a file.
#[derive(Serialize)]
struct Driver<'a> {
    file: File<'a>,
}

#[derive(Serialize)]
struct ModuleOcsf<'a> {
    actor: Actor<'a>,
    device: &'a serde_json::value::RawValue,
    driver: Driver<'a>,
    status_id: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<Cow<'static, str>>,
    unmapped: ModuleRecord,
}

impl ModuleEvent {
    fn body(&self, ctx: &RecordContext) -> ModuleRecord {
        let (name, name_hex) = shown(self.name.as_deref());
        let (file, file_hex) = self.file.rendered();
        let (params, params_hex) = shown(self.params.as_deref());
        let flags = match self.syscall {
            "finit_module" => crate::flags::named(self.flags, FINIT_FLAGS),
            "delete_module" => crate::flags::named(self.flags, DELETE_FLAGS),
            _ => Vec::new(),
        };
        ModuleRecord {
            exec_id: ctx.exec_id(self.start_ns, self.task.pid),
            syscall: self.syscall,
            name,
            name_hex,
            fd: (self.syscall == "finit_module").then_some(self.fd),
            file: file.map(|f| Cow::Owned(f.into_owned())),
            file_hex,
            file_truncated: self.file.truncated,
            len: (self.syscall == "init_module").then_some(self.len),
            params,
            params_hex,
            flags,
            ret: self.ret,
            errno: errno::of_ret(self.ret.into()),
        }
    }
}

impl Record for ModuleEvent {
    const NAME: &'static str = "module";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_MODULE.0, decode_module));

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        push_task_line(line, Self::NAME, ctx, &self.task, &self.body(ctx));
    }

    /// Kernel Extension Activity: Load (init_module, finit_module) or Unload
    /// (delete_module). `driver.file` is finit_module's file (its name the file's), else
    /// the module by name (an empty one for a load refused before the kernel named it).
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let body = self.body(ctx);
        let mut file = match &body.file {
            Some(path) => File::at(path.clone()),
            None => File { name: body.name.clone().unwrap_or_default(), type_id: 0, path: None, uid: None },
        };
        if body.file.is_some() {
            file.type_id = 1;
        }
        let activity = if self.syscall == "delete_module" { 2 } else { 1 };
        let (status_id, status_detail) = crate::ocsf::status(self.ret.into());
        let event = ModuleOcsf { actor: Actor::task(&self.task, ctx), device: ocsf.device(), driver: Driver { file }, status_id, status_detail, unmapped: body };
        ocsf.push_task(line, Class::KernelExtension, activity, ctx, &self.task, &event);
    }

    fn schema() -> serde_json::Value {
        let fields = vec![
            Field::exec_id("exec_id", "the caller's process id (as its `exec` records give it)"),
            Field::with("syscall", serde_json::json!({"enum": MODULE_CALLS.iter().map(|c| c.0).collect::<Vec<_>>()}), "the call: `init_module` loads an image from the caller's memory, `finit_module` from a file"),
            Field::string("name", "the module: for a load, the name the kernel gave it once it had checked the image (a load refused before that, e.g. `ENOEXEC` or `EPERM`, has `null`; one whose init then failed has its name); delete_module: as passed (at most 55 bytes)").nullable(),
            Field::hex("name_hex", "name"),
            Field::with("fd", serde_json::json!({"type": ["integer", "null"]}), "finit_module: the descriptor passed; else `null`"),
            Field::string("file", "finit_module: the file the descriptor is open on, in full (as the kernel names it; a memfd is `/memfd:NAME (deleted)`); else `null`").nullable(),
            Field::hex("file_hex", "file"),
            Field::boolean("file_truncated", "the file's name was cut (too deep, or longer than PATH_MAX)"),
            Field::with("len", serde_json::json!({"type": ["integer", "null"], "minimum": 0}), "init_module: the image's length in bytes, as passed; else `null`"),
            Field::string("params", "init_module and finit_module: the module's parameters as passed (`debug=1`; at most 255 bytes); `null` when empty or for delete_module").nullable(),
            Field::hex("params_hex", "params"),
            Field::strings("flags", "the flags passed by name: finit_module's `MODULE_INIT_*`, delete_module's `O_NONBLOCK` and `O_TRUNC`; any other bit in hex"),
            Field::integer("ret", "`0`, or the negative errno"),
            Field::string("errno", "the errno name when it failed (e.g. `\"EEXIST\"`: already loaded), else `null`").nullable(),
        ];
        crate::schema::task_record(Self::NAME, "One call that loads or unloads a kernel module (init_module, finit_module, delete_module), failed ones included.", fields)
    }

    const TEXT: Header = Header {
        columns: &[("TIME(UTC)", 12), ("PID", 7), ("COMM", 16), ("SYSCALL", 13), ("RET", 7)],
        last: "MODULE",
    };

    /// The module's name, and where finit_module loaded it from: `crc7 from /lib/modules/.../crc7.ko`.
    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let ret = errno::of_ret(self.ret.into()).unwrap_or_else(|| Cow::Owned(self.ret.to_string()));
        let mut module = self.name.as_deref().map_or_else(|| "-".to_owned(), |n| escape(n).into_owned());
        if let Some(file) = &self.file.path {
            let _ = write!(module, " from {}", escape(file));
        }
        if let Some(params) = &self.params {
            let _ = write!(module, " {}", escape(params));
        }
        let cells: [&dyn Display; 5] = [&time_of_day(ctx.utc(self.task.ts_ns)), &self.task.pid, &escape(&self.task.comm), &self.syscall, &ret];
        Self::TEXT.row(line, &cells, &module);
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        // finit_module of /lib/modules/6.1.0-56-cloud-amd64/kernel/lib/crc7.ko on fd 3, as "crc7".
        let file = b"/lib/modules/6.1.0-56-cloud-amd64/kernel/lib/crc7.ko";
        let mut b = crate::decode::tests::header(sysnoop_kind::SN_KIND_MODULE.0, MODULE_HEADER);
        let mut put = |offset: usize, bytes: &[u8]| b[offset..offset + bytes.len()].copy_from_slice(bytes);
        put(offset_of!(module_event, syscall), &(priv_module_syscall::MODULE_FINIT.0 as u16).to_ne_bytes());
        put(offset_of!(module_event, fd), &3i32.to_ne_bytes());
        put(offset_of!(module_event, ino), &1234u64.to_ne_bytes());
        put(offset_of!(module_event, params_len), &0u16.to_ne_bytes());
        put(offset_of!(module_event, path_len), &(file.len() as u16).to_ne_bytes());
        put(offset_of!(module_event, name_source), &[priv_module_name::MODULE_NAME_KERNEL.0 as u8, 1]); // SN_PATH_FILE
        put(offset_of!(module_event, name), b"crc7\0");
        b.extend_from_slice(file);
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::json;
    use crate::kinds::Event;

    #[test]
    fn a_load_from_a_file_named_by_the_kernel() {
        let e = decode_module(&<ModuleEvent as Record>::example().unwrap()).unwrap();
        let v = json(&Event::Module(e.clone()));
        assert_eq!((&v["syscall"], &v["name"], &v["fd"], &v["len"]), (&"finit_module".into(), &"crc7".into(), &3.into(), &serde_json::Value::Null));
        assert_eq!((&v["file"], &v["params"], &v["flags"]), (&"/lib/modules/6.1.0-56-cloud-amd64/kernel/lib/crc7.ko".into(), &serde_json::Value::Null, &serde_json::json!([])));
        let o = crate::ocsf::json(&Event::Module(e.clone()));
        assert_eq!(crate::ocsf::ids(&o), (1002, 1, 100201));
        assert_eq!(o["driver"], serde_json::json!({"file": {"name": "crc7.ko", "type_id": 1, "path": "/lib/modules/6.1.0-56-cloud-amd64/kernel/lib/crc7.ko"}}));
        // An unload: Unload, the module by name.
        let unload = ModuleEvent { syscall: "delete_module", flags: 0o4000, fd: -1, file: FullPath { path: None, truncated: false }, ret: -2, ..e };
        let v = json(&Event::Module(unload.clone()));
        assert_eq!((&v["fd"], &v["file"], &v["flags"], &v["errno"]), (&serde_json::Value::Null, &serde_json::Value::Null, &serde_json::json!(["O_NONBLOCK"]), &"ENOENT".into()));
        let o = crate::ocsf::json(&Event::Module(unload));
        assert_eq!((crate::ocsf::ids(&o), &o["driver"], &o["status_id"]), ((1002, 2, 100202), &serde_json::json!({"file": {"name": "crc7", "type_id": 0}}), &2.into()));
    }

    #[test]
    fn lengths_past_the_record_are_malformed() {
        let mut b = <ModuleEvent as Record>::example().unwrap();
        b[offset_of!(module_event, params_len)..][..2].copy_from_slice(&1000u16.to_ne_bytes());
        assert!(matches!(decode_module(&b), Err(Malformed::Length { field: "params_len", .. })));
        let mut b = <ModuleEvent as Record>::example().unwrap();
        b[offset_of!(module_event, name_source)] = 9;
        assert!(matches!(decode_module(&b), Err(Malformed::Unknown { .. })));
    }
}
