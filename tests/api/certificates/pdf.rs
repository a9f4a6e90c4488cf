//! The certificate PDF as a reader sees it: laid out like a Pemkot's, with
//! embedded fonts and centred lines, and — with `BIMTEK_SIGNING_P12` — a
//! PAdES signature that `pdfsig` accepts, on the single download and in the
//! batch ZIP alike; without it, no claim of an electronic signature.

use std::io::Read;

use reqwest::StatusCode;

use crate::cases;
use crate::given::{finished_batch, issued_for_done};
use crate::pki::{lines_with_edges, pdffonts, pdfsig, throwaway_p12};
use crate::support::{Session, TestApp, TestDatabase};

cases![
    a_signed_certificate_passes_pdfsig_in_the_download_and_the_zip,
    an_unsigned_certificate_is_centred_embeds_its_fonts_and_claims_no_signature,
];

const PAGE_CENTRE: f32 = 421.0;

async fn pdf_of(session: &Session, path: &str) -> Vec<u8> {
    let resp = session
        .request(reqwest::Method::GET, path)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.bytes().await.unwrap().to_vec()
}

async fn a_signed_certificate_passes_pdfsig_in_the_download_and_the_zip(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let p12 = throwaway_p12(dir.path(), "sandi-p12-uji");
    let db = TestDatabase::create(&app.backend).await;
    let signing = TestApp::spawn_with(&app.backend, &db, |c| {
        c.signing_p12 = Some(p12);
        c.signing_p12_password = "sandi-p12-uji".into();
        c.signatory_name = "Dra. Sri Rahayu, M.Si.".into();
        c.signatory_nip = "196805121990032004".into();
        c.signatory_rank = "Pembina Utama Muda (IV/c)".into();
    })
    .await;
    let b = finished_batch(&signing, "TTE").await;
    let cert = issued_for_done(&b).await;
    let id = cert["id"].as_str().unwrap();
    let pdf = pdf_of(&b.done.1, &format!("/api/v1/certificates/{id}/pdf")).await;

    let report = pdfsig(&pdf);
    assert!(report.contains("Signature is Valid"), "{report}");
    assert!(report.contains("Total document signed"), "{report}");
    assert!(report.contains("ETSI.CAdES.detached"), "{report}");
    assert!(report.contains("SHA-256"), "{report}");
    let text: String = lines_with_edges(&pdf)
        .into_iter()
        .map(|l| l.0 + "\n")
        .collect();
    assert!(
        text.contains("Ditandatangani secara elektronik oleh"),
        "{text}"
    );
    assert!(text.contains("Pembina Utama Muda (IV/c)"), "{text}");
    assert!(text.contains("NIP 196805121990032004"), "{text}");

    // One byte of the signed part changed: no longer valid.
    let mut altered = pdf.clone();
    let at = altered.windows(9).position(|w| w == b"/MediaBox").unwrap();
    altered[at + 11] ^= 0x01;
    let report = pdfsig(&altered);
    assert!(!report.contains("Signature is Valid"), "{report}");

    // The batch ZIP holds the same kind of signed PDF.
    let zip = pdf_of(
        &b.admin,
        &format!("/api/v1/batches/{}/certificates/zip", b.batch_id),
    )
    .await;
    let from_the_page = signed_files(zip);
    assert!(!from_the_page.is_empty());

    // So does `bimtek certificates zip`, with the same settings.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bimtek"))
        .args(["certificates", "zip", "--batch", &b.batch_id])
        .env("DATABASE_URL", &db.url)
        .env("BIMTEK_SIGNING_P12", dir.path().join("signer.p12"))
        .env("BIMTEK_SIGNING_P12_PASSWORD", "sandi-p12-uji")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(signed_files(out.stdout), from_the_page);
    signing.stop().await;
}

/// The names of the files in `zip`, each checked to carry a valid signature.
fn signed_files(zip: Vec<u8>) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        let report = pdfsig(&bytes);
        assert!(report.contains("Signature is Valid"), "{name}: {report}");
        names.push(name);
    }
    names
}

async fn an_unsigned_certificate_is_centred_embeds_its_fonts_and_claims_no_signature(app: TestApp) {
    let b = finished_batch(&app, "PSN").await;
    let cert = issued_for_done(&b).await;
    let id = cert["id"].as_str().unwrap();
    let pdf = pdf_of(&b.done.1, &format!("/api/v1/certificates/{id}/pdf")).await;

    let fonts = pdffonts(&pdf);
    let rows: Vec<&str> = fonts
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name, type…, encoding, then emb sub uni object ID: "yes" first.
        let emb = cols[cols.len() - 5];
        assert_eq!(emb, "yes", "a font is not embedded: {row}");
    }

    let lines = lines_with_edges(&pdf);
    let holder = cert["content"]["holder_name"].as_str().unwrap();
    let number = cert["content"]["number"].as_str().unwrap();
    for wanted in [
        "PEMERINTAH KOTA MAGELANG".to_owned(),
        "BADAN KEPEGAWAIAN DAERAH".to_owned(),
        "SERTIFIKAT KELULUSAN".to_owned(),
        holder.to_owned(),
        format!("Nomor: {number}"),
    ] {
        let (_, left, right) = lines
            .iter()
            .find(|l| l.0 == wanted)
            .unwrap_or_else(|| panic!("no line {wanted:?} in {lines:?}"))
            .clone();
        let off = (left + right) / 2.0 - PAGE_CENTRE;
        assert!(off.abs() < 1.0, "{wanted:?} is {off} pt off centre");
    }
    let text: String = lines.into_iter().map(|l| l.0 + "\n").collect();
    assert!(!text.contains("elektronik"), "{text}");
    assert!(text.contains("kode QR"), "{text}");
    assert!(!pdfsig(&pdf).contains("Signature #1"));
}
