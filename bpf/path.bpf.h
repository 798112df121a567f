/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Naming a file the way the kernel's d_path() does (fs/d_path.c), from programs that
 * cannot call bpf_d_path (tracepoints): a bounded walk (bpf_loop, Linux 5.17+) from the
 * dentry up to the current task's root, crossing mounts, so what `readlink
 * /proc/PID/fd/N` shows is what a record gets. Files the kernel names through their
 * filesystem's d_dname (pipes, sockets, anonymous inodes, namespaces, memfds) get the
 * pieces of that name instead; user space (src/path.rs) puts the text together.
 *
 * Include after common.bpf.h. Each object that includes it gets its own per-CPU
 * scratch buffer; tracing programs do not nest on a CPU, so one is enough.
 */
#ifndef SYSNOOP_PATH_BPF_H
#define SYSNOOP_PATH_BPF_H

#include "sysnoop.h"

#define PIPEFS_MAGIC 0x50495045
#define SOCKFS_MAGIC 0x534F434B
#define ANON_INODE_FS_MAGIC 0x09041934
#define NSFS_MAGIC 0x6e736673
#define TMPFS_MAGIC 0x01021994

/* The name is built backwards, ending at SN_PATH_MAX; the second half is room the
 * verifier needs (a write's offset and size are each bounded by SN_PATH_MAX). */
struct path_scratch {
	char buf[2 * SN_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_scratch);
} path_scratch SEC(".maps");

/* Put the ABI enums into BTF so the Rust skeleton's `types` carries them. */
enum sysnoop_path_abi _sysnoop_path_abi = 0;
enum sysnoop_path_source _sysnoop_path_source = 0;
enum sysnoop_path_flags _sysnoop_path_flags = 0;

/* A name, ready to be copied into a record: `len` bytes at `text`. */
struct path_name {
	const char *text;
	__u64 ino;    /* pipes, sockets, namespaces */
	__u32 len;
	__u8 source;  /* enum sysnoop_path_source */
	__u8 flags;   /* enum sysnoop_path_flags */
};

/*
 * What a step of the walk reads of a dentry: d_hash.pprev (NULL when the dentry is
 * unhashed), d_parent and d_name. Every kernel sysnoop supports lays them out in a row,
 * so one read takes all three; the layout is checked against the running kernel's BTF
 * (CO-RE offsets are constants at load, and the verifier drops the branch not taken).
 */
struct dentry_head {
	void *pprev;
	struct dentry *parent;
	struct qstr name;
};

/* What the walk reads of a mount: mnt_parent, mnt_mountpoint and mnt.mnt_root, in a row too. */
struct mount_head {
	struct mount *parent;
	struct dentry *mountpoint;
	struct dentry *root;
};

/* Whether fields a, b and c of `type` are 8-byte words in a row, as struct *_head have them. */
#define SN_IN_A_ROW(type, a, b, c)                                                   \
	(bpf_core_field_offset(type, b) == bpf_core_field_offset(type, a) + 8 &&      \
	 bpf_core_field_offset(type, c) == bpf_core_field_offset(type, b) + 8)

/*
 * With bpf_rdonly_cast (6.2+), the walk's pointers are cast to what they point to and
 * their fields loaded: no helper call. (A pointer loaded so is one the verifier knows as
 * untrusted: it can be compared, loaded through and cast again, never written through.)
 */
static __always_inline void read_dentry_head(struct dentry *dentry, struct dentry_head *h)
{
#if SN_USE_RDONLY_CAST
	struct dentry *d = sn_cast(dentry, dentry);

	h->pprev = d->d_hash.pprev;
	h->parent = d->d_parent;
	h->name.hash_len = d->d_name.hash_len;
	h->name.name = d->d_name.name;
#else
	if (SN_IN_A_ROW(struct dentry, d_hash.pprev, d_parent, d_name)) {
		bpf_probe_read_kernel(h, sizeof(*h), (void *)dentry + bpf_core_field_offset(struct dentry, d_hash.pprev));
	} else {
		h->pprev = BPF_CORE_READ(dentry, d_hash.pprev);
		h->parent = BPF_CORE_READ(dentry, d_parent);
		h->name = BPF_CORE_READ(dentry, d_name);
	}
#endif
}

static __always_inline void read_mount_head(struct mount *mnt, struct mount_head *h)
{
#if SN_USE_RDONLY_CAST
	struct mount *m = sn_cast(mnt, mount);

	h->parent = m->mnt_parent;
	h->mountpoint = m->mnt_mountpoint;
	h->root = m->mnt.mnt_root;
#else
	if (SN_IN_A_ROW(struct mount, mnt_parent, mnt_mountpoint, mnt.mnt_root)) {
		bpf_probe_read_kernel(h, sizeof(*h), (void *)mnt + bpf_core_field_offset(struct mount, mnt_parent));
	} else {
		h->parent = BPF_CORE_READ(mnt, mnt_parent);
		h->mountpoint = BPF_CORE_READ(mnt, mnt_mountpoint);
		h->root = BPF_CORE_READ(mnt, mnt.mnt_root);
	}
#endif
}

#if SN_HAVE_LOOP
struct path_walk {
	struct dentry *dentry;
	struct mount *mnt;
	struct mount_head m;    /* mnt's */
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	char *buf;
	__u32 pos; /* the name so far is buf[pos, SN_PATH_MAX) */
	__u8 done;
	__u8 truncated;
};
#else
/*
 * Without bpf_loop (5.10-5.16), the walk as it was before the reads above were put
 * together: its bounded loop is laid out so that 5.10's verifier takes it (which
 * refuses a loop whose edge back to its head is a fallthrough, "back-edge from insn N
 * to N+1"; the version above compiles so in the bounded loop). Same names.
 */
struct path_walk {
	struct dentry *dentry;
	struct mount *mnt;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	char *buf;
	__u32 pos; /* the name so far is buf[pos, SN_PATH_MAX) */
	__u8 done;
	__u8 truncated;
};
#endif

static __always_inline struct vfsmount *vfsmount_of(struct mount *mnt)
{
	return (struct vfsmount *)((void *)mnt + bpf_core_field_offset(struct mount, mnt));
}

static __always_inline struct mount *mount_of(struct vfsmount *vfsmnt)
{
	return (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

#if SN_HAVE_LOOP
/*
 * One step up, as __prepend_path() takes it; returns 1 to stop. A component costs two
 * reads (its dentry's head, its name), a mount crossing one (the new mount's head).
 * (The first dentry's head, read once already to name the file, is read again here: a
 * flag to skip that made the verifier's work half as large again.)
 */
SN_CALLBACK path_step(__u64 index, void *data)
{
	struct path_walk *w = data;
	/* Into locals first: BPF_CORE_READ would relocate w's own (local) fields too. */
	struct dentry *dentry = w->dentry;
	struct mount *mnt = w->mnt;
	struct dentry_head h;
	__u64 pos;

	if (dentry == w->root_dentry && vfsmount_of(mnt) == w->root_mnt) {
		w->done = 1; /* the task's root */
		return 1;
	}
	if (dentry == w->m.root) {
		struct mount *up = w->m.parent;

		if (up == mnt) {
			w->done = 1; /* the global root, or a mount attached nowhere */
			return 1;
		}
		/* Taken before the read below overwrites the mount's head with up's. */
		struct dentry *mountpoint = w->m.mountpoint;

		read_mount_head(up, &w->m);
		w->dentry = mountpoint;
		w->mnt = up;
		return 0;
	}
	read_dentry_head(dentry, &h);
	if (h.parent == dentry) {
		/* Escaped (a disconnected dentry): d_path() then says "/". */
		w->pos = SN_PATH_MAX;
		w->done = 1;
		return 1;
	}
	/* Room for the name and its '/', keeping pos >= 1: a name has at most SN_PATH_MAX - 1 bytes. */
	if (h.name.len + 1 >= w->pos) {
		w->truncated = 1;
		return 1;
	}
	/*
	 * The name goes at [pos + 1, old pos), its '/' at pos: pos is in [1, SN_PATH_MAX) by
	 * the test above. Said again, to a compiler made to forget it, in 64 bits: the
	 * verifier then gives pos the same range after every step, so that a bounded loop's
	 * states prune (without this its work doubles with each step).
	 */
	pos = (__u64)w->pos - h.name.len - 1;
	asm volatile("" : "+r"(pos));
	if (pos < 1 || pos >= SN_PATH_MAX) {
		w->truncated = 1;
		return 1;
	}
	bpf_probe_read_kernel(w->buf + pos + 1, h.name.len & (SN_PATH_MAX - 1), h.name.name);
	w->buf[pos] = '/';
	w->pos = pos;
	w->dentry = h.parent;
	return 0;
}
#else
/* One step up, as __prepend_path() takes it; returns 1 to stop. */
SN_CALLBACK path_step(__u64 index, void *data)
{
	struct path_walk *w = data;
	/* Into locals first: BPF_CORE_READ would relocate w's own (local) fields too. */
	struct dentry *dentry = w->dentry;
	struct mount *mnt = w->mnt;
	struct dentry *parent;
	struct qstr name;
	__u64 pos;

	if (dentry == w->root_dentry && vfsmount_of(mnt) == w->root_mnt) {
		w->done = 1; /* the task's root */
		return 1;
	}
	if (dentry == BPF_CORE_READ(mnt, mnt.mnt_root)) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (up == mnt) {
			w->done = 1; /* the global root, or a mount attached nowhere */
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (parent == dentry) {
		/* Escaped (a disconnected dentry): d_path() then says "/". */
		w->pos = SN_PATH_MAX;
		w->done = 1;
		return 1;
	}
	name = BPF_CORE_READ(dentry, d_name);
	/* Room for the name and its '/', keeping pos >= 1: a name has at most SN_PATH_MAX - 1 bytes. */
	if (name.len + 1 >= w->pos) {
		w->truncated = 1;
		return 1;
	}
	/*
	 * The name goes at [pos + 1, old pos), its '/' at pos: pos is in [1, SN_PATH_MAX) by
	 * the test above. Said again, to a compiler made to forget it, in 64 bits: the
	 * verifier then gives pos the same range after every step, so that a bounded loop's
	 * states prune (without this its work doubles with each step).
	 */
	pos = (__u64)w->pos - name.len - 1;
	asm volatile("" : "+r"(pos));
	if (pos < 1 || pos >= SN_PATH_MAX) {
		w->truncated = 1;
		return 1;
	}
	bpf_probe_read_kernel(w->buf + pos + 1, name.len & (SN_PATH_MAX - 1), name.name);
	w->buf[pos] = '/';
	w->pos = pos;
	w->dentry = parent;
	return 0;
}
#endif

/*
 * The current task's root directory, or (`pwd`) its working directory: loads through the
 * task cast read-only (6.2+), else a read of its fs_struct's struct path.
 */
static __always_inline void task_fs_path(bool pwd, struct path *p)
{
#if SN_USE_RDONLY_CAST
	struct fs_struct *fs = loads_task()->fs;

	if (pwd) {
		p->mnt = fs->pwd.mnt;
		p->dentry = fs->pwd.dentry;
	} else {
		p->mnt = fs->root.mnt;
		p->dentry = fs->root.dentry;
	}
#else
	struct fs_struct *fs = BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), fs);

	if (pwd)
		BPF_CORE_READ_INTO(p, fs, pwd);
	else
		BPF_CORE_READ_INTO(p, fs, root);
#endif
}

/* The dentry's own name (a pseudo file's), into the scratch buffer. */
static __always_inline void own_name(struct dentry *dentry, char *buf, struct path_name *out)
{
	struct qstr name = BPF_CORE_READ(dentry, d_name);
	__u32 len = name.len < SN_PATH_MAX - 1 ? name.len : SN_PATH_MAX - 1;

	bpf_probe_read_kernel(buf, len & (SN_PATH_MAX - 1), name.name);
	out->text = buf;
	out->len = len;
}

/*
 * A pseudo file's name, as its filesystem's d_dname gives it (pipes, sockets, anonymous
 * inodes, namespaces, memfds), into `out`, its text in `buf` (the scratch buffer).
 */
static __always_inline void pseudo_name(struct dentry *dentry, char *buf, struct path_name *out)
{
	struct inode *inode = BPF_CORE_READ(dentry, d_inode);
	unsigned long magic = BPF_CORE_READ(dentry, d_sb, s_magic);

	out->ino = BPF_CORE_READ(inode, i_ino);
	if (magic == PIPEFS_MAGIC) {
		out->source = SN_PATH_PIPE;
	} else if (magic == SOCKFS_MAGIC) {
		out->source = SN_PATH_SOCKET;
	} else if (magic == ANON_INODE_FS_MAGIC) {
		own_name(dentry, buf, out);
		out->source = SN_PATH_ANON_INODE;
	} else if (magic == NSFS_MAGIC) {
		struct ns_common *ns = BPF_CORE_READ(inode, i_private);
		const char *name = BPF_CORE_READ(ns, ops, name);
		long len = bpf_probe_read_kernel_str(buf, 64, name);

		out->text = buf;
		out->len = len > 0 ? len - 1 : 0;
		out->source = SN_PATH_NAMESPACE;
	} else if (magic == TMPFS_MAGIC) {
		own_name(dentry, buf, out);
		out->source = SN_PATH_SHMEM;
	} else {
		out->source = SN_PATH_UNNAMED;
	}
}

/*
 * A finished walk's name into `out`: buf[pos, SN_PATH_MAX), flagged truncated when the
 * walk stopped short of a root or ran out of room.
 */
static __always_inline void walked(const struct path_walk *w, __u8 source, struct path_name *out)
{
	if (!w->done)
		out->flags |= SN_PATH_TRUNCATED;
	if (w->truncated)
		out->flags |= SN_PATH_TRUNCATED;
	out->text = w->buf + (w->pos & (SN_PATH_MAX - 1));
	out->len = SN_PATH_MAX - w->pos; /* 0: the root, "/" */
	out->source = source;
}

/*
 * Names the file at (dentry, vfsmnt) as d_path() would for the current task, into
 * `out` (whose text points into this object's scratch buffer until the next call).
 * `source` is what a walked name means (SN_PATH_FILE or SN_PATH_BASE). Without bpf_loop
 * the walk takes at most `bounded` steps.
 */
#if SN_HAVE_LOOP
static __always_inline void name_path_bounded(struct dentry *dentry, struct vfsmount *vfsmnt, __u8 source,
					      struct path_name *out, __u32 bounded)
{
	const struct dentry_operations *ops;
	struct dentry_head head;
	struct path_walk w = {};
	struct path_scratch *scratch;
	struct path root;
	__u32 zero = 0;

	out->source = SN_PATH_NONE;
	out->flags = 0;
	out->len = 0;
	out->ino = 0;
	scratch = bpf_map_lookup_elem(&path_scratch, &zero);
	if (!scratch || !dentry || !vfsmnt)
		return;
	read_dentry_head(dentry, &head);
#if SN_USE_RDONLY_CAST
	ops = sn_cast(dentry, dentry)->d_op;
	/* d_path(): the filesystem names its own (pipes, sockets, ...), but for a mount's root. */
	if (ops && ops->d_dname &&
#else
	ops = BPF_CORE_READ(dentry, d_op);
	if (ops && BPF_CORE_READ(ops, d_dname) &&
#endif
	    (dentry != head.parent || dentry != BPF_CORE_READ(vfsmnt, mnt_root))) {
		pseudo_name(dentry, scratch->buf, out);
		return;
	}
	/* d_unlinked(): unhashed, and not a root. */
	if (!head.pprev && dentry != head.parent)
		out->flags |= SN_PATH_DELETED;
	w.dentry = dentry;
	w.mnt = mount_of(vfsmnt);
	read_mount_head(w.mnt, &w.m);
	task_fs_path(false, &root);
	w.root_dentry = root.dentry;
	w.root_mnt = root.mnt;
	w.buf = scratch->buf;
	w.pos = SN_PATH_MAX;
	SN_LOOP(SN_PATH_STEPS_MAX, bounded, path_step, &w);
	walked(&w, source, out);
}
#else
static __always_inline void name_path_bounded(struct dentry *dentry, struct vfsmount *vfsmnt, __u8 source,
					      struct path_name *out, __u32 bounded)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	const struct dentry_operations *ops;
	struct dentry *parent;
	struct path_walk w = {};
	struct path_scratch *scratch;
	__u32 zero = 0;

	out->source = SN_PATH_NONE;
	out->flags = 0;
	out->len = 0;
	out->ino = 0;
	scratch = bpf_map_lookup_elem(&path_scratch, &zero);
	if (!scratch || !dentry || !vfsmnt)
		return;
	parent = BPF_CORE_READ(dentry, d_parent);
	ops = BPF_CORE_READ(dentry, d_op);
	/* d_path(): the filesystem names its own (pipes, sockets, ...), but for a mount's root. */
	if (ops && BPF_CORE_READ(ops, d_dname) &&
	    (dentry != parent || dentry != BPF_CORE_READ(vfsmnt, mnt_root))) {
		pseudo_name(dentry, scratch->buf, out);
		return;
	}
	/* d_unlinked(): unhashed, and not a root. */
	if (!BPF_CORE_READ(dentry, d_hash.pprev) && dentry != parent)
		out->flags |= SN_PATH_DELETED;
	w.dentry = dentry;
	w.mnt = mount_of(vfsmnt);
	w.root_dentry = BPF_CORE_READ(fs, root.dentry);
	w.root_mnt = BPF_CORE_READ(fs, root.mnt);
	w.buf = scratch->buf;
	w.pos = SN_PATH_MAX;
	SN_LOOP(SN_PATH_STEPS_MAX, bounded, path_step, &w);
	walked(&w, source, out);
}
#endif

static __always_inline void name_path(struct dentry *dentry, struct vfsmount *vfsmnt, __u8 source,
				      struct path_name *out)
{
	name_path_bounded(dentry, vfsmnt, source, out, SN_PATH_STEPS_BOUNDED);
}

/* name_path_bounded() of an open file (its f_path, read at once). */
static __always_inline void name_file_bounded(struct file *file, __u8 source, struct path_name *out, __u32 bounded)
{
#if SN_USE_RDONLY_CAST
	struct file *f = sn_cast(file, file);

	name_path_bounded(f->f_path.dentry, f->f_path.mnt, source, out, bounded);
#else
	struct path p = {};

	BPF_CORE_READ_INTO(&p, file, f_path);
	name_path_bounded(p.dentry, p.mnt, source, out, bounded);
#endif
}

static __always_inline void name_file(struct file *file, __u8 source, struct path_name *out)
{
	name_file_bounded(file, source, out, SN_PATH_STEPS_BOUNDED);
}

#ifndef AT_FDCWD
#define AT_FDCWD -100
#endif

/*
 * Names a relative path's base directory (the cwd, or the dirfd's file) into `name`,
 * walking at most `bounded` steps without bpf_loop (name_path_bounded()).
 */
static __always_inline void name_base_bounded(int dirfd, struct path_name *name, __u32 bounded)
{
	struct path base = {};

	if (dirfd == AT_FDCWD) {
		task_fs_path(true, &base);
	} else {
		struct file *dir = task_file(dirfd);

#if SN_USE_RDONLY_CAST
		if (dir) {
			base.dentry = sn_cast(dir, file)->f_path.dentry;
			base.mnt = sn_cast(dir, file)->f_path.mnt;
		}
#else
		if (dir)
			BPF_CORE_READ_INTO(&base, dir, f_path);
#endif
	}
	if (!base.dentry)
		return;
	name_path_bounded(base.dentry, base.mnt, SN_PATH_BASE, name, bounded);
	if (name->source != SN_PATH_BASE) {
		/* A base that is not a directory of a filesystem: no name. */
		name->source = SN_PATH_NONE;
		name->len = 0;
	}
}

static __always_inline void name_base(int dirfd, struct path_name *name)
{
	name_base_bounded(dirfd, name, SN_PATH_STEPS_BOUNDED);
}

#ifdef SN_NAME_PASSED_STEPS
/*
 * Names a path a call was passed, `len` bytes at `passed` (its NUL included) relative
 * to `dirfd`, into `name`: an absolute path is its own full path; a relative one its
 * base directory's walked name (the cwd, or the dirfd's file); an empty one, when
 * `name_fd` and dirfd is not AT_FDCWD, dirfd's own file (a call on a descriptor,
 * AT_EMPTY_PATH). Walks at most
 * SN_NAME_PASSED_STEPS steps without bpf_loop; an object that calls it defines that
 * before including this file.
 *
 * A function of its own, not inlined: inlined, a call with two paths needs more than
 * clang's 512 bytes of stack. With bpf_loop (5.17+) it is a global function, which the
 * verifier checks once on its own rather than at each call with the caller's state (a
 * program naming two paths, or one for several calls, took ten times as long to
 * verify); before 5.12 a global function could not take pointers.
 */
#if SN_HAVE_LOOP
__noinline int
#else
static __noinline int
#endif
name_passed(const char *passed, long len, int dirfd, int name_fd, struct path_name *name)
{
	if (!passed || !name)
		return 0;
	if (len > 1 && passed[0] == '/') {
		name->source = SN_PATH_ABSOLUTE;
	} else if (len > 1) {
		name_base_bounded(dirfd, name, SN_NAME_PASSED_STEPS);
	} else if (name_fd && dirfd != AT_FDCWD) {
		struct file *file = task_file(dirfd);

		if (file)
			name_file_bounded(file, SN_PATH_FILE, name, SN_NAME_PASSED_STEPS);
	}
	return 0;
}
#endif

/* Copies a name into a record at `dst` (room for SN_PATH_MAX - 1 bytes); returns its length. */
static __always_inline __u32 copy_name(char *dst, const struct path_name *name)
{
	__u32 len = name->len & (SN_PATH_MAX - 1);

	if (len)
		bpf_probe_read_kernel(dst, len, name->text);
	return len;
}

#endif /* SYSNOOP_PATH_BPF_H */
