//! Ctrl-C and SIGTERM: the first asks the run to stop (drain what the kernel already
//! delivered, write the summary, exit 0); a second one exits at once with status 130.
//! SIGHUP, when records go to a file or socket (`-o`), opens the destination again
//! (logrotate moved the file away); otherwise it keeps its default, ending the run.

use std::sync::atomic::{AtomicBool, Ordering};

use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};

static STOP: AtomicBool = AtomicBool::new(false);
static REOPEN: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: nix::libc::c_int) {
    if STOP.swap(true, Ordering::SeqCst) {
        // SAFETY: _exit is async-signal-safe (only such calls here).
        unsafe { nix::libc::_exit(130) };
    }
}

/// Installs the handlers for SIGINT and SIGTERM.
pub fn install() -> nix::Result<()> {
    // No SA_RESTART: a blocked poll returns EINTR and the stop is noticed at once.
    let action = SigAction::new(SigHandler::Handler(on_signal), SaFlags::empty(), SigSet::empty());
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        // SAFETY: the handler only touches an atomic and calls _exit.
        unsafe { sigaction(signal, &action) }?;
    }
    Ok(())
}

extern "C" fn on_hangup(_: nix::libc::c_int) {
    REOPEN.store(true, Ordering::SeqCst);
}

/// Installs the handler for SIGHUP: the destination is to be opened again.
pub fn install_reopen() -> nix::Result<()> {
    let action = SigAction::new(SigHandler::Handler(on_hangup), SaFlags::SA_RESTART, SigSet::empty());
    // SAFETY: the handler only touches an atomic.
    unsafe { sigaction(Signal::SIGHUP, &action) }.map(drop)
}

/// Whether a SIGHUP came since the last call.
pub(crate) fn take_reopen() -> bool {
    REOPEN.swap(false, Ordering::SeqCst)
}

pub(crate) fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}
