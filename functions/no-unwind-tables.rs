//! The build script of every function binary. A release build leaves out the unwind tables
//! (`.eh_frame` and its index, about 600 KB of the callback's 5.5 MB): with the release
//! profile's `panic = "abort"` nothing unwinds, and their one other reader is the backtrace
//! of a panic, printed only when `RUST_BACKTRACE` is set, which Lambda does not set (the
//! panic message and its source location are still logged). A build script cannot see the
//! profile's panic strategy, so it sets `unwind_tables_dropped` and each `main.rs` refuses
//! to compile that with `panic = "unwind"`. Tests and the dev profile keep the tables.

use std::{env, fs, path::PathBuf};

fn main() {
    println!("cargo::rerun-if-changed=../no-unwind-tables.rs");
    println!("cargo::rustc-check-cfg=cfg(unwind_tables_dropped)");
    let release = env::var("PROFILE").is_ok_and(|profile| profile == "release");
    let linux = env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if !(release && linux) {
        return;
    }
    // A linker script that only adds a rule; `INSERT` keeps the linker's default layout.
    let script =
        PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("no-unwind-tables.ld");
    fs::write(
        &script,
        "SECTIONS { /DISCARD/ : { *(.eh_frame) } } INSERT AFTER .text;\n",
    )
    .expect("OUT_DIR is writable");
    println!("cargo::rustc-link-arg-bins=-Wl,-T,{}", script.display());
    println!("cargo::rustc-link-arg-bins=-Wl,--no-eh-frame-hdr");
    println!("cargo::rustc-cfg=unwind_tables_dropped");
}
