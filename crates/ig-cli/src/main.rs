//! `ig`: the process around [`ig_cli::run`]. Runs one command on a thread with a large
//! stack, within a wall-clock and a memory limit, writes what it printed, and exits with
//! its status. A closed output pipe ends the process quietly.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Stack for the command's thread: trees up to the parser's depth limit are walked
/// recursively by every stage.
const STACK_BYTES: usize = 512 << 20;

/// The system allocator, refusing to hold more than [`LIMIT`] bytes at once. Reaching the
/// limit ends the process with exit status 2 and one line, before the machine runs out of
/// memory (an allocation that fails would abort the process instead).
struct Bounded;

static USED: AtomicUsize = AtomicUsize::new(0);
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);

#[global_allocator]
static ALLOCATOR: Bounded = Bounded;

impl Bounded {
    fn reserve(size: usize) {
        let before = USED.fetch_add(size, Ordering::Relaxed);
        if before.saturating_add(size) > LIMIT.load(Ordering::Relaxed) {
            out_of_memory();
        }
    }
}

/// Ends the process from inside the allocator: no allocation, no unwinding, no destructors.
/// Of threads reaching the limit together, the first writes the line and ends the process;
/// the others wait for it.
fn out_of_memory() -> ! {
    static ENDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    const MESSAGE: &[u8] =
        b"error: memory limit reached (raise it with --memory-limit GIB, or give smaller input)\n";
    // SAFETY: write(2), pause(2) and _exit(2) on a static buffer; all async-signal-safe.
    unsafe {
        if ENDING.swap(true, Ordering::SeqCst) {
            loop {
                libc::pause();
            }
        }
        libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
        libc::_exit(2)
    }
}

// SAFETY: every call is forwarded to `System`; only the byte count is kept beside it.
unsafe impl GlobalAlloc for Bounded {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Bounded::reserve(layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Bounded::reserve(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        USED.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            Bounded::reserve(new_size - layout.size());
        } else {
            USED.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        System.realloc(ptr, layout, new_size)
    }
}

/// Half of this machine's memory: the default limit.
fn half_of_memory() -> usize {
    // SAFETY: sysconf only reads configuration values.
    let (pages, page) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    if pages > 0 && page > 0 {
        (pages as usize).saturating_mul(page as usize) / 2
    } else {
        8 << 30
    }
}

/// Writes `text` and a newline. A closed pipe (the reader went away) is not an error;
/// any other failure to write (a full disk) is returned.
fn emit(mut out: impl Write, text: &str) -> std::io::Result<()> {
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn main() -> ExitCode {
    // A bug must still end in one line on stderr, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string().replace('\n', " ");
        let _ = emit(
            std::io::stderr(),
            &format!("error: internal failure (please report): {message}"),
        );
    }));
    let finished = match ig_cli::parse(std::env::args_os()) {
        Err(finished) => finished,
        Ok(command) => {
            let timeout = command.timeout();
            LIMIT.store(
                command.memory_limit().unwrap_or_else(half_of_memory),
                Ordering::Relaxed,
            );
            let (send, receive) = std::sync::mpsc::channel();
            let worker = std::thread::Builder::new()
                .stack_size(STACK_BYTES)
                .spawn(move || {
                    let _ = send.send(ig_cli::execute(command));
                });
            if worker.is_err() {
                return ExitCode::from(70);
            }
            match receive.recv_timeout(timeout) {
                Ok(finished) => finished,
                // The worker panicked: the hook has printed the line.
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return ExitCode::from(70),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => ig_cli::Finished {
                    status: 2,
                    stdout: None,
                    stderr: Some(format!(
                        "error: time limit of {} s reached (raise it with --timeout SECONDS)",
                        timeout.as_secs_f64()
                    )),
                },
            }
        }
    };
    if let Some(out) = &finished.stdout {
        if let Err(e) = emit(std::io::stdout().lock(), out) {
            let _ = emit(
                std::io::stderr().lock(),
                &format!("error: cannot write the output: {e}"),
            );
            std::process::exit(2);
        }
    }
    if let Some(err) = &finished.stderr {
        let _ = emit(std::io::stderr().lock(), err);
    }
    // Not a return: a worker still running past the time limit must not be waited for.
    std::process::exit(i32::from(finished.status))
}
