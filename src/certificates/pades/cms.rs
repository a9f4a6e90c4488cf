//! The CMS SignedData a PAdES baseline signature carries (ETSI EN 319 142-1,
//! B-B level): detached, SHA-256, signed attributes content-type,
//! message-digest and signing-certificate-v2, the chain included. No
//! signing-time attribute: PAdES puts the time in the signature dictionary.

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::ContentInfo;
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::der::asn1::SetOfVec;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::{Any, Decode, Encode};
use x509_cert::spki::AlgorithmIdentifierOwned;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_AA_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const ID_CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// The signatory's RSA key, signing with blinding (fresh randomness in each
/// signature): every download makes a signature, and an unblinded key
/// leaks timing to whoever downloads often (RUSTSEC-2023-0071). The CMS
/// builder only calls the plain `Signer`, so this one blinds inside it.
pub struct BlindedKey(pub rsa::pkcs1v15::SigningKey<Sha256>);

impl rsa::signature::Keypair for BlindedKey {
    type VerifyingKey = rsa::pkcs1v15::VerifyingKey<Sha256>;

    fn verifying_key(&self) -> Self::VerifyingKey {
        self.0.verifying_key()
    }
}

impl x509_cert::spki::DynSignatureAlgorithmIdentifier for BlindedKey {
    fn signature_algorithm_identifier(&self) -> x509_cert::spki::Result<AlgorithmIdentifierOwned> {
        self.0.signature_algorithm_identifier()
    }
}

impl rsa::signature::Signer<rsa::pkcs1v15::Signature> for BlindedKey {
    fn try_sign(&self, message: &[u8]) -> Result<rsa::pkcs1v15::Signature, rsa::signature::Error> {
        use rsa::signature::RandomizedSigner;
        self.0
            .try_sign_with_rng(&mut rsa::rand_core::OsRng, message)
    }
}

/// DER of a ContentInfo holding SignedData over `digest`; `leaf_der` is
/// the signing certificate as it came in the key file.
pub fn signed_data(
    key: &BlindedKey,
    chain: &[Certificate],
    leaf_der: &[u8],
    digest: &[u8],
) -> Result<Vec<u8>, String> {
    let fail = |e: &dyn std::fmt::Display| format!("tanda tangan CMS: {e}");
    let leaf = chain.first().ok_or("tanpa sertifikat")?;
    let content = EncapsulatedContentInfo {
        econtent_type: ID_DATA,
        econtent: None,
    };
    let sha256 = AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: leaf.tbs_certificate.issuer.clone(),
        serial_number: leaf.tbs_certificate.serial_number.clone(),
    });
    let mut signer = SignerInfoBuilder::new(key, sid, sha256.clone(), &content, Some(digest))
        .map_err(|e| fail(&e))?;
    signer
        .add_signed_attribute(signing_certificate_v2(leaf_der)?)
        .map_err(|e| fail(&e))?;
    let mut builder = SignedDataBuilder::new(&content);
    builder.add_digest_algorithm(sha256).map_err(|e| fail(&e))?;
    for cert in chain {
        builder
            .add_certificate(CertificateChoices::Certificate(cert.clone()))
            .map_err(|e| fail(&e))?;
    }
    builder
        .add_signer_info::<_, rsa::pkcs1v15::Signature>(signer)
        .map_err(|e| fail(&e))?;
    let info: ContentInfo = builder.build().map_err(|e| fail(&e))?;
    info.to_der().map_err(|e| fail(&e))
}

/// ESS signing-certificate-v2 (RFC 5035) naming the leaf by its SHA-256
/// hash: `SEQUENCE { SEQUENCE OF ESSCertIDv2 { certHash } }`, the hash
/// algorithm left at its default, SHA-256.
fn signing_certificate_v2(leaf_der: &[u8]) -> Result<Attribute, String> {
    let hash = Sha256::digest(leaf_der);
    let octets = tlv(0x04, &hash);
    let value = tlv(0x30, &tlv(0x30, &tlv(0x30, &octets)));
    let any = Any::from_der(&value).map_err(|e| e.to_string())?;
    Ok(Attribute {
        oid: ID_AA_SIGNING_CERTIFICATE_V2,
        values: SetOfVec::try_from(vec![any]).map_err(|e| e.to_string())?,
    })
}

/// One DER element whose content is under 128 bytes.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    debug_assert!(content.len() < 128);
    let mut out = vec![tag, content.len() as u8];
    out.extend_from_slice(content);
    out
}

/// The subject's common name.
pub fn common_name(cert: &Certificate) -> Option<String> {
    cert.tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == ID_CN)
        .and_then(|atv| {
            atv.value
                .decode_as::<x509_cert::der::asn1::Utf8StringRef>()
                .map(|s| s.as_str().to_owned())
                .or_else(|_| {
                    atv.value
                        .decode_as::<x509_cert::der::asn1::PrintableStringRef>()
                        .map(|s| s.as_str().to_owned())
                })
                .ok()
        })
}
