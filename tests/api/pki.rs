//! A throwaway PKI for signature tests, made with `openssl`, and what
//! `pdfsig` / `pdffonts` / `pdftotext` (poppler-utils) read from a PDF. Shared
//! by the library's unit tests and the API tests.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

fn run(dir: &Path, args: &[&str]) {
    let out = Command::new(args[0])
        .args(&args[1..])
        .current_dir(dir)
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a signing certificate it issued, and both in a PKCS#12 file.
pub fn throwaway_p12(dir: &Path, password: &str) -> std::path::PathBuf {
    run(
        dir,
        &[
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "30",
            "-subj",
            "/CN=CA Uji Bimtek/O=Uji",
        ],
    );
    run(
        dir,
        &[
            "openssl",
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "signer.key",
            "-out",
            "signer.csr",
            "-subj",
            "/CN=Dra. Sri Rahayu, M.Si./O=Pemerintah Kota Magelang",
        ],
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "keyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\n",
    )
    .unwrap();
    run(
        dir,
        &[
            "openssl",
            "x509",
            "-req",
            "-in",
            "signer.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "signer.crt",
            "-days",
            "30",
            "-extfile",
            "ext.cnf",
        ],
    );
    let pass = format!("pass:{password}");
    run(
        dir,
        &[
            "openssl",
            "pkcs12",
            "-export",
            "-inkey",
            "signer.key",
            "-in",
            "signer.crt",
            "-certfile",
            "ca.crt",
            "-out",
            "signer.p12",
            "-passout",
            &pass,
        ],
    );
    dir.join("signer.p12")
}

/// What `pdfsig` says about the file's signatures.
pub fn pdfsig(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signed.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdfsig")
        .arg("-nocert")
        .arg(&path)
        .output()
        .expect("pdfsig (poppler-utils) is installed");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("berkas.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils) is installed: {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// The fonts table of `pdffonts`.
pub fn pdffonts(pdf: &[u8]) -> String {
    poppler("pdffonts", &[], pdf)
}

/// The text of every page.
pub fn pdftotext(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-layout"], pdf)
}

/// Each text line of page 1 with its left and right edge, in points.
pub fn lines_with_edges(pdf: &[u8]) -> Vec<(String, f32, f32)> {
    let html = poppler("pdftotext", &["-bbox-layout", "-f", "1", "-l", "1"], pdf);
    let mut lines = Vec::new();
    for chunk in html.split("<line ").skip(1) {
        let attr = |name: &str| -> f32 {
            let key = format!("{name}=\"");
            let at = chunk.find(&key).map(|i| i + key.len()).unwrap_or(0);
            chunk[at..]
                .split('"')
                .next()
                .unwrap_or("0")
                .parse()
                .unwrap_or(0.0)
        };
        let words: Vec<&str> = chunk
            .split("</line>")
            .next()
            .unwrap_or("")
            .split("<word ")
            .skip(1)
            .filter_map(|w| w.split('>').nth(1)?.split('<').next())
            .collect();
        lines.push((words.join(" "), attr("xMin"), attr("xMax")));
    }
    lines
}
