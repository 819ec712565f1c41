//! Crash and resume: the real binary is killed with SIGKILL at a random point of the
//! simulated quarter, then run again on the same folder. The final transcript must equal
//! an uninterrupted run's, with no key twice.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};

use crate::helpers::transcript;

fn simulate_cmd(out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_quarterdeck"));
    cmd.args(["simulate", "--seed", "7", "--quiet", "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn lines(out: &Path) -> usize {
    std::fs::read_to_string(out.join("transcript.jsonl"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

/// Starts the simulation and SIGKILLs it once the transcript has `after` lines (or it
/// finished first). Returns whether it was killed mid-run.
fn run_and_kill(out: &Path, after: usize) -> bool {
    let mut child = simulate_cmd(out).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if lines(out) >= after || Instant::now() > deadline {
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
            return true;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

#[test]
fn a_quarter_killed_at_random_points_resumes_and_posts_nothing_twice() {
    let reference = tempfile::tempdir().unwrap();
    assert!(simulate_cmd(reference.path()).status().unwrap().success());
    let expected = transcript(reference.path());
    let seed: u64 = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();

    // Two kills at random points, then a run to the end.
    let first = rng.gen_range(1..expected.len() / 2);
    let second = rng.gen_range(expected.len() / 2..expected.len());
    let killed_first = run_and_kill(dir.path(), first);
    let killed_second = run_and_kill(dir.path(), second);
    let status = simulate_cmd(dir.path()).status().unwrap();

    assert!(status.success(), "resume failed (CRASH_SEED={seed})");
    assert!(
        killed_first,
        "the first kill came too late to test anything (CRASH_SEED={seed})"
    );
    let _ = killed_second; // the run may finish before the second point; still a valid resume
    let got = transcript(dir.path());
    let keys: HashSet<&str> = got.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys.len(),
        got.len(),
        "a key was posted twice (CRASH_SEED={seed})"
    );
    assert_eq!(
        got, expected,
        "resumed transcript differs (CRASH_SEED={seed})"
    );
    assert_eq!(
        std::fs::read(dir.path().join("summary.json")).unwrap(),
        std::fs::read(reference.path().join("summary.json")).unwrap()
    );
}
