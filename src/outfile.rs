//! `-o file:PATH` and `-o unix:PATH`, opened so that no other user can redirect what
//! sysnoop writes: a privileged tool that appends to a path in a world-writable
//! directory must not follow a symlink (or a hard link) someone else planted there into
//! a file of their choosing, nor send to a socket someone else made.
//!
//! The path is walked one component at a time from an open directory (openat with
//! O_NOFOLLOW), never by name twice, so nothing can be swapped in between a check and
//! the use it guards:
//!
//!  - a symlink among the directories is followed only when it is owned by root or by
//!    sysnoop's own user (as the kernel's `fs.protected_symlinks` does in sticky
//!    directories, but everywhere, whatever that setting): another user's link could
//!    point anywhere;
//!  - the file itself is never a symlink (O_NOFOLLOW), and must be a regular file of
//!    sysnoop's own user with one link (a hard link to a file of another user's choosing
//!    has two), created mode 0600 when missing; or a FIFO or character device that root
//!    or sysnoop's own user made (`file:/dev/null`, a named pipe of one's own), named on
//!    purpose, since nobody else can plant one there.
//!
//! Anything else is refused with the path and the reason. The SIGHUP reopen goes
//! through the same walk.

use std::ffi::{CString, OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path};

use nix::libc;

/// At most this many symlinks in one walk, as the kernel's MAXSYMLINKS.
const MAX_LINKS: usize = 40;

/// Opens `path` to append to it, creating it (mode 0600) if missing, as the module says.
/// The error names what was refused and why.
pub(crate) fn open_append(path: &Path) -> io::Result<File> {
    let euid = nix::unistd::geteuid().as_raw();
    let trusted = |uid: u32| uid == 0 || uid == euid;
    let (dir, name) = walk_parent(path, &trusted)?;
    if name.as_bytes().contains(&0) {
        return Err(invalid(path, "the path holds a NUL byte"));
    }
    let flags = libc::O_WRONLY | libc::O_APPEND | libc::O_CREAT | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC;
    let file = match openat(Some(&dir), &name, flags) {
        Ok(fd) => File::from(fd),
        Err(e) => {
            // A symlink there gives ELOOP, or EACCES where the kernel itself refuses
            // another user's in a sticky directory (may_create_in_sticky): either way,
            // say what it is.
            let is_link = || open_path(&dir, &name).and_then(|fd| fstat(&fd)).is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFLNK);
            return Err(match e.raw_os_error() {
                Some(libc::ELOOP | libc::EACCES) if is_link() => {
                    refused(path, "it is a symbolic link (sysnoop does not write through one: another user could point it anywhere)")
                }
                Some(libc::ENXIO) => refused(path, "it is a FIFO nobody reads"),
                Some(libc::EISDIR) => refused(path, "it is a directory"),
                _ => e,
            });
        }
    };
    let meta = file.metadata()?;
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let kind = meta.file_type();
    if kind.is_file() {
        if meta.uid() != euid {
            return Err(refused(path, &format!("it belongs to uid {}, not to sysnoop's user (uid {euid})", meta.uid())));
        }
        if meta.nlink() != 1 {
            return Err(refused(path, &format!("it has {} hard links (one could be a file of another user's choosing)", meta.nlink())));
        }
    } else if kind.is_fifo() || kind.is_char_device() {
        if !trusted(meta.uid()) {
            return Err(refused(
                path,
                &format!("it is a {} of uid {}, neither root's nor sysnoop's user's", if kind.is_fifo() { "FIFO" } else { "device" }, meta.uid()),
            ));
        }
    } else {
        let what = if kind.is_dir() {
            "a directory"
        } else if kind.is_socket() {
            "a socket (use unix:PATH)"
        } else {
            "not a regular file"
        };
        return Err(refused(path, &format!("it is {what}")));
    }
    // Writes block as they would have without O_NONBLOCK (which only kept a FIFO
    // without a reader from hanging the open).
    // SAFETY: fcntl on our own descriptor.
    unsafe {
        let fl = libc::fcntl(file.as_raw_fd(), libc::F_GETFL);
        if fl >= 0 {
            libc::fcntl(file.as_raw_fd(), libc::F_SETFL, fl & !libc::O_NONBLOCK);
        }
    }
    Ok(file)
}

/// Connects to the Unix stream socket at `path` (`-o unix:PATH`) by the same walk: no
/// symlink of another user among the directories, none at all at the socket itself;
/// and a socket in a directory other users can write (a sticky /tmp) must belong to
/// root or sysnoop's user, since anyone could have made it there to be sent the records.
/// The socket is connected through its open descriptor (/proc/self/fd/N), so what was
/// checked is what is connected to.
pub(crate) fn connect_unix(path: &Path) -> io::Result<std::os::unix::net::UnixStream> {
    let (euid, egid) = (nix::unistd::geteuid().as_raw(), nix::unistd::getegid().as_raw());
    let trusted = |uid: u32| uid == 0 || uid == euid;
    let (dir, name) = walk_parent(path, &trusted)?;
    let socket = open_path(&dir, &name)?;
    let st = fstat(&socket)?;
    match st.st_mode & libc::S_IFMT {
        libc::S_IFSOCK => {}
        libc::S_IFLNK => {
            return Err(refused(
                path,
                "it is a symbolic link (sysnoop does not send through one: another user could point it anywhere; name the socket itself)",
            ))
        }
        _ => return Err(refused(path, "it is not a socket")),
    }
    let parent = fstat(&dir)?;
    let others_write = parent.st_mode & 0o002 != 0 || (parent.st_mode & 0o020 != 0 && parent.st_gid != 0 && parent.st_gid != egid);
    if others_write && !trusted(st.st_uid) {
        return Err(refused(
            path,
            &format!("it is a socket of uid {} in a directory other users can write (mode {:o}), so anyone could have made it; put the collector's socket in a directory only it can write", st.st_uid, parent.st_mode & 0o7777),
        ));
    }
    std::os::unix::net::UnixStream::connect(format!("/proc/self/fd/{}", socket.as_raw_fd()))
}

/// The directory `path`'s last component is in, open, and that component's name.
fn walk_parent(path: &Path, trusted: &dyn Fn(u32) -> bool) -> io::Result<(OwnedFd, OsString)> {
    let name = match path.components().next_back() {
        Some(Component::Normal(name)) => name.to_owned(),
        _ => return Err(invalid(path, "it does not name a file")),
    };
    let parent = path.parent().unwrap_or(Path::new(""));
    // The components still to walk, in order; a followed symlink puts its target's in front.
    let mut todo: Vec<OsString> = Vec::new();
    let mut dir = if parent.is_absolute() { open_dir(None, OsStr::new("/"))? } else { open_dir(None, OsStr::new("."))? };
    push_front(&mut todo, parent);
    let mut links = 0;
    while let Some(component) = todo.pop() {
        if component.is_empty() || component == "." {
            continue;
        }
        if component == "/" {
            dir = open_dir(None, OsStr::new("/"))?;
            continue;
        }
        let fd = open_path(&dir, &component)?;
        let meta = fstat(&fd)?;
        match meta.st_mode & libc::S_IFMT {
            libc::S_IFDIR => dir = fd,
            libc::S_IFLNK => {
                if !trusted(meta.st_uid) {
                    return Err(refused(
                        path,
                        &format!(
                            "its directory {} is a symbolic link of uid {}, which sysnoop does not follow (another user could point it anywhere)",
                            component.to_string_lossy(),
                            meta.st_uid
                        ),
                    ));
                }
                links += 1;
                if links > MAX_LINKS {
                    return Err(io::Error::from_raw_os_error(libc::ELOOP));
                }
                push_front(&mut todo, Path::new(&read_link(&fd)?));
            }
            _ => return Err(io::Error::from_raw_os_error(libc::ENOTDIR)),
        }
    }
    Ok((dir, name))
}

/// Puts `path`'s components in front of `todo` (a stack: the next one is last).
fn push_front(todo: &mut Vec<OsString>, path: &Path) {
    let components: Vec<OsString> = path
        .components()
        .map(|c| match c {
            Component::RootDir => OsString::from("/"),
            Component::CurDir => OsString::from("."),
            Component::ParentDir => OsString::from(".."),
            Component::Normal(n) => n.to_owned(),
            Component::Prefix(p) => p.as_os_str().to_owned(),
        })
        .collect();
    todo.extend(components.into_iter().rev());
}

fn open_dir(at: Option<&OwnedFd>, name: &OsStr) -> io::Result<OwnedFd> {
    openat(at, name, libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC)
}

/// `name` in `dir` itself, a symlink included (O_PATH | O_NOFOLLOW).
fn open_path(dir: &OwnedFd, name: &OsStr) -> io::Result<OwnedFd> {
    openat(Some(dir), name, libc::O_PATH | libc::O_NOFOLLOW | libc::O_CLOEXEC)
}

/// openat(2); a file it creates (O_CREAT) gets mode 0600.
fn openat(at: Option<&OwnedFd>, name: &OsStr, flags: libc::c_int) -> io::Result<OwnedFd> {
    let name = CString::new(name.as_bytes()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    let at = at.map_or(libc::AT_FDCWD, |d| d.as_raw_fd());
    // SAFETY: a plain openat; the mode is read only with O_CREAT.
    let fd = unsafe { libc::openat(at, name.as_ptr(), flags, 0o600 as libc::c_uint) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a new descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn fstat(fd: &OwnedFd) -> io::Result<libc::stat> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: fstat fills `st` on success.
    if unsafe { libc::fstat(fd.as_raw_fd(), st.as_mut_ptr()) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: initialized by the successful fstat.
    Ok(unsafe { st.assume_init() })
}

/// The target of the symlink opened (O_PATH | O_NOFOLLOW) as `fd`.
fn read_link(fd: &OwnedFd) -> io::Result<OsString> {
    let mut buf = vec![0u8; libc::PATH_MAX as usize];
    // SAFETY: readlinkat with an empty path reads the link `fd` is (Linux 2.6.39+).
    let n = unsafe { libc::readlinkat(fd.as_raw_fd(), c"".as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(n as usize);
    Ok(OsString::from_vec(buf))
}

fn refused(path: &Path, why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, format!("refusing to write to {}: {why}", crate::columns::escape(path.as_os_str().as_bytes())))
}

fn invalid(path: &Path, why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("{}: {why}", crate::columns::escape(path.as_os_str().as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("sysnoop-outfile-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_new_file_is_created_0600_and_an_existing_one_appended_to() {
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        let d = dir("new");
        let path = d.join("out");
        open_append(&path).unwrap().write_all(b"a\n").unwrap();
        open_append(&path).unwrap().write_all(b"b\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"a\nb\n");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        // Through a directory symlink of our own, and relative paths with . and ..
        std::os::unix::fs::symlink(&d, d.join("link")).unwrap();
        open_append(&d.join("link/./out")).unwrap().write_all(b"c\n").unwrap();
        open_append(&d.join("link/../").join(d.file_name().unwrap()).join("out")).unwrap().write_all(b"d\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"a\nb\nc\nd\n");
        open_append(Path::new("/dev/null")).unwrap();
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn symlinks_hard_links_and_other_files_are_refused() {
        let d = dir("refused");
        let target = d.join("target");
        std::fs::write(&target, "keep").unwrap();
        std::os::unix::fs::symlink(&target, d.join("sym")).unwrap();
        let e = open_append(&d.join("sym")).unwrap_err().to_string();
        assert!(e.starts_with(&format!("refusing to write to {}: it is a symbolic link", d.join("sym").display())), "{e}");
        std::fs::hard_link(&target, d.join("hard")).unwrap();
        let e = open_append(&d.join("hard")).unwrap_err().to_string();
        assert!(e.contains("it has 2 hard links"), "{e}");
        let e = open_append(&d).unwrap_err().to_string();
        assert!(e.contains("it is a directory"), "{e}");
        assert!(open_append(Path::new("/")).is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
