//! errno numbers to their names (`2` -> `"ENOENT"`).

use std::borrow::Cow;

use nix::errno::Errno;

/// The kernel's own codes (include/linux/errno.h), which user space never sees but a
/// tracer does: a blocking call interrupted by a signal that kills the thread returns
/// ERESTARTSYS at its exit tracepoint.
const KERNEL_INTERNAL: &[(i32, &str)] = &[
    (512, "ERESTARTSYS"),
    (513, "ERESTARTNOINTR"),
    (514, "ERESTARTNOHAND"),
    (515, "ENOIOCTLCMD"),
    (516, "ERESTART_RESTARTBLOCK"),
    (517, "EPROBE_DEFER"),
    (518, "EOPENSTALE"),
    (519, "ENOPARAM"),
];

/// The errno values user space has names for, below this.
const USER_MAX: i32 = 512;

/// The name of a positive errno value; unknown numbers become `"errno_<n>"`.
pub(crate) fn name(errno: i32) -> Cow<'static, str> {
    if let Some(&(_, name)) = KERNEL_INTERNAL.iter().find(|&&(n, _)| n == errno) {
        return Cow::Borrowed(name);
    }
    match user_names().get(errno as usize).copied().flatten() {
        Some(name) => Cow::Borrowed(name),
        None => Cow::Owned(format!("errno_{errno}")),
    }
}

/// The names of the errno values below USER_MAX, by value, made once: nix's variants
/// are named after the C constants, and Debug prints the name.
fn user_names() -> &'static [Option<&'static str>] {
    static NAMES: std::sync::OnceLock<Vec<Option<&'static str>>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        (0..USER_MAX)
            .map(|n| match Errno::from_raw(n) {
                Errno::UnknownErrno => None,
                known => Some(&*Box::leak(format!("{known:?}").into_boxed_str())),
            })
            .collect()
    })
}

/// For a syscall return value: the errno name when it failed, else None.
pub(crate) fn of_ret(ret: i64) -> Option<Cow<'static, str>> {
    // The kernel returns -errno in [-4095, -1]; anything else is a value.
    (-4095..0).contains(&ret).then(|| name(-ret as i32))
}

/// The number of an errno name (`"EBADF"` -> 9).
pub(crate) fn number(errno_name: &str) -> Option<i32> {
    (1..4096).find(|&n| name(n) == errno_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name(2), "ENOENT");
        assert_eq!(name(13), "EACCES");
        assert_eq!(name(9), "EBADF");
        assert_eq!(name(111), "ECONNREFUSED");
        assert_eq!(name(4000), "errno_4000");
        assert_eq!(name(512), "ERESTARTSYS");
    }

    #[test]
    fn numbers() {
        assert_eq!(number("EBADF"), Some(9));
        assert_eq!(number("ENOENT"), Some(2));
        assert_eq!(number("ENOPE"), None);
    }

    #[test]
    fn from_return_values() {
        assert_eq!(of_ret(3), None);
        assert_eq!(of_ret(0), None);
        assert_eq!(of_ret(-2).as_deref(), Some("ENOENT"));
        assert_eq!(of_ret(-17).as_deref(), Some("EEXIST"));
        assert_eq!(of_ret(-5000), None);
    }
}
