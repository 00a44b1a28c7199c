//! What an interrupted run leaves behind: nothing of its own, and less of earlier ones.
//!
//! A file is written to a temporary name beside it and an output folder to a staging folder
//! (see the [module docs](super)), so an interruption never leaves a half-written result under
//! the final name. The temporaries themselves would stay, though (a half-written trace can be
//! hundreds of megabytes). So every temporary is listed here while it is written, and
//! [`remove_temporaries_on_interrupt`] makes Ctrl-C and SIGTERM remove the listed ones before the
//! process exits. A kill that cannot be caught (SIGKILL, a power cut) still leaves them; the next
//! [`write_atomic`](super::write_atomic) of the same file removes those of processes known to
//! have ended (on Linux, where `/proc` tells), as the next write to an output folder removes its
//! staging folders.
//!
//! Before exiting, the handler prints one line to standard error saying what the interruption
//! left: by default "interrupted: nothing was written"; a command that can be resumed says what
//! it kept and how to continue ([`say_on_interrupt`]); a server stopped the way it says it is
//! stopped says nothing ([`quiet_on_interrupt`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The exit code of a run stopped by Ctrl-C (128 + SIGINT, what a shell reports for a process
/// Ctrl-C ended).
pub const INTERRUPTED: i32 = 130;

/// The exit code of a run stopped by SIGTERM (128 + SIGTERM, what a shell reports for a process
/// SIGTERM ended): a batch system's epilogue tells a cancelled job from a Ctrl-C by it.
pub const TERMINATED: i32 = 143;

/// The temporary files and folders this process is writing now.
static IN_PROGRESS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// What an interruption prints before exiting.
enum Note {
    /// [`NOTHING_WRITTEN`].
    NothingWritten,
    /// A line of the command's own.
    Say(String),
    /// Nothing.
    Silent,
    /// The output folders already put in place: an interruption after a commit must not say
    /// that nothing was written (the previous results are gone by then).
    Written(Vec<PathBuf>),
}

static NOTE: Mutex<Note> = Mutex::new(Note::NothingWritten);

/// The line an interruption prints unless the command said otherwise: every output is written
/// whole or not at all, so an interrupted command has written nothing.
pub const NOTHING_WRITTEN: &str = "interrupted: nothing was written";

fn note() -> MutexGuard<'static, Note> {
    NOTE.lock().unwrap_or_else(|e| e.into_inner())
}

/// From now on, an interruption prints `line` (one line, to standard error) instead of
/// [`NOTHING_WRITTEN`]: for a command that keeps its progress, what it kept and how to resume.
pub fn say_on_interrupt(line: impl Into<String>) {
    *note() = Note::Say(line.into());
}

/// From now on, an interruption prints nothing: for a command that runs until it is stopped
/// (a server), where Ctrl-C is the ordinary end.
pub fn quiet_on_interrupt() {
    *note() = Note::Silent;
}

/// From now on, an interruption says that the results are in `path` (an output folder just put
/// in place), whatever it would have said before, unless the command asked for silence. Called
/// while the interruption list is held ([`Temporary::finish`]), so an interruption sees the
/// folder either not yet in place and this line not yet changed, or both done.
pub(crate) fn note_written(path: &Path) {
    note().written(path);
}

/// The line an interruption would print now, if any.
pub(crate) fn interrupt_line() -> Option<String> {
    note().line()
}

impl Note {
    /// Adds `path` to the results in place (see [`note_written`]).
    fn written(&mut self, path: &Path) {
        match self {
            Note::Silent => {}
            Note::Written(paths) => paths.push(path.to_path_buf()),
            _ => *self = Note::Written(vec![path.to_path_buf()]),
        }
    }

    /// The line this note prints, if any.
    fn line(&self) -> Option<String> {
        match self {
            Note::NothingWritten => Some(NOTHING_WRITTEN.to_string()),
            Note::Say(line) => Some(line.clone()),
            Note::Silent => None,
            Note::Written(paths) => {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                Some(format!(
                    "interrupted after the results were written, complete, to {}",
                    names.join(", ")
                ))
            }
        }
    }
}

fn in_progress() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic elsewhere while the list was held leaves it as it was: still usable.
    IN_PROGRESS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Makes Ctrl-C and SIGTERM remove the temporary files and staging folders being written, print
/// the interruption's line to standard error (see the module docs), then exit with
/// [`INTERRUPTED`] after Ctrl-C, [`TERMINATED`] after SIGTERM. The binary calls it once at its start; a library user who wants the same may
/// call it too (it fails if the program already set a Ctrl-C handler).
pub fn remove_temporaries_on_interrupt() -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(|| {
        // Held until the exit, so no temporary is put in place (or listed) meanwhile: each is
        // either removed here or already renamed to its final name, never half of each.
        let list = in_progress();
        for path in list.iter() {
            remove(path);
        }
        if let Some(line) = interrupt_line() {
            use std::io::{IsTerminal, Write};
            let mut err = std::io::stderr().lock();
            // On a terminal the line starts on its own, not after a progress bar or the ^C.
            let start = if err.is_terminal() { "\n" } else { "" };
            let _ = writeln!(err, "{start}{line}");
        }
        std::process::exit(exit_code());
    })?;
    #[cfg(unix)]
    term::watch();
    Ok(())
}

/// The exit code for the signal that stopped the run: [`TERMINATED`] after SIGTERM, otherwise
/// [`INTERRUPTED`].
fn exit_code() -> i32 {
    #[cfg(unix)]
    if term::RECEIVED.load(std::sync::atomic::Ordering::SeqCst) {
        return TERMINATED;
    }
    INTERRUPTED
}

/// Which signal stopped the run: the Ctrl-C handler is told only that one came. SIGTERM's
/// handler is wrapped in one that first notes that it was SIGTERM, then calls it.
#[cfg(unix)]
mod term {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// A SIGTERM has come.
    pub(super) static RECEIVED: AtomicBool = AtomicBool::new(false);
    /// The handler the Ctrl-C crate installed for SIGTERM, and whether it takes three arguments.
    static PREVIOUS: AtomicUsize = AtomicUsize::new(0);
    static PREVIOUS_TAKES_INFO: AtomicBool = AtomicBool::new(false);

    type Plain = extern "C" fn(libc::c_int);
    type WithInfo = extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void);

    // Runs in the signal handler: only atomics and the previous handler (itself
    // async-signal-safe: it writes to a pipe).
    extern "C" fn on_term(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
        RECEIVED.store(true, Ordering::SeqCst);
        let previous = PREVIOUS.load(Ordering::SeqCst);
        // SAFETY: `previous` is the handler `watch` read from sigaction, of the kind its
        // SA_SIGINFO flag says.
        unsafe {
            if PREVIOUS_TAKES_INFO.load(Ordering::SeqCst) {
                std::mem::transmute::<usize, WithInfo>(previous)(sig, info, ctx);
            } else {
                std::mem::transmute::<usize, Plain>(previous)(sig);
            }
        }
    }

    /// Wraps the SIGTERM handler installed now (if it is a function) in [`on_term`].
    pub(super) fn watch() {
        // SAFETY: sigaction with a valid struct; the new handler only wraps the old one.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGTERM, std::ptr::null(), &mut old) != 0
                || old.sa_sigaction == libc::SIG_DFL
                || old.sa_sigaction == libc::SIG_IGN
            {
                return;
            }
            PREVIOUS.store(old.sa_sigaction, Ordering::SeqCst);
            PREVIOUS_TAKES_INFO.store(old.sa_flags & libc::SA_SIGINFO != 0, Ordering::SeqCst);
            let mut new = old;
            new.sa_sigaction = on_term as WithInfo as usize;
            new.sa_flags |= libc::SA_SIGINFO;
            libc::sigaction(libc::SIGTERM, &new, std::ptr::null_mut());
        }
    }
}

/// Removes the file or folder `path`, if it is there; a failure leaves it (nothing better to do
/// while exiting).
fn remove(path: &Path) {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// A temporary file or folder being written: on the interruption list from [`Temporary::new`]
/// until [`Temporary::finish`] or drop.
#[derive(Debug)]
pub(crate) struct Temporary {
    path: PathBuf,
}

impl Temporary {
    /// Lists `path` (before it is created, so that it is never there unlisted).
    pub(crate) fn new(path: &Path) -> Self {
        in_progress().push(path.to_path_buf());
        Self {
            path: path.to_path_buf(),
        }
    }

    /// Runs `put_in_place` (the renames that give the temporary its final name) so that an
    /// interruption comes wholly before or after it, and takes the temporary off the list.
    /// `put_in_place` must be short and must not make another [`Temporary`].
    pub(crate) fn finish<T>(mut self, put_in_place: impl FnOnce() -> T) -> T {
        let mut list = in_progress();
        let out = put_in_place();
        // Taken, so that the drop finds nothing more to take off.
        unlist(&mut list, &std::mem::take(&mut self.path));
        out
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        unlist(&mut in_progress(), &self.path);
    }
}

fn unlist(list: &mut Vec<PathBuf>, path: &Path) {
    if path.as_os_str().is_empty() {
        return;
    }
    if let Some(i) = list.iter().rposition(|p| p == path) {
        list.swap_remove(i);
    }
}

/// The temporary name [`super::write_atomic`] writes `name` under, in process `pid`.
pub(crate) fn temporary_name(name: &str, pid: u32) -> String {
    format!(".{name}.{pid}.tmp")
}

/// Removes the temporaries of the file `name` in `dir` ([`temporary_name`]) that processes no
/// longer running left (killed by a signal that cannot be caught). One whose process may still
/// run (another domino writing the same file now), or whose process cannot be told dead, is left
/// alone. Best effort: a temporary that cannot be removed does not stop the write.
pub(crate) fn remove_stale_temporaries(dir: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|f| f.strip_suffix(".tmp"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && super::folder::known_dead(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line defaults to "nothing was written", takes a command's own, or none.
    #[test]
    fn the_interruption_line_is_the_commands_own() {
        assert_eq!(
            Note::NothingWritten.line().as_deref(),
            Some(NOTHING_WRITTEN)
        );
        let resume = "interrupted: run the same command with --resume to continue";
        assert_eq!(Note::Say(resume.into()).line().as_deref(), Some(resume));
        assert_eq!(Note::Silent.line(), None);
    }

    /// Once an output folder is in place, an interruption says where the results are, not that
    /// nothing was written (nor a resume hint that no longer applies); silence stays silence.
    #[test]
    fn after_a_commit_the_interruption_line_names_the_results() {
        let mut note = Note::Say("interrupted: run the same command with --resume".into());
        note.written(Path::new("out/a"));
        note.written(Path::new("out/b"));
        assert_eq!(
            note.line().as_deref(),
            Some("interrupted after the results were written, complete, to out/a, out/b")
        );
        let mut note = Note::NothingWritten;
        note.written(Path::new("out/a"));
        assert!(note.line().unwrap().ends_with("to out/a"));
        let mut note = Note::Silent;
        note.written(Path::new("out/c"));
        assert_eq!(note.line(), None);
    }

    #[test]
    fn a_temporary_is_listed_until_finished_or_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let listed = |p: &Path| in_progress().iter().any(|q| q == p);
        let a = tmp.path().join("a");
        let t = Temporary::new(&a);
        assert!(listed(&a));
        assert_eq!(t.finish(|| 7), 7);
        assert!(!listed(&a));
        let b = tmp.path().join("b");
        let t = Temporary::new(&b);
        assert!(listed(&b));
        drop(t);
        assert!(!listed(&b));
    }

    /// Only this file's temporaries of dead processes go: not those of a live process (this
    /// one, or another), not other files', not a folder of the same name.
    #[cfg(target_os = "linux")]
    #[test]
    fn stale_temporaries_of_dead_processes_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        // A process that has ended: its pid is no longer running (reused, at worst, by a
        // process that is, which only keeps its file).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let ours = std::process::id();
        let live = 1; // init
        let keep = [
            temporary_name("x.csv", ours),
            temporary_name("x.csv", live),
            temporary_name("y.csv", dead),
            ".x.csv.tmp".to_string(),
            ".x.csv.12ab.tmp".to_string(),
            "x.csv".to_string(),
        ];
        for name in &keep {
            fs::write(dir.join(name), "").unwrap();
        }
        let stale = dir.join(temporary_name("x.csv", dead));
        fs::write(&stale, "half a trace").unwrap();
        fs::create_dir(dir.join(temporary_name("x.csv", 0))).unwrap();
        remove_stale_temporaries(dir, "x.csv");
        assert!(!stale.exists());
        for name in &keep {
            assert!(dir.join(name).exists(), "{name} was removed");
        }
        assert!(dir.join(temporary_name("x.csv", 0)).is_dir());
    }
}
