//! The `bimtek` command; everything it does is in `bimtek::cli`.

use std::process::ExitCode;

// glibc's allocator spent a fifth of an exam-day server's time in malloc and
// free, and kept freed memory in per-thread arenas; mimalloc does neither.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    bimtek::cli::main()
}
