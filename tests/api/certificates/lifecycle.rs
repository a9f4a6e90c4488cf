//! A certificate from eligibility to reissue: issue (idempotent, gap-free
//! numbers under concurrency), PDF, public verification with the signature
//! checked, tampering, revocation and reissue, roles.

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cases;
use crate::given::{
    attend, course_and_batch, enrol, finished_batch, issued_for_done, person, read_all,
};
use crate::support::{TestApp, assert_error};

cases![
    certificates_issued_verified_revoked_and_reissued,
    a_record_altered_in_the_database_verifies_as_invalid,
    every_fact_shown_is_signed_and_checkable_by_anyone,
    an_erased_revocation_verifies_as_invalid,
    numbers_stay_gap_free_when_batches_are_issued_at_once,
    an_admin_issues_revokes_and_reissues_through_the_pages,
    an_exam_in_the_batch_decides_the_kind,
    course_settings_and_the_public_rate_limit,
    a_changed_standing_or_a_corrected_name_replaces_the_certificate,
];

fn row<'a>(preview: &'a Value, user_id: &str) -> &'a Value {
    preview
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == user_id)
        .unwrap()
}

async fn certificates_issued_verified_revoked_and_reissued(app: TestApp) {
    let b = finished_batch(&app, "SRT").await;
    let (status, preview) = b
        .admin
        .get(&format!(
            "/api/v1/batches/{}/certificates/preview",
            b.batch_id
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(row(&preview, &b.done.0)["kind"], "kelulusan");
    let letter = row(&preview, &b.attended.0);
    assert_eq!(letter["kind"], "keterangan");
    assert!(letter["reasons"].to_string().contains("modul"), "{letter}");
    let none = row(&preview, &b.absent.0);
    assert_eq!(none["eligible"], false);
    let reasons = none["reasons"].to_string();
    assert!(
        reasons.contains("kehadiran") && reasons.contains("modul"),
        "{reasons}"
    );

    // Roles: only admins see and issue.
    let (status, _) = b
        .done
        .1
        .get(&format!(
            "/api/v1/batches/{}/certificates/preview",
            b.batch_id
        ))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = b
        .admin
        .post(
            &format!("/api/v1/batches/{}/certificates", b.batch_id),
            &json!({ "user_ids": [b.absent.0] }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "user_ids[0]");

    let (status, issued) = b
        .admin
        .post(
            &format!("/api/v1/batches/{}/certificates", b.batch_id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let issued = issued.as_array().unwrap().clone();
    assert_eq!(issued.len(), 2);
    let year = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+7))
        .year();
    let mut numbers: Vec<String> = issued
        .iter()
        .map(|c| c["content"]["number"].as_str().unwrap().to_owned())
        .collect();
    numbers.sort();
    assert!(numbers[0].starts_with("001/BKD-BIMTEK/SRT/"), "{numbers:?}");
    assert!(
        numbers[1].starts_with("002/BKD-BIMTEK/SRT/") && numbers[1].ends_with(&year.to_string())
    );
    // Each holder is told, once, with the number and where to download it.
    let certificate_messages = |log: &Value| -> Vec<Value> {
        log.as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "certificate")
            .cloned()
            .collect()
    };
    let (status, log) = b
        .admin
        .get(&format!("/api/v1/batches/{}/messages", b.batch_id))
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let told = certificate_messages(&log);
    assert_eq!(told.len(), 2, "{log}");
    for number in &numbers {
        assert!(
            told.iter()
                .any(|m| m["body"].as_str().unwrap().contains(number.as_str())
                    && m["body"].as_str().unwrap().contains("/my/certificates")),
            "{number}: {told:?}"
        );
    }
    // Issuing again gives the same certificates.
    let (_, again) = b
        .admin
        .post(
            &format!("/api/v1/batches/{}/certificates", b.batch_id),
            &json!({}),
        )
        .await;
    let ids = |v: &[Value]| {
        let mut ids: Vec<String> = v
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(again.as_array().unwrap()), ids(&issued));

    let (_, mine) = b.done.1.get("/api/v1/me/certificates").await;
    let cert = mine[0].clone();
    assert_eq!(cert["content"]["kind"], "kelulusan");
    assert_eq!(cert["content"]["jp"], 4);
    assert_eq!(cert["content"]["issuer"], "BKD Kota Magelang");
    let cert_id = cert["id"].as_str().unwrap();
    let resp = b
        .done
        .1
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/certificates/{cert_id}/pdf"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let pdf = resp.bytes().await.unwrap();
    let text = crate::pki::pdftotext(&pdf);
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(text.contains(cert["content"]["number"].as_str().unwrap()));
    assert!(
        text.contains(cert["verify_url"].as_str().unwrap()),
        "the QR's URL is printed too"
    );
    // Another trainee cannot read it.
    let (status, _) = b
        .attended
        .1
        .get(&format!("/api/v1/certificates/{cert_id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = b
        .attended
        .1
        .get(&format!("/api/v1/certificates/{cert_id}/pdf"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The signature verifies with the published key.
    use ed25519_dalek::Verifier;
    let canonical = canonical(&cert["content"]).into_bytes();
    published_key(&app, &cert["kid"])
        .await
        .verify(&canonical, &signature_of(&cert["signature"]))
        .expect("the certificate's content verifies with the published key");

    // The Open Badge: shape, and an EdDSA JWT that verifies with the same key.
    let (status, badge) = b
        .done
        .1
        .get(&format!("/api/v1/certificates/{cert_id}/openbadge"))
        .await;
    assert_eq!(status, StatusCode::OK, "{badge}");
    let vc = &badge["credential"];
    assert_eq!(vc["@context"][0], "https://www.w3.org/ns/credentials/v2");
    assert!(vc["@context"][1].as_str().unwrap().contains("ob/v3p0"));
    assert_eq!(
        vc["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert_eq!(
        vc["credentialSubject"]["type"],
        json!(["AchievementSubject"])
    );
    assert_eq!(
        vc["credentialSubject"]["achievement"]["type"],
        json!(["Achievement"])
    );
    assert_eq!(
        vc["credentialSubject"]["achievement"]["creditsAvailable"],
        4
    );
    assert!(vc["credentialSubject"]["achievement"]["criteria"]["narrative"].is_string());
    assert_eq!(vc["credentialStatus"]["type"], "1EdTechRevocationList");
    assert!(
        vc["issuer"]["id"]
            .as_str()
            .unwrap()
            .ends_with("/api/v1/issuer")
    );
    let (status, profile) = app.anonymous().get("/api/v1/issuer").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(profile["type"], json!(["Profile"]));
    let parts: Vec<&str> = badge["jwt"].as_str().unwrap().split('.').collect();
    assert_eq!(parts.len(), 3);
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header: Value = serde_json::from_slice(&b64.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "EdDSA");
    let claims: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(&claims["vc"], vc);
    published_key(&app, &header["kid"])
        .await
        .verify(
            format!("{}.{}", parts[0], parts[1]).as_bytes(),
            &signature_of(&json!(parts[2])),
        )
        .expect("the badge JWT verifies with the published key");
    let (status, _) = b
        .attended
        .1
        .get(&format!("/api/v1/certificates/{cert_id}/openbadge"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Anyone can check the code; the NIP never shows in full.
    let code = cert["content"]["verification_code"].as_str().unwrap();
    let anonymous = app.anonymous();
    let (status, checked) = anonymous
        .get(&format!("/api/v1/verify/{}", code.to_lowercase()))
        .await;
    assert_eq!(status, StatusCode::OK, "{checked}");
    assert_eq!(checked["status"], "valid");
    assert_eq!(checked["holder_name"], "Nama srt-lulus");
    assert_eq!(checked["jp"], 4);
    let (_, unknown) = anonymous.get("/api/v1/verify/AAAA-BBBB-CCCC").await;
    assert_eq!(unknown["status"], "unknown");

    // Revoked: the page and JSON say so, with date and reason; audited.
    let (status, _) = b
        .done
        .1
        .post(
            &format!("/api/v1/certificates/{cert_id}/revoke"),
            &json!({ "reason": "Data peserta salah" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = b
        .admin
        .post(
            &format!("/api/v1/certificates/{cert_id}/revoke"),
            &json!({ "reason": "" }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let (status, revoked) = b
        .admin
        .post(
            &format!("/api/v1/certificates/{cert_id}/revoke"),
            &json!({ "reason": "Nama peserta salah ketik" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    let (status, body) = b
        .admin
        .post(
            &format!("/api/v1/certificates/{cert_id}/revoke"),
            &json!({ "reason": "Nama peserta salah ketik" }),
        )
        .await;
    assert_error(status, &body, 409, "already_revoked");
    let (_, checked) = anonymous.get(&format!("/api/v1/verify/{code}")).await;
    assert_eq!(checked["status"], "revoked");
    let (_, list) = anonymous.get("/api/v1/revocation-list").await;
    assert!(list.to_string().contains(cert_id), "{list}");
    assert_eq!(checked["revoke_reason"], "Nama peserta salah ketik");
    assert!(checked["revoked_on"].is_string());

    // Reissued as a new certificate naming the one it replaces.
    let (status, fresh) = b
        .admin
        .post(
            &format!("/api/v1/certificates/{cert_id}/reissue"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert_eq!(fresh["replaces_id"], cert_id);
    assert_eq!(fresh["content"]["replaces"], cert["content"]["number"]);
    assert!(
        fresh["content"]["number"]
            .as_str()
            .unwrap()
            .starts_with("003/")
    );
    let (_, checked) = anonymous
        .get(&format!(
            "/api/v1/verify/{}",
            fresh["content"]["verification_code"].as_str().unwrap()
        ))
        .await;
    assert_eq!(checked["status"], "valid");

    let resp = b
        .admin
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/batches/{}/certificates/zip", b.batch_id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let zip = resp.bytes().await.unwrap();
    assert!(zip.starts_with(b"PK"));
    let archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
    assert_eq!(archive.len(), 2, "the two standing certificates");
}

async fn a_record_altered_in_the_database_verifies_as_invalid(app: TestApp) {
    let b = finished_batch(&app, "TMP").await;
    let (_, issued) = b
        .admin
        .post(
            &format!("/api/v1/batches/{}/certificates", b.batch_id),
            &json!({}),
        )
        .await;
    let cert = issued
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["user_id"] == b.done.0.as_str())
        .unwrap()
        .clone();
    let code = cert["content"]["verification_code"].as_str().unwrap();
    let (_, before) = app.anonymous().get(&format!("/api/v1/verify/{code}")).await;
    assert_eq!(before["status"], "valid");
    // Someone with database access raises the JP from 4 to 40.
    app.sql(&format!(
        "UPDATE certificates SET content = REPLACE(content, '\"jp\":4', '\"jp\":40') WHERE verification_code = '{code}'"
    ))
    .await;
    let (_, after) = app.anonymous().get(&format!("/api/v1/verify/{code}")).await;
    assert_eq!(after["status"], "invalid", "{after}");
    assert!(
        after["jp"].is_null(),
        "nothing of an altered record is vouched for"
    );
    let _ = b.course_code;
}

/// The published key `kid` (from `/api/v1/certificate-keys`).
async fn published_key(app: &TestApp, kid: &Value) -> ed25519_dalek::VerifyingKey {
    let (_, keys) = app.anonymous().get("/api/v1/certificate-keys").await;
    let key = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| &k["kid"] == kid)
        .unwrap_or_else(|| panic!("key {kid} is not published: {keys}"));
    let public: [u8; 32] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key["x"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap()
}

/// A base64url Ed25519 signature.
fn signature_of(text: &Value) -> ed25519_dalek::Signature {
    let bytes: [u8; 64] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    ed25519_dalek::Signature::from_bytes(&bytes)
}

/// Checks `signed` (from a verification) with the published key set, and
/// that an altered payload does not pass; returns the record.
async fn check_signed_record(app: &TestApp, signed: &Value) -> Value {
    use ed25519_dalek::Verifier;
    let verifying = published_key(app, &signed["kid"]).await;
    let signature = signature_of(&signed["signature"]);
    let payload = signed["payload"].as_str().unwrap();
    verifying
        .verify(payload.as_bytes(), &signature)
        .expect("the public record verifies with the published key");
    let forged = payload.replace("\"jp\":4", "\"jp\":40");
    assert_ne!(forged, payload);
    assert!(verifying.verify(forged.as_bytes(), &signature).is_err());
    serde_json::from_str(payload).unwrap()
}

async fn every_fact_shown_is_signed_and_checkable_by_anyone(app: TestApp) {
    let b = finished_batch(&app, "SGN").await;
    let cert = issued_for_done(&b).await;
    let code = cert["content"]["verification_code"].as_str().unwrap();
    let (_, checked) = app.anonymous().get(&format!("/api/v1/verify/{code}")).await;
    assert_eq!(checked["status"], "valid");
    let record = check_signed_record(&app, &checked["signed"]).await;
    for field in [
        "status",
        "number",
        "kind",
        "holder_name",
        "nip_masked",
        "course_title",
        "batch_name",
        "starts_on",
        "ends_on",
        "jp",
        "units",
        "issuer",
        "issued_on",
        "expires_on",
    ] {
        assert_eq!(
            record[field], checked[field],
            "{field} differs from what was signed"
        );
    }
    assert_eq!(
        checked["signed"]["kid"], cert["kid"],
        "the certificate's own key"
    );

    // Someone moves the unsigned issue date: nothing shown follows it.
    let issued_on = checked["issued_on"].clone();
    app.sql(&format!(
        "UPDATE certificates SET issued_at = '2020-01-01 00:00:00+00:00' WHERE verification_code = '{code}'"
    ))
    .await;
    let (_, again) = app.anonymous().get(&format!("/api/v1/verify/{code}")).await;
    assert_eq!(
        (&again["status"], &again["issued_on"]),
        (&json!("valid"), &issued_on)
    );
    let id = cert["id"].as_str().unwrap();
    let (_, view) = b.done.1.get(&format!("/api/v1/certificates/{id}")).await;
    assert_eq!(view["issued_at"], cert["issued_at"], "{view}");
    assert!(!view["issued_at"].as_str().unwrap().starts_with("2020"));
    let client = app.browser_client();
    let (_, html) = crate::support::page(&client, &app, &format!("/verify/{code}")).await;
    assert!(
        html.contains(issued_on.as_str().unwrap()) && !html.contains("2020"),
        "{html}"
    );

    // The README's example for third parties runs and agrees.
    let script = include_str!("../../verify_certificate.py");
    assert!(
        include_str!("../../../README.md").contains(script),
        "the README shows tests/verify_certificate.py verbatim"
    );
    let python = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/verify_certificate.py"
        ))
        .arg(app.url(""))
        .arg(code)
        .output();
    match python {
        Ok(out) if out.status.success() => {
            let printed = String::from_utf8_lossy(&out.stdout);
            assert!(
                printed.starts_with("valid ")
                    && printed.contains(cert["content"]["number"].as_str().unwrap()),
                "{printed}"
            );
        }
        Ok(out)
            if !crate::require_all()
                && String::from_utf8_lossy(&out.stderr)
                    .contains("No module named 'cryptography'") =>
        {
            eprintln!("python3 has no 'cryptography' module: the README example was not run");
        }
        Ok(out) => panic!(
            "the README example failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) if !crate::require_all() => {
            eprintln!("python3 not found ({e}): the README example was not run")
        }
        Err(e) => panic!("python3: {e}"),
    }

    // The badge is signed by the certificate's key even after a rotation.
    app.sql("UPDATE signing_keys SET retired_at = CURRENT_TIMESTAMP")
        .await;
    app.sql("INSERT INTO signing_keys (kid, secret_key, public_key, created_at) SELECT 'k9', secret_key, public_key, CURRENT_TIMESTAMP FROM signing_keys WHERE kid = 'k1'").await;
    let (status, badge) = b
        .done
        .1
        .get(&format!("/api/v1/certificates/{id}/openbadge"))
        .await;
    assert_eq!(status, StatusCode::OK, "{badge}");
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header: Value = serde_json::from_slice(
        &b64.decode(badge["jwt"].as_str().unwrap().split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["kid"], cert["kid"]);
}

async fn an_erased_revocation_verifies_as_invalid(app: TestApp) {
    let b = finished_batch(&app, "RVK").await;
    let cert = issued_for_done(&b).await;
    let id = cert["id"].as_str().unwrap();
    let code = cert["content"]["verification_code"].as_str().unwrap();
    let (status, body) = b
        .admin
        .post(
            &format!("/api/v1/certificates/{id}/revoke"),
            &json!({ "reason": "nama salah ketik" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, revoked) = app.anonymous().get(&format!("/api/v1/verify/{code}")).await;
    assert_eq!(revoked["status"], "revoked", "{revoked}");
    let record = check_signed_record(&app, &revoked["signed"]).await;
    assert_eq!(record["revoke_reason"], "nama salah ketik");
    assert!(record["revoked_on"].is_string());
    let tamper = |sql: &'static str| {
        let app = app.clone();
        let code = code.to_owned();
        async move {
            app.sql(&format!(
                "UPDATE certificates {sql} WHERE verification_code = '{code}'"
            ))
            .await;
            app.anonymous()
                .get(&format!("/api/v1/verify/{code}"))
                .await
                .1
        }
    };
    let after = tamper("SET revoke_reason = 'permintaan sendiri'").await;
    assert_eq!(after["status"], "invalid", "reason edited: {after}");
    let after = tamper("SET revoke_reason = 'nama salah ketik'").await;
    assert_eq!(after["status"], "revoked", "reason put back: {after}");
    // Each step below builds on the one before; each must show as tampering.
    for (sql, why) in [
        ("SET revoked_at = '2030-01-01 00:00:00+00:00'", "date moved"),
        (
            "SET revoked_at = NULL, revoke_reason = NULL",
            "revocation erased",
        ),
        ("SET standing_signature = NULL", "and its signature"),
        ("SET standing_kid = NULL", "and its key"),
    ] {
        let after = tamper(sql).await;
        assert_eq!(after["status"], "invalid", "{why}: {after}");
        assert!(
            after["signed"].is_null() && after["holder_name"].is_null(),
            "{why}"
        );
    }
}

async fn numbers_stay_gap_free_when_batches_are_issued_at_once(app: TestApp) {
    let admin = app.admin().await;
    let (course, first) = course_and_batch(&admin, "NUM", json!({})).await;
    let second = crate::given::create_batch(&admin, course["id"].as_str().unwrap(), json!({ "name": "Angkatan II 2026", "starts_on": "2026-04-07", "ends_on": "2026-04-09", "sessions": [{ "day": "2026-04-07", "starts_at": "08:00", "ends_at": "16:00" }] })).await;
    for (i, batch) in [&first, &second].iter().enumerate() {
        for n in 0..4 {
            let (id, session) =
                person(&app, &admin, &format!("num{i}-{n}"), "Dinkes", "trainee").await;
            enrol(&admin, batch["id"].as_str().unwrap(), &id).await;
            read_all(&session, &course).await;
            attend(&admin, batch, &id).await;
        }
    }
    let mut calls = Vec::new();
    for _ in 0..3 {
        for batch in [&first, &second] {
            let admin = admin.clone();
            let path = format!(
                "/api/v1/batches/{}/certificates",
                batch["id"].as_str().unwrap()
            );
            calls.push(tokio::spawn(
                async move { admin.post(&path, &json!({})).await },
            ));
        }
    }
    for call in calls {
        let (status, body) = call.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let mut seqs = Vec::new();
    for batch in [&first, &second] {
        let (_, certs) = admin
            .get(&format!(
                "/api/v1/batches/{}/certificates",
                batch["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(
            certs.as_array().unwrap().len(),
            4,
            "one per trainee, however often issued"
        );
        for c in certs.as_array().unwrap() {
            let number = c["content"]["number"].as_str().unwrap();
            seqs.push(number.split('/').next().unwrap().parse::<u32>().unwrap());
        }
    }
    seqs.sort();
    assert_eq!(seqs, (1..=8).collect::<Vec<_>>(), "no gaps, no duplicates");
}

/// JSON with sorted keys and no spaces, as the certificate's signature covers it.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

async fn an_admin_issues_revokes_and_reissues_through_the_pages(app: TestApp) {
    use crate::support::{csrf_token, page, sign_in};
    let b = finished_batch(&app, "HAL").await;
    let client = app.browser_client();
    sign_in(&client, &app, "admin", crate::support::ADMIN_PASSWORD).await;
    let path = format!("/admin/batches/{}/certificates", b.batch_id);
    let (status, html) = page(&client, &app, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Sertifikat kelulusan") && html.contains("Surat keterangan mengikuti"));
    assert!(html.contains("kehadiran"), "the reasons are shown");
    let token = csrf_token(&html);
    let resp = client
        .post(app.url(&format!("{path}/issue")))
        .form(&[("csrf_token", token.as_str()), ("confirm", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&client, &app, &path).await;
    assert!(
        html.contains("001&#x2f;BKD-BIMTEK&#x2f;HAL") || html.contains("001/BKD-BIMTEK/HAL"),
        "{html}"
    );
    let (_, certs) = b
        .admin
        .get(&format!("/api/v1/batches/{}/certificates", b.batch_id))
        .await;
    let id = certs[0]["id"].as_str().unwrap();
    let resp = client
        .post(app.url(&format!("/admin/certificates/{id}/revoke")))
        .form(&[
            ("csrf_token", token.as_str()),
            ("reason", "Salah nama"),
            ("confirm", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .contains("notice=")
    );
    let resp = client
        .post(app.url(&format!("/admin/certificates/{id}/reissue")))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .contains("notice=")
    );
    let (_, certs) = b
        .admin
        .get(&format!("/api/v1/batches/{}/certificates", b.batch_id))
        .await;
    assert_eq!(
        certs.as_array().unwrap().len(),
        3,
        "two issued, one reissued"
    );
    // Trainees are kept out of the admin pages.
    let trainee = app.browser_client();
    sign_in(
        &trainee,
        &app,
        "hal-lulus",
        &crate::support::password_of("hal-lulus"),
    )
    .await;
    let (status, _) = page(&trainee, &app, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, mine) = page(&trainee, &app, "/my/certificates").await;
    assert_eq!(status, StatusCode::OK);
    assert!(mine.contains("Unduh PDF"));
    let (status, jp) = page(&client, &app, "/admin/records/jp").await;
    assert_eq!(status, StatusCode::OK);
    assert!(jp.contains("<svg") && jp.contains("Di bawah"), "{jp}");
}

async fn an_exam_in_the_batch_decides_the_kind(app: TestApp) {
    use crate::given::{sit, small_exam};
    let (admin, exam_id, batch_id) = small_exam(&app, "UJK", false).await;
    let (_, batch) = admin.get(&format!("/api/v1/batches/{batch_id}")).await;
    let (_, course) = admin
        .get(&format!(
            "/api/v1/courses/{}",
            batch["course_id"].as_str().unwrap()
        ))
        .await;
    let mut people = Vec::new();
    for name in ["ujk-kompeten", "ujk-belum"] {
        let (id, session) = person(&app, &admin, name, "Dinkes", "trainee").await;
        enrol(&admin, &batch_id, &id).await;
        read_all(&session, &course).await;
        attend(&admin, &batch, &id).await;
        people.push((id, session));
    }
    let (assessor_id, assessor) = person(&app, &admin, "ujk-asesor", "BKD", "assessor").await;
    admin
        .post(
            &format!("/api/v1/exams/{exam_id}/assessors"),
            &json!({ "assessors": [{ "user_id": assessor_id }] }),
        )
        .await;
    sit(
        &people[0].1,
        &exam_id,
        "DNS memetakan nama ke alamat IP.",
        true,
    )
    .await;
    sit(&people[1].1, &exam_id, "Tidak tahu.", true).await;
    let preview_path = format!("/api/v1/batches/{batch_id}/certificates/preview");
    let (_, preview) = admin.get(&preview_path).await;
    assert_eq!(row(&preview, &people[0].0)["eligible"], false);
    assert!(
        row(&preview, &people[0].0)["reasons"]
            .to_string()
            .contains("belum dirilis")
    );

    let (_, q) = assessor.get("/api/v1/grading/queue").await;
    for item in q["items"].as_array().unwrap() {
        let good = item["response_text"].as_str().unwrap().contains("DNS");
        let id = item["id"].as_str().unwrap();
        let levels = if good { json!([3, 3]) } else { json!([0, 0]) };
        assessor
            .post(
                &format!("/api/v1/grading/{id}"),
                &json!({ "levels": levels, "comment": "Catatan asesor." }),
            )
            .await;
        assessor
            .post(&format!("/api/v1/grading/{id}/finalize"), &json!({}))
            .await;
    }
    let (status, body) = admin
        .post(&format!("/api/v1/exams/{exam_id}/release"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, preview) = admin.get(&preview_path).await;
    assert_eq!(
        row(&preview, &people[0].0)["kind"],
        "kelulusan",
        "{preview}"
    );
    let weak = row(&preview, &people[1].0);
    assert_eq!(weak["kind"], "keterangan");
    assert!(
        weak["reasons"]
            .to_string()
            .contains("belum kompeten pada unit: Mengelola jaringan"),
        "{weak}"
    );
    let (_, issued) = admin
        .post(
            &format!("/api/v1/batches/{batch_id}/certificates"),
            &json!({}),
        )
        .await;
    let strong = issued
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["user_id"] == people[0].0.as_str())
        .unwrap();
    assert_eq!(
        strong["content"]["units"][0]["result"], "Kompeten",
        "per-unit results are on the certificate"
    );
}

async fn course_settings_and_the_public_rate_limit(app: TestApp) {
    let b = finished_batch(&app, "SET").await;
    let (_, batch) = b
        .admin
        .get(&format!("/api/v1/batches/{}", b.batch_id))
        .await;
    let course_id = batch["course_id"].as_str().unwrap();
    let path = format!("/api/v1/courses/{course_id}/certificate-settings");
    let (_, defaults) = b.admin.get(&path).await;
    assert_eq!(defaults["letters"], true);
    let (status, body) = crate::support::read(
        b.admin
            .request(reqwest::Method::PUT, &path)
            .json(
                &json!({ "number_pattern": "{tahun}/SET", "letters": false, "expiry_months": 12 }),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "number_pattern");
    let resp = b
        .admin
        .request(reqwest::Method::PUT, &path)
        .json(
            &json!({ "number_pattern": "{seq}/SET/{year}", "letters": false, "expiry_months": 12 }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let status = b
        .done
        .1
        .request(reqwest::Method::PUT, &path)
        .json(&json!({ "number_pattern": "{seq}/{year}", "letters": true }))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, issued) = b
        .admin
        .post(
            &format!("/api/v1/batches/{}/certificates", b.batch_id),
            &json!({}),
        )
        .await;
    // No letters for this course: only the one who completed.
    assert_eq!(issued.as_array().unwrap().len(), 1, "{issued}");
    let cert = &issued[0];
    let year = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+7))
        .year();
    assert_eq!(cert["content"]["number"], format!("1/SET/{year}"));
    let expires = cert["content"]["expires_on"].as_str().unwrap();
    assert!(expires.starts_with(&(year + 1).to_string()), "{expires}");
    let code = cert["content"]["verification_code"].as_str().unwrap();
    let anonymous = app.anonymous();
    let (_, checked) = anonymous.get(&format!("/api/v1/verify/{code}")).await;
    assert_eq!(checked["status"], "valid");
    assert!(
        checked["expires_on"]
            .as_str()
            .unwrap()
            .ends_with(&(year + 1).to_string())
    );
    // 60 checks a minute per address, then 429 with Retry-After.
    let mut limited = None;
    for _ in 0..70 {
        let resp = anonymous
            .request(reqwest::Method::GET, "/api/v1/verify/AAAA-BBBB-CCCC")
            .send()
            .await
            .unwrap();
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(resp.headers()["retry-after"].to_str().unwrap().to_owned());
            break;
        }
    }
    assert!(limited.is_some(), "the public check is rate-limited");
}

/// The notice a page redirect carries, decoded.
async fn followed_notice(
    client: &reqwest::Client,
    app: &TestApp,
    resp: reqwest::Response,
) -> String {
    let status = resp.status();
    let Some(to) = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
    else {
        panic!("{status}: {}", resp.text().await.unwrap());
    };
    let (status, html) = crate::support::page(client, app, &to).await;
    assert_eq!(status, StatusCode::OK, "{to}: {html}");
    let start = html
        .find("role=\"status\">")
        .or_else(|| html.find("role=\"alert\">"))
        .expect("a notice");
    let rest = &html[start..];
    rest[rest.find('>').unwrap() + 1..rest.find("</div>").unwrap()].to_owned()
}

async fn a_changed_standing_or_a_corrected_name_replaces_the_certificate(app: TestApp) {
    use crate::support::{csrf_token, page, sign_in};
    let b = finished_batch(&app, "GNT").await;
    let client = app.browser_client();
    sign_in(&client, &app, "admin", crate::support::ADMIN_PASSWORD).await;
    let path = format!("/admin/batches/{}/certificates", b.batch_id);
    let (_, html) = page(&client, &app, &path).await;
    let token = csrf_token(&html);
    let issue = || {
        client
            .post(app.url(&format!("{path}/issue")))
            .form(&[("csrf_token", token.as_str()), ("confirm", "on")])
            .send()
    };
    // The notice counts exactly, with names.
    let notice = followed_notice(&client, &app, issue().await.unwrap()).await;
    assert!(notice.starts_with("2 sertifikat terbit"), "{notice}");
    assert!(
        notice.contains("Nama gnt-lulus") && notice.contains("Nama gnt-hadir"),
        "{notice}"
    );
    assert!(
        notice.contains("1 belum memenuhi syarat (Nama gnt-absen: "),
        "{notice}"
    );
    let notice = followed_notice(&client, &app, issue().await.unwrap()).await;
    assert!(
        notice.starts_with("0 sertifikat terbit; 2 sudah terbit sebelumnya"),
        "{notice}"
    );
    let (_, certs) = b
        .admin
        .get(&format!("/api/v1/batches/{}/certificates", b.batch_id))
        .await;
    let of = |certs: &Value, user: &str| {
        certs
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["user_id"] == user && c["revoked_at"].is_null())
            .cloned()
            .unwrap()
    };
    let letter = of(&certs, &b.attended.0);
    assert_eq!(letter["content"]["kind"], "keterangan");
    assert_eq!(
        letter["content"]["jp"], 0,
        "a letter credits no JP by default"
    );
    let full = of(&certs, &b.done.0);
    assert!(full["content"]["jp"].as_i64().unwrap() > 0);
    let (_, html) = page(&client, &app, &path).await;
    let issued_table = html.split("<h2>Terbit</h2>").nth(1).unwrap_or_default();
    assert!(
        issued_table.contains("<td>Surat keterangan mengikuti</td>"),
        "the kind by its label: {issued_table}"
    );
    assert!(!html.contains("<td>keterangan</td>"));

    // The letter holder completes the course: the page says the kind changed.
    let (_, batch) = b
        .admin
        .get(&format!("/api/v1/batches/{}", b.batch_id))
        .await;
    let (_, course) = b
        .admin
        .get(&format!(
            "/api/v1/courses/{}",
            batch["course_id"].as_str().unwrap()
        ))
        .await;
    read_all(&b.attended.1, &course).await;
    let (_, html) = page(&client, &app, &path).await;
    assert!(html.contains("jenis berubah"), "{html}");
    let notice = followed_notice(&client, &app, issue().await.unwrap()).await;
    assert!(
        notice.contains("1 memegang jenis yang kini berbeda"),
        "{notice}"
    );

    // Replacing needs the confirmation; without it nothing changes.
    let letter_id = letter["id"].as_str().unwrap();
    let replace = |id: &str, confirm: bool| {
        let mut form = vec![
            ("csrf_token", token.clone()),
            ("reason", "Modul telah dituntaskan".to_owned()),
        ];
        if confirm {
            form.push(("confirm", "on".to_owned()));
        }
        client
            .post(app.url(&format!("/admin/certificates/{id}/replace")))
            .form(&form)
            .send()
    };
    let notice = followed_notice(&client, &app, replace(letter_id, false).await.unwrap()).await;
    assert!(notice.contains("konfirmasi"), "{notice}");
    let (_, still) = b
        .admin
        .get(&format!("/api/v1/certificates/{letter_id}"))
        .await;
    assert!(still["revoked_at"].is_null());
    let notice = followed_notice(&client, &app, replace(letter_id, true).await.unwrap()).await;
    assert!(notice.contains("Sertifikat Kelulusan"), "{notice}");
    let (_, certs) = b
        .admin
        .get(&format!("/api/v1/batches/{}/certificates", b.batch_id))
        .await;
    let upgraded = of(&certs, &b.attended.0);
    assert_eq!(upgraded["content"]["kind"], "kelulusan");
    assert_eq!(upgraded["replaces_id"], letter["id"]);
    assert_eq!(upgraded["content"]["replaces"], letter["content"]["number"]);
    assert_eq!(
        certs.as_array().unwrap().len(),
        3,
        "one new number, no more"
    );

    // A corrected name: the replacement carries it; the old one is revoked.
    let (status, body) = b
        .admin
        .patch(
            &format!("/api/v1/users/{}", b.done.0),
            &json!({ "name": "Dra. Nama Gnt Lulus, M.Si." }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let full_id = full["id"].as_str().unwrap();
    // Only an administrator replaces: the holder gets 403 on her own.
    let (status, _) = b
        .done
        .1
        .post(
            &format!("/api/v1/certificates/{full_id}/replace"),
            &json!({ "reason": "Nama salah ketik" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, renamed) = b
        .admin
        .post(
            &format!("/api/v1/certificates/{full_id}/replace"),
            &json!({ "reason": "Nama salah ketik" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(
        renamed["content"]["holder_name"],
        "Dra. Nama Gnt Lulus, M.Si."
    );
    let (_, old) = b
        .admin
        .get(&format!("/api/v1/certificates/{full_id}"))
        .await;
    assert_eq!(old["revoke_reason"], "Nama salah ketik");
    // Neither path stacks a second standing document.
    let (status, body) = b
        .admin
        .post(
            &format!("/api/v1/certificates/{full_id}/replace"),
            &json!({ "reason": "Nama salah ketik" }),
        )
        .await;
    assert_error(status, &body, 409, "already_revoked");
    let (status, body) = b
        .admin
        .post(
            &format!("/api/v1/certificates/{full_id}/reissue"),
            &json!({}),
        )
        .await;
    assert_error(status, &body, 409, "already_replaced");
}
