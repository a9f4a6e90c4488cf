//! Renders a batch of 500 certificates (PDF with embedded fonts and a QR
//! code each) and packs them into one ZIP, as
//! `GET /api/v1/batches/{id}/certificates/zip` does: once unsigned, once
//! with a PAdES signature on each (a throwaway RSA-2048 key made with
//! `openssl`). Target: under 10 s for 500, each way.
//! Run: `cargo bench --bench certificates`.

#[path = "../tests/api/pki.rs"]
mod pki;

use std::io::Write;
use std::time::Instant;

use bimtek::certificates::layout::CertificateLayout;
use bimtek::certificates::model::{CertificateKind, Content, UnitLine, verification_code};
use bimtek::certificates::pades::PdfSigner;

fn content(n: usize) -> Content {
    Content {
        number: format!("{n:03}/BKD-BIMTEK/PK-01/XI/2026"),
        kind: CertificateKind::Kelulusan,
        holder_name: format!("Peserta Bimtek Nomor {n}"),
        nip: Some(format!("1985031220100120{:02}", n % 100)),
        unit_kerja: Some("Dinas Komunikasi, Informatika, Statistik dan Persandian".into()),
        course_code: "PK-01".into(),
        course_title: "Bimtek Calon Pranata Komputer Ahli Pertama".into(),
        batch_name: "Angkatan III 2026".into(),
        starts_on: "3 November 2026".into(),
        ends_on: "7 November 2026".into(),
        jp: 40,
        units: vec![
            UnitLine {
                code: "jaringan".into(),
                title: "Mengelola jaringan".into(),
                result: "Kompeten".into(),
            },
            UnitLine {
                code: "keamanan-informasi".into(),
                title: "Menerapkan keamanan informasi".into(),
                result: "Kompeten".into(),
            },
            UnitLine {
                code: "layanan-ti".into(),
                title: "Melayani pengguna TI".into(),
                result: "Kompeten".into(),
            },
        ],
        issuer: "BKD Kota Magelang".into(),
        letterhead: vec![
            "PEMERINTAH KOTA MAGELANG".into(),
            "BADAN KEPEGAWAIAN DAERAH".into(),
        ],
        signatory_name: "Dra. Sri Rahayu, M.Si.".into(),
        signatory_position: "Kepala Badan Kepegawaian Daerah".into(),
        signatory_nip: Some("196805121990032004".into()),
        signatory_rank: Some("Pembina Utama Muda (IV/c)".into()),
        issued_at: "2026-11-22T03:00:00Z".into(),
        expires_on: None,
        verification_code: verification_code(&mut rand::rng()),
        replaces: None,
        standing_signed: true,
    }
}

fn main() {
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(500);
    let certificates: Vec<Content> = (1..=count).map(content).collect();
    let unsigned = CertificateLayout::load(None, None, None, "Magelang").expect("default template");
    let dir = tempfile::tempdir().expect("temporary directory");
    let p12 = pki::throwaway_p12(dir.path(), "bench");
    let signer = PdfSigner::load(&p12, "bench").expect("throwaway PKCS#12");
    let signed =
        CertificateLayout::load(None, None, Some(signer), "Magelang").expect("default template");
    let mut met = true;
    for (label, layout) in [("unsigned", &unsigned), ("signed (PAdES)", &signed)] {
        met &= run(label, layout, &certificates);
    }
    if !met {
        std::process::exit(1);
    }
}

/// Renders and zips `certificates`; whether the target was met.
fn run(label: &str, layout: &CertificateLayout, certificates: &[Content]) -> bool {
    let count = certificates.len();
    let started = Instant::now();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut pdf_bytes = 0;
    for c in certificates {
        let url = format!(
            "https://bimtek.magelangkota.go.id/verify/{}",
            c.verification_code
        );
        let pdf = layout.render(c, "22 November 2026", &url).expect("renders");
        pdf_bytes += pdf.len();
        zip.start_file(format!("{}.pdf", c.number.replace('/', "_")), options)
            .unwrap();
        zip.write_all(&pdf).unwrap();
    }
    let archive = zip.finish().unwrap().into_inner();
    let elapsed = started.elapsed();
    println!(
        "{label}: {count} certificates: {:.0} ms in all ({:.2} ms each), {} KiB of PDF, ZIP {} KiB",
        elapsed.as_secs_f64() * 1000.0,
        elapsed.as_secs_f64() * 1000.0 / count as f64,
        pdf_bytes / 1024,
        archive.len() / 1024
    );
    let target = 10.0;
    let met = elapsed.as_secs_f64() < target;
    println!(
        "target: {count} {label} in under {target} s: [{}]",
        if met { "met" } else { "MISSED" }
    );
    met
}
