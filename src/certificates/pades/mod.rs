//! PAdES baseline signatures on certificate PDFs: the key and certificate
//! chain from `BIMTEK_SIGNING_P12` (in practice the signatory's certificate
//! from the government's certification authority) sign each PDF as it is
//! rendered, in a visible field in the signature block.

mod cms;
pub mod incremental;

use std::path::Path;

use rsa::pkcs8::DecodePrivateKey;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::der::Decode;

pub use incremental::FieldBox;

/// The signatory's key and certificate chain.
pub struct PdfSigner {
    key: cms::BlindedKey,
    /// Leaf first, each certificate once.
    chain: Vec<Certificate>,
    leaf_der: Vec<u8>,
    /// The common name of the leaf certificate, shown on the page.
    pub signer_name: String,
    /// Bytes to leave for the CMS signature: the chain, the signature
    /// value and the rest of the structure, with a margin.
    signature_room: usize,
}

impl std::fmt::Debug for PdfSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfSigner")
            .field("signer_name", &self.signer_name)
            .finish_non_exhaustive()
    }
}

impl PdfSigner {
    /// Reads a PKCS#12 file: one RSA private key and its certificate chain.
    pub fn load(path: &Path, password: &str) -> Result<PdfSigner, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::from_pkcs12(&bytes, password).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn from_pkcs12(bytes: &[u8], password: &str) -> Result<PdfSigner, String> {
        let store = p12_keystore::KeyStore::from_pkcs12(bytes, password)
            .map_err(|e| format!("berkas PKCS#12 tidak terbaca atau kata sandinya salah ({e})"))?;
        let (_, entry) = store
            .private_key_chain()
            .ok_or("berkas PKCS#12 tidak berisi kunci privat")?;
        let key = rsa::RsaPrivateKey::from_pkcs8_der(entry.key())
            .map_err(|e| format!("kunci privat harus RSA ({e})"))?;
        // A chain that lists a certificate twice would make an invalid
        // (and, in the CMS builder, panicking) certificate set.
        let mut ders: Vec<&[u8]> = Vec::new();
        for cert in entry.chain() {
            if !ders.contains(&cert.as_der()) {
                ders.push(cert.as_der());
            }
        }
        let chain = ders
            .iter()
            .map(|der| Certificate::from_der(der).map_err(|e| format!("sertifikat: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let leaf = chain.first().ok_or("berkas PKCS#12 tanpa sertifikat")?;
        let leaf_der = ders.first().map(|d| d.to_vec()).unwrap_or_default();
        let signer_name = cms::common_name(leaf).unwrap_or_else(|| "penanda tangan".into());
        let chain_bytes: usize = ders.iter().map(|d| d.len()).sum();
        let signature_room = chain_bytes + rsa::traits::PublicKeyParts::size(&key) + 2048;
        Ok(PdfSigner {
            key: cms::BlindedKey(rsa::pkcs1v15::SigningKey::new(key)),
            chain,
            leaf_der,
            signer_name,
            signature_room,
        })
    }

    /// `pdf` with a PAdES signature in a field at `field` on its first page.
    pub fn sign(
        &self,
        pdf: &[u8],
        field: FieldBox,
        location: &str,
        at: OffsetDateTime,
    ) -> Result<Vec<u8>, String> {
        let info = incremental::SignatureInfo {
            signer_name: &self.signer_name,
            reason: "Sertifikat Bimtek",
            location,
            pdf_date: pdf_date(at),
        };
        let prepared = incremental::prepare(pdf, field, &info, self.signature_room)?;
        let mut digest = Sha256::new();
        for range in prepared.signed_ranges() {
            digest.update(range);
        }
        let der = cms::signed_data(&self.key, &self.chain, &self.leaf_der, &digest.finalize())?;
        prepared.finish(&der)
    }
}

/// A PDF date in UTC: `D:20261202103000Z`.
fn pdf_date(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_are_utc() {
        let at = time::macros::datetime!(2026-12-02 17:30:05 +07:00);
        assert_eq!(pdf_date(at), "D:20261202103005Z");
    }

    #[test]
    fn a_wrong_password_or_a_non_p12_file_is_a_clear_error() {
        let err = PdfSigner::from_pkcs12(b"bukan p12", "x").unwrap_err();
        assert!(err.contains("PKCS#12"), "{err}");
    }
}

#[cfg(test)]
#[path = "../../../tests/api/pki.rs"]
pub(crate) mod pki;
#[cfg(test)]
mod signing_tests;
