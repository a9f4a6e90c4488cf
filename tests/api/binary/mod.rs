//! The `bimtek` binary run as a child process: its commands, backup and
//! restore, the demo, and a server that is killed or stopped mid-save.

mod backup;
mod cli;
mod demo;
mod reliability;

use libtest_mimic::Trial;

use crate::support::Backend;

pub fn trials(backends: &[Backend]) -> Vec<Trial> {
    let mut trials = cli::trials();
    trials.extend(backup::trials());
    trials.extend(reliability::trials(backends));
    trials.extend(demo::trials(backends));
    trials
}
