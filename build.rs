// Records the git commit in the binary for manifest.json (absent outside a git checkout).
fn main() {
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs");
    if let Ok(out) = std::process::Command::new("git").args(["rev-parse", "HEAD"]).output() {
        if out.status.success() {
            let commit = String::from_utf8_lossy(&out.stdout).trim().to_string();
            println!("cargo:rustc-env=HASHSIM_GIT_COMMIT={commit}");
        }
    }
}
