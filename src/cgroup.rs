//! cgroup v2 ids as paths, and the containers those paths name. BPF programs see a
//! task's cgroup as an id (`bpf_get_current_cgroup_id()`, the cgroup directory's kernfs
//! id, which is also its inode number); records name it by its path under the cgroup v2
//! mount, and by the container when the path is a container runtime's.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::libc;
use nix::sys::stat::Mode;

use crate::preflight;

// ---------------------------------------------------------------------------------------
// Containers

/// A container, as its runtime names its cgroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Container {
    /// The runtime's container id: 64 lowercase hex digits.
    pub(crate) id: String,
    /// `docker`, `containerd`, `cri-o` or `podman`.
    pub(crate) runtime: &'static str,
}

/// The prefixes runtimes put before the id in a container's cgroup name (systemd driver:
/// `<prefix><id>.scope`), and whether the bare `<prefix><id>` is also theirs (cri-o and
/// podman with the cgroupfs driver).
const FORMS: [(&str, &str, bool); 4] =
    [("docker-", "docker", false), ("cri-containerd-", "containerd", false), ("crio-", "cri-o", true), ("libpod-", "podman", true)];

/// `dir` as records name it: its path under the cgroup v2 mount `root`.
pub(crate) fn relative(root: &Path, dir: &Path) -> String {
    match dir.strip_prefix(root) {
        Ok(p) if p.as_os_str().is_empty() => "/".into(),
        Ok(p) => format!("/{}", p.display()),
        Err(_) => dir.display().to_string(),
    }
}

/// The container a cgroup v2 path (relative to the mount, such as
/// `/system.slice/docker-<id>.scope`) names: the first component, from the leaf up, in
/// one of the runtimes' forms. Not only the leaf: a container's own systemd or init puts
/// its cgroups below the runtime's (`/machine.slice/libpod-<id>.scope/container`,
/// `/docker/<id>/init.scope`). The monitors' cgroups (`crio-conmon-<id>.scope`,
/// `libpod-conmon-<id>.scope`) are not containers, and do not match: `conmon-<id>` is
/// not an id.
pub(crate) fn container_of(path: &str) -> Option<Container> {
    let mut components = path.rsplit('/').filter(|c| !c.is_empty()).peekable();
    while let Some(name) = components.next() {
        if let Some(container) = container_named(name, components.peek().copied()) {
            return Some(container);
        }
    }
    None
}

/// The container one path component `name`, below `parent`, names.
fn container_named(name: &str, parent: Option<&str>) -> Option<Container> {
    // docker's cgroupfs driver: `/docker/<id>`.
    if parent == Some("docker") && is_container_id(name) {
        return Some(Container { id: name.to_owned(), runtime: "docker" });
    }
    FORMS.iter().find_map(|&(prefix, runtime, bare)| {
        let rest = name.strip_prefix(prefix)?;
        let id = match rest.strip_suffix(".scope") {
            Some(id) => id,
            None if bare => rest,
            None => return None,
        };
        is_container_id(id).then(|| Container { id: id.to_owned(), runtime })
    })
}

/// 64 lowercase hex digits, as every runtime here writes its ids.
fn is_container_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

// ---------------------------------------------------------------------------------------
// cgroup ids

/// How many cgroups `Cgroups` remembers. When full it forgets them all: a host rarely
/// has this many cgroups with tasks that do anything, so the cache refills with the
/// ones still active at the cost of one lookup each.
const CAPACITY: usize = 4096;

/// `FILEID_KERNFS` (include/linux/exportfs.h): the file handle type kernfs's
/// export_operations encode and decode (fs/kernfs/mount.c), whose 8 bytes are the node's
/// 64-bit id, the cgroup id on cgroup v2.
const FILEID_KERNFS: libc::c_int = 0xfe;

/// `struct file_handle` (open_by_handle_at(2)) with its `f_handle` sized for kernfs.
#[repr(C)]
struct KernfsHandle {
    handle_bytes: libc::c_uint,
    handle_type: libc::c_int,
    f_handle: [u8; 8],
}

/// One cgroup v2 directory.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Cgroup {
    /// Its path under the cgroup v2 mount, `/` for the root.
    pub(crate) path: String,
    /// The container its path names.
    pub(crate) container: Option<Container>,
}

impl Cgroup {
    fn at(path: String) -> Rc<Cgroup> {
        Rc::new(Cgroup { container: container_of(&path), path })
    }
}

/// Why an id did not resolve by handle.
enum Miss {
    /// No such cgroup: removed, or never one.
    Gone,
    /// The process is short of something (descriptors, memory) for now.
    Transient,
    /// Handles do not work here (no CAP_DAC_READ_SEARCH, no /proc, a cgroup namespace
    /// whose cgroups lie outside the mount).
    Unusable,
}

/// cgroup ids to cgroups, remembered.
///
/// A miss is resolved with open_by_handle_at(2), one cgroup at a time, as systemd and
/// bpftool do; where that does not work, by walking the whole hierarchy and remembering
/// every cgroup in it, as `sysnoop traffic` does.
///
/// Ids that resolve to nothing are remembered too: a cgroup's id is never reused
/// (kernfs ids are allocated cyclically in 32 bits with a generation in the upper 32),
/// so an id that is gone stays gone, and a cgroup made later at the same path has a new
/// id. Only an id not yet allocated could later appear, and the kernel never hands one
/// out before its cgroup exists. What is not remembered is a miss that says nothing
/// about the id (out of descriptors, an incomplete walk).
///
/// A cgroup renamed after its first lookup keeps its old path here (cgroup v2 allows
/// renames within the same parent; container runtimes do not rename).
pub(crate) struct Cgroups {
    /// The cgroup v2 mount point; paths are relative to it.
    mount: PathBuf,
    /// The mount point, open: the filesystem open_by_handle_at decodes handles on.
    mount_fd: OwnedFd,
    /// Whether to try open_by_handle_at; off after the first error that says it cannot
    /// work here.
    by_handle: bool,
    cache: HashMap<u64, Option<Rc<Cgroup>>>,
    /// The entry of the last id asked for: records come in runs from one cgroup, and
    /// this spares them the hash.
    last: Option<(u64, Option<Rc<Cgroup>>)>,
}

impl Cgroups {
    /// The resolver for the cgroup v2 mount; None when there is none (or it cannot be
    /// opened).
    pub(crate) fn new() -> Option<Cgroups> {
        Cgroups::at(preflight::cgroup2_mount()?)
    }

    fn at(mount: PathBuf) -> Option<Cgroups> {
        let mount_fd = nix::fcntl::open(&mount, OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC, Mode::empty()).ok()?;
        Some(Cgroups { mount, mount_fd, by_handle: true, cache: HashMap::new(), last: None })
    }

    /// The cgroup with this id; None when it is gone or was never a cgroup here.
    pub(crate) fn get(&mut self, id: u64) -> Option<Rc<Cgroup>> {
        if let Some((_, known)) = self.last.as_ref().filter(|(last, _)| *last == id) {
            return known.clone();
        }
        if let Some(known) = self.cache.get(&id) {
            self.last = Some((id, known.clone()));
            return known.clone();
        }
        if self.by_handle {
            match self.resolve_by_handle(id) {
                Ok(path) => return self.remember(id, Some(Cgroup::at(path))),
                Err(Miss::Gone) => return self.remember(id, None),
                Err(Miss::Transient) => return None,
                Err(Miss::Unusable) => self.by_handle = false,
            }
        }
        self.resolve_by_walk(id)
    }

    /// The path of cgroup `id`: open_by_handle_at on a kernfs handle, then the path of
    /// the descriptor from /proc.
    fn resolve_by_handle(&self, id: u64) -> Result<String, Miss> {
        let mut handle = KernfsHandle { handle_bytes: 8, handle_type: FILEID_KERNFS, f_handle: id.to_ne_bytes() };
        let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC;
        // SAFETY: `handle` is a `struct file_handle` followed by the `handle_bytes` (8)
        // bytes of `f_handle` the kernel copies in; nothing is kept past the call.
        let fd = unsafe { libc::open_by_handle_at(self.mount_fd.as_raw_fd(), (&raw mut handle).cast(), flags) };
        if fd < 0 {
            return Err(match Errno::last() {
                // ESTALE: kernfs has no active node with this id. ENOTDIR: a node that is
                // a file, not a cgroup.
                Errno::ESTALE | Errno::ENOENT | Errno::ENOTDIR => Miss::Gone,
                Errno::EMFILE | Errno::ENFILE | Errno::ENOMEM | Errno::EINTR => Miss::Transient,
                _ => Miss::Unusable,
            });
        }
        // SAFETY: a descriptor open_by_handle_at just returned, owned by nothing else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let target = nix::fcntl::readlink(format!("/proc/self/fd/{}", fd.as_raw_fd()).as_str()).map_err(|_| Miss::Unusable)?;
        // Removed since it was opened: it is still the cgroup the id named.
        let target = Path::new(OsStr::from_bytes(target.as_bytes().strip_suffix(b" (deleted)").unwrap_or(target.as_bytes())));
        if !target.starts_with(&self.mount) {
            return Err(Miss::Unusable);
        }
        Ok(relative(&self.mount, target))
    }

    /// Walks the hierarchy, remembering every cgroup in it (up to the capacity, `id`
    /// first), and returns `id`'s.
    fn resolve_by_walk(&mut self, id: u64) -> Option<Rc<Cgroup>> {
        let (found, complete) = walk(&self.mount);
        let wanted = found.get(&id).map(|path| Cgroup::at(path.clone()));
        if wanted.is_none() && !complete {
            return None;
        }
        if self.cache.len() + found.len() >= CAPACITY {
            self.cache.clear();
        }
        self.cache.insert(id, wanted.clone());
        for (other, path) in found {
            if self.cache.len() >= CAPACITY {
                break;
            }
            self.cache.entry(other).or_insert_with(|| Some(Cgroup::at(path)));
        }
        wanted
    }

    fn remember(&mut self, id: u64, cgroup: Option<Rc<Cgroup>>) -> Option<Rc<Cgroup>> {
        if self.cache.len() >= CAPACITY {
            self.cache.clear();
        }
        self.cache.insert(id, cgroup.clone());
        cgroup
    }
}

/// Every cgroup under `mount` by id (its directory's inode number), and whether the walk
/// read every directory (one removed while walking counts as read). traffic names its
/// cgroups with it too.
pub(crate) fn walk(mount: &Path) -> (HashMap<u64, String>, bool) {
    let mut found = HashMap::new();
    let mut complete = true;
    let mut todo = vec![mount.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let entries = std::fs::metadata(&dir).and_then(|meta| {
            found.insert(meta.ino(), relative(mount, &dir));
            std::fs::read_dir(&dir)
        });
        match entries {
            Ok(entries) => {
                todo.extend(entries.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())).map(|e| e.path()));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(_) => complete = false,
        }
    }
    (found, complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cgroups_are_named_under_the_mount() {
        let root = Path::new("/sys/fs/cgroup");
        assert_eq!(relative(root, root), "/");
        assert_eq!(relative(root, &root.join("system.slice/x.service")), "/system.slice/x.service");
    }

    const ID: &str = "4c1f0d9b7e2a53c8f6b1e0a9d7c3f58e2b6a4d1c9e7f0b3a5d8c2e6f1a4b7d90";
    const ID2: &str = "0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa0123456789";

    fn docker(id: &str) -> Option<Container> {
        Some(Container { id: id.into(), runtime: "docker" })
    }

    #[test]
    fn containers() {
        let some = |id: &str, runtime| Some(Container { id: id.into(), runtime });
        assert_eq!(container_of(&format!("/system.slice/docker-{ID}.scope")), docker(ID));
        assert_eq!(container_of(&format!("/docker/{ID}")), docker(ID));
        assert_eq!(container_of(&format!("/docker/{ID}/init.scope")), docker(ID));
        assert_eq!(container_of(&format!("/docker/{ID}/docker/{ID2}")), docker(ID2));
        assert_eq!(
            container_of(&format!(
                "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6b3f0a1c_2d4e_4f8a_9b1c_0d2e3f4a5b6c.slice/cri-containerd-{ID}.scope"
            )),
            some(ID, "containerd")
        );
        assert_eq!(container_of(&format!("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice/crio-{ID}.scope")), some(ID, "cri-o"));
        assert_eq!(container_of(&format!("/kubepods/besteffort/pod1234/crio-{ID}")), some(ID, "cri-o"));
        assert_eq!(container_of(&format!("/kubepods.slice/kubepods-pod1234.slice/crio-{ID}.scope/container")), some(ID, "cri-o"));
        assert_eq!(container_of(&format!("/machine.slice/libpod-{ID}.scope")), some(ID, "podman"));
        assert_eq!(container_of(&format!("/machine.slice/libpod-{ID}.scope/container")), some(ID, "podman"));
        assert_eq!(container_of(&format!("/machine.slice/libpod-{ID}.scope/container/system.slice/cron.service")), some(ID, "podman"));
        assert_eq!(container_of(&format!("/libpod_parent/libpod-{ID}")), some(ID, "podman"));
        assert_eq!(container_of(&format!("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{ID}.scope/container")), some(ID, "podman"));
        // The leaf's container, not an outer one's.
        assert_eq!(container_of(&format!("/machine.slice/libpod-{ID}.scope/container/docker/{ID2}")), docker(ID2));
    }

    #[test]
    fn not_containers() {
        let upper = ID.to_uppercase();
        let short = &ID[..63];
        let long = format!("{ID}0");
        for path in [
            "/".to_owned(),
            String::new(),
            "/init.scope".into(),
            "/user.slice/user-1000.slice/session-3.scope".into(),
            "/system.slice/docker.service".into(),
            "/system.slice/docker-abc.scope".into(),
            "/docker".into(),
            format!("/system.slice/docker-{upper}.scope"),
            format!("/system.slice/docker-{short}.scope"),
            format!("/system.slice/docker-{long}.scope"),
            format!("/system.slice/docker-{ID}"),
            format!("/system.slice/docker-{ID}.service"),
            format!("/system.slice/cri-containerd-{ID}"),
            format!("/machine.slice/libpod-conmon-{ID}.scope"),
            format!("/kubepods.slice/crio-conmon-{ID}.scope"),
            format!("/kubepods.slice/crio-conmon-{ID}"),
            format!("/{ID}"),
            format!("/system.slice/{ID}"),
            format!("/docker/{upper}"),
            format!("/docker/{short}"),
            format!("/notdocker/{ID}"),
            format!("/docker/x/{ID}"),
        ] {
            assert_eq!(container_of(&path), None, "{path}");
        }
    }

    proptest::proptest! {
        /// Any id, in every form a runtime writes, with the containers' own cgroups below
        /// it or not.
        #[test]
        fn every_form_gives_the_id_back(id in "[0-9a-f]{64}", below in proptest::option::of("[a-z.@-]{1,12}")) {
            let forms = [
                (format!("/system.slice/docker-{id}.scope"), "docker"),
                (format!("/docker/{id}"), "docker"),
                (format!("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0.slice/cri-containerd-{id}.scope"), "containerd"),
                (format!("/kubepods.slice/crio-{id}.scope"), "cri-o"),
                (format!("/kubepods/burstable/pod0/crio-{id}"), "cri-o"),
                (format!("/machine.slice/libpod-{id}.scope"), "podman"),
                (format!("/libpod_parent/libpod-{id}"), "podman"),
            ];
            for (path, runtime) in forms {
                // A component below is never itself one (no 64 hex digits).
                let path = match &below {
                    Some(below) => format!("{path}/{below}"),
                    None => path,
                };
                proptest::prop_assert_eq!(container_of(&path), Some(Container { id: id.clone(), runtime }), "{}", path);
            }
        }

        /// Arbitrary strings, and strings of path-like pieces, never panic.
        #[test]
        fn arbitrary_paths_never_panic(
            s in ".*",
            pieces in proptest::collection::vec(
                proptest::prop_oneof!["[0-9a-f]{60,68}", "(docker|crio|libpod|cri-containerd|conmon)-?", "\\.scope", "/", ".{0,3}"],
                0..12,
            ),
        ) {
            let _ = container_of(&s);
            let _ = container_of(&pieces.concat());
        }
    }

    /// The cgroup v2 mount; None (the test skips) without one, except on CI.
    fn mount_or_skip() -> Option<PathBuf> {
        let mount = preflight::cgroup2_mount();
        if mount.is_none() {
            assert!(std::env::var("CI").as_deref() != Ok("true"), "no cgroup v2 mount (CI=true)");
            eprintln!("skipped: no cgroup v2 mount");
        }
        mount
    }

    /// Directories made under the cgroup v2 mount, removed (leaves first) when dropped,
    /// whatever the test did.
    struct Made(Vec<PathBuf>);

    impl Made {
        fn dir(&mut self, path: PathBuf) -> u64 {
            std::fs::create_dir(&path).unwrap_or_else(|e| panic!("mkdir {}: {e}", path.display()));
            self.0.push(path);
            std::fs::metadata(self.0.last().unwrap()).unwrap().ino()
        }

        fn remove_last(&mut self) {
            let dir = self.0.pop().unwrap();
            std::fs::remove_dir(&dir).unwrap_or_else(|e| panic!("rmdir {}: {e}", dir.display()));
        }
    }

    impl Drop for Made {
        fn drop(&mut self) {
            for dir in self.0.iter().rev() {
                let _ = std::fs::remove_dir(dir);
            }
        }
    }

    /// A resolver by handle and one by walking, on the same mount.
    fn both(mount: &Path) -> [(&'static str, Cgroups); 2] {
        let mut walking = Cgroups::at(mount.to_path_buf()).unwrap();
        walking.by_handle = false;
        [("by handle", Cgroups::at(mount.to_path_buf()).unwrap()), ("by walk", walking)]
    }

    #[test]
    fn real_cgroups() {
        let Some(mount) = mount_or_skip() else { return };
        let top = format!("sysnoop-test-{}-real", std::process::id());
        let mut made = Made(Vec::new());
        let parent = made.dir(mount.join(&top));
        let child = made.dir(mount.join(&top).join(format!("docker-{ID}.scope")));
        let root = std::fs::metadata(&mount).unwrap().ino();
        for (how, mut cgroups) in both(&mount) {
            let got = cgroups.get(child).unwrap_or_else(|| panic!("{how}: {child} did not resolve"));
            assert_eq!(*got, Cgroup { path: format!("/{top}/docker-{ID}.scope"), container: docker(ID) }, "{how}");
            assert!(Rc::ptr_eq(&got, &cgroups.get(child).unwrap()), "{how}: a second lookup is not from the cache");
            assert_eq!(*cgroups.get(parent).unwrap(), Cgroup { path: format!("/{top}"), container: None }, "{how}");
            assert_eq!(*cgroups.get(root).unwrap(), Cgroup { path: "/".into(), container: None }, "{how}");
            // Never a cgroup id: ids start at 1 and count up.
            assert_eq!(cgroups.get(u64::MAX), None, "{how}");
            assert_eq!(cgroups.cache.get(&u64::MAX), Some(&None), "{how}: the miss is not remembered");
            if how == "by handle" && !cgroups.by_handle {
                eprintln!("open_by_handle_at does not work here: resolved by walking");
            }
        }
    }

    #[test]
    fn removed_cgroups() {
        let Some(mount) = mount_or_skip() else { return };
        let top = format!("sysnoop-test-{}-removed", std::process::id());
        let mut made = Made(Vec::new());
        made.dir(mount.join(&top));
        let gone = made.dir(mount.join(&top).join(format!("libpod-{ID}")));
        let [(_, mut before), _] = both(&mount);
        assert_eq!(before.get(gone).unwrap().container, Some(Container { id: ID.into(), runtime: "podman" }));
        made.remove_last();
        // Remembered: the id still names what it named when it was looked up.
        assert_eq!(before.get(gone).unwrap().path, format!("/{top}/libpod-{ID}"));
        for (how, mut cgroups) in both(&mount) {
            assert_eq!(cgroups.get(gone), None, "{how}");
        }
        // A new cgroup at the same path has a new id.
        let again = made.dir(mount.join(&top).join(format!("libpod-{ID}")));
        assert_ne!(again, gone);
        for (how, mut cgroups) in both(&mount) {
            assert_eq!(cgroups.get(again).unwrap().path, format!("/{top}/libpod-{ID}"), "{how}");
        }
    }

    #[test]
    fn cache_is_bounded() {
        let mut cgroups = Cgroups::at(std::env::temp_dir()).unwrap();
        for id in 0..CAPACITY as u64 {
            cgroups.remember(id, None);
        }
        assert_eq!(cgroups.cache.len(), CAPACITY);
        cgroups.remember(u64::MAX, Some(Cgroup::at("/x".into())));
        assert_eq!(cgroups.cache.len(), 1);
        assert_eq!(cgroups.get(u64::MAX).unwrap().path, "/x");
    }
}
