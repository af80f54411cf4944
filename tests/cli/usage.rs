//! Usage rules the README states, as the binary keeps them.

use crate::common;

use common::cli::{free_port, run};

#[tokio::test]
async fn without_json_standard_output_must_be_a_terminal() {
    let recording = tempfile::NamedTempFile::new().unwrap();
    let file = recording.path().to_str().unwrap();
    // stdout is a pipe here; nothing listens on port 1, so connecting would fail with 1.
    for args in [["mongodb://127.0.0.1:1"].as_slice(), &["replay", file]] {
        let (code, stdout, stderr) = run(args).await;
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(
            stderr.contains("standard output is not a terminal; use --json"),
            "{args:?}: {stderr}"
        );
    }
}

#[tokio::test]
async fn playground_rate_and_seed_need_a_workload() {
    // On a free port, so that a playground that wrongly starts disturbs nothing.
    let port = free_port().to_string();
    for flag in ["--rate", "--seed"] {
        let (code, _, stderr) = run(&["playground", "--port", &port, flag, "5"]).await;
        assert_eq!(code, 2, "{flag}: {stderr}");
        assert!(
            stderr.contains("required arguments were not provided")
                && stderr.contains("--workload"),
            "{flag}: {stderr}"
        );
    }
}
