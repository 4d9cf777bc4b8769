//! The SAM template builds what the workspace has.

use std::collections::BTreeSet;
use std::process::Command;

fn template() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/template.yaml")).unwrap()
}

#[test]
fn every_binary_in_the_template_is_a_binary_of_the_workspace() {
    let template = template();
    let in_template: BTreeSet<&str> = template
        .lines()
        .filter_map(|line| line.trim().strip_prefix("Binary:"))
        .map(str::trim)
        .collect();
    assert_eq!(in_template.len(), 3, "three functions: {in_template:?}");

    let metadata = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(metadata.status.success());
    let metadata: serde_json::Value = serde_json::from_slice(&metadata.stdout).unwrap();
    let binaries: BTreeSet<String> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["targets"].as_array().unwrap())
        .filter(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "bin"))
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    for binary in in_template {
        assert!(
            binaries.contains(binary),
            "{binary} is not built by the workspace: {binaries:?}"
        );
    }
}

#[test]
fn every_function_uses_the_rust_build_and_arm64_by_default() {
    let template = template();
    assert_eq!(template.matches("BuildMethod: rust-cargolambda").count(), 3);
    assert!(template.contains("Runtime: provided.al2023"));
    assert!(template.contains("Architectures: [!Ref Architecture]"));
    assert!(template.contains("AllowedValues: [arm64, x86_64]\n    Default: arm64"));
    assert!(template.contains("Handler: bootstrap"));
}

/// cargo-lambda builds the binaries of the package at CodeUri: each function's own package
/// (the root package is the CLI).
#[test]
fn every_function_is_built_from_its_own_package() {
    let template = template();
    for binary in ["purchase-token", "callback", "futurepay-sweep"] {
        let code_uri = format!("CodeUri: functions/{binary}\n");
        assert!(template.contains(&code_uri), "{code_uri}");
        let manifest = format!(
            "{}/functions/{binary}/Cargo.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        let manifest = std::fs::read_to_string(manifest).unwrap();
        assert!(
            manifest.contains(&format!("name = \"{binary}\"")),
            "{manifest}"
        );
    }
}
