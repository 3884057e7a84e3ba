//! The bench still runs: every section at a twentieth of its sizes (`--smoke`), against the
//! release server the end-to-end tests use. Nothing else runs it, and it once stopped working
//! unseen when the server changed under it. Its figures are not judged here: a timing goal is a
//! benchmark, not a test.

#[test]
fn every_section_of_the_bench_runs() {
    let server = e2e::server_binary();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bench"))
        .arg(&server)
        .arg("--smoke")
        .output()
        .expect("the bench starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the bench failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    // Each section printed its figures.
    for line in [
        "Sync over loopback",
        "mutations/s applied",
        "devices at once of one school",
        "p99",
        "(a) new computer, /login usable: ",
        "(b) school user offline-ready (",
        "school home shown: ",
    ] {
        assert!(stdout.contains(line), "no «{line}» in:\n{stdout}");
    }
}
