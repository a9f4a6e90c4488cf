//! Open Badges 3.0: a certificate as an OpenBadgeCredential (a W3C
//! verifiable credential), signed as a VC-JWT (EdDSA) with the same key as
//! the certificate, with a status entry pointing at the revocation list.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::keys::ActiveKey;
use super::model::Content;

/// Where the badge's parts live, all under the public base URL.
pub struct Urls {
    pub base: String,
    pub certificate_id: String,
}

impl Urls {
    pub fn credential(&self) -> String {
        format!(
            "{}/api/v1/certificates/{}/openbadge",
            self.base, self.certificate_id
        )
    }
    pub fn issuer(&self) -> String {
        format!("{}/api/v1/issuer", self.base)
    }
    pub fn revocation_list(&self) -> String {
        format!("{}/api/v1/revocation-list", self.base)
    }
}

/// The issuer profile, served at a stable URL.
pub fn issuer_profile(base: &str, name: &str, keys_url: &str) -> Value {
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": format!("{base}/api/v1/issuer"),
        "type": ["Profile"],
        "name": name,
        "url": base,
        "publicKeys": keys_url,
    })
}

/// The credential for one certificate.
pub fn credential(content: &Content, urls: &Urls, issuer_name: &str, holder: &str) -> Value {
    let achievement_id = format!("{}/api/v1/achievements/{}", urls.base, content.course_code);
    let units: Vec<Value> = content
        .units
        .iter()
        .map(|u| json!({ "type": ["Result"], "resultDescription": format!("{}#{}", achievement_id, u.code), "value": u.result }))
        .collect();
    let mut subject = json!({
        "type": ["AchievementSubject"],
        "id": holder,
        "identifier": [{
            "type": "IdentityObject",
            "identityHash": content.holder_name,
            "identityType": "name",
            "hashed": false
        }],
        "achievement": {
            "id": achievement_id,
            "type": ["Achievement"],
            "achievementType": "Certificate",
            "name": content.course_title,
            "description": format!("{} — {}", content.kind.title(), content.course_title),
            "criteria": {
                "narrative": "Membaca semua modul, hadir sesuai syarat kehadiran, lulus kuis wajib, dan (bila ada uji kompetensi) kompeten pada setiap unit."
            },
            "creditsAvailable": content.jp,
            "fieldOfStudy": "Bimbingan Teknis ASN"
        },
        "creditsEarned": content.jp,
    });
    if !units.is_empty() {
        subject["result"] = Value::Array(units);
    }
    let mut vc = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": urls.credential(),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": format!("{} {}", content.kind.title(), content.course_title),
        "issuer": {
            "id": urls.issuer(),
            "type": ["Profile"],
            "name": issuer_name
        },
        "validFrom": content.issued_at,
        "credentialSubject": subject,
        "credentialStatus": {
            "id": format!("{}#{}", urls.revocation_list(), urls.certificate_id),
            "type": "1EdTechRevocationList"
        }
    });
    if let Some(expires) = &content.expires_on {
        vc["validUntil"] = json!(format!("{expires}T23:59:59+07:00"));
    }
    vc
}

/// Compact JWS: `header.payload.signature`, EdDSA, the credential in `vc`.
pub fn vc_jwt(key: &ActiveKey, credential: &Value, issued_at: i64) -> String {
    let header = json!({ "alg": "EdDSA", "typ": "JWT", "kid": key.kid });
    let payload = json!({
        "iss": credential["issuer"]["id"],
        "sub": credential["credentialSubject"]["id"],
        "jti": credential["id"],
        "nbf": issued_at,
        "iat": issued_at,
        "vc": credential,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let signature = key.sign(signing_input.as_bytes());
    format!("{signing_input}.{signature}")
}
