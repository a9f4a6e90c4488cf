//! Signs with a throwaway CA made by `openssl` and checks the result with
//! `pdfsig` (poppler-utils), the way a reader of the PDF would.

use super::*;
use crate::certificates::pades::pki::{pdfsig, throwaway_p12};

#[test]
fn a_signed_certificate_is_valid_for_pdfsig_and_one_altered_byte_breaks_it() {
    let dir = tempfile::tempdir().unwrap();
    let p12 = throwaway_p12(dir.path(), "rahasia-uji");
    assert!(PdfSigner::load(&p12, "salah").is_err());
    let signer = PdfSigner::load(&p12, "rahasia-uji").unwrap();
    assert_eq!(signer.signer_name, "Dra. Sri Rahayu, M.Si.");
    let original = super::super::pdf::render(
        "text left 40 500 12 regular - Sertifikat\nsignature 540 126 240 52",
        "u",
        None,
    )
    .unwrap();
    let field = original.signature_box.unwrap();
    let signed = signer
        .sign(&original.pdf, field, "Magelang", OffsetDateTime::now_utc())
        .unwrap();
    let report = pdfsig(&signed);
    assert!(report.contains("Signature is Valid"), "{report}");
    assert!(report.contains("Total document signed"), "{report}");
    assert!(report.contains("ETSI.CAdES.detached"), "{report}");
    assert!(report.contains("Dra. Sri Rahayu"), "{report}");

    // One byte of the signed text changed: the digest no longer matches.
    let mut altered = signed.clone();
    let at = altered
        .windows(10)
        .position(|w| w == b"/MediaBox ")
        .unwrap();
    altered[at + 11] = if altered[at + 11] == b'1' { b'2' } else { b'1' };
    let report = pdfsig(&altered);
    assert!(!report.contains("Signature is Valid"), "{report}");
    assert!(
        report.contains("Signature is Invalid") || report.contains("Digest Mismatch"),
        "{report}"
    );
}
