//! Messages to trainees through a real SMTP server the tests start:
//! invitations with their calendar for a whole imported list, a restart
//! in the middle of the queue, changes and the cancellation with a newer
//! calendar revision, retries after refusals, the texts an administrator
//! edits, and the batch's log and download when there is no SMTP.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cases;
use crate::given::create_batch;
use crate::smtp_sink::{Received, SmtpSink};
use crate::support::{ADMIN_PASSWORD, Session, TestApp, TestDatabase, assert_error, page, sign_in};

cases![
    forty_four_invitations_once_each_across_a_restart_then_a_change_and_a_cancellation,
    a_refused_message_is_tried_again_until_it_goes,
    a_withdrawn_trainee_is_told_and_their_calendar_cleared,
    an_administrator_rewrites_the_invitation_on_the_page,
    without_smtp_the_messages_wait_and_download_for_sending_by_hand,
    only_administrators_read_a_batchs_messages,
];

/// A server on `db` that mails through `sink`, retrying after a second.
async fn mailing(app: &TestApp, db: &TestDatabase, sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    TestApp::spawn_with(&app.backend, db, |c| {
        c.smtp_url = url;
        c.smtp_from = "BKD Kota Magelang <bimtek@bkd.magelangkota.go.id>".into();
        c.mail_retry_seconds = 1;
    })
    .await
}

/// `YYYY-MM-DD`, `days` from today.
fn day(days: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(days))
        .date()
        .to_string()
}

/// A published course and a batch of it six weeks ahead, with two sessions.
async fn future_batch(admin: &Session, code: &str) -> Value {
    let (course, _) = crate::given::course_and_batch(admin, code, json!({})).await;
    let course_id = course["id"].as_str().unwrap();
    create_batch(
        admin,
        course_id,
        json!({
            "name": "Angkatan II", "starts_on": day(42), "ends_on": day(43),
            "bring": "laptop dan alat tulis",
            "sessions": [
                { "day": day(42), "starts_at": "08:00", "ends_at": "12:00", "topic": "Tata kelola TIK", "instructor": "Dr. Bambang Sutopo" },
                { "day": day(43), "starts_at": "08:00", "ends_at": "15:00" },
            ],
        }),
    )
    .await
}

/// Imports `n` new trainees with e-mail addresses into the batch.
async fn import_trainees(admin: &Session, batch_id: &str, n: u32) {
    let mut csv = "nip,nama,email\n".to_owned();
    for i in 0..n {
        csv.push_str(&format!(
            "{},Peserta Undangan {i},peserta{i}@magelangkota.go.id\n",
            crate::given::nip(500 + i)
        ));
    }
    let (status, summary) = admin
        .upload(
            &format!("/api/v1/batches/{batch_id}/enrolments/import?create_missing=true"),
            "peserta.csv",
            csv.into_bytes(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["enrolled"], n, "{summary}");
}

/// A delivered message taken apart: subject, text, and the calendar.
struct Mail {
    subject: String,
    message_id: String,
    text: String,
    calendar: Option<String>,
}

fn open(mail: &Received) -> Mail {
    let parsed = mailparse::parse_mail(mail.data.as_bytes()).expect("a MIME message");
    let header = |name: &str| {
        parsed
            .headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case(name))
            .map(|h| h.get_value())
            .unwrap_or_default()
    };
    let mut text = String::new();
    let mut calendar = None;
    let parts: Vec<&mailparse::ParsedMail> = if parsed.subparts.is_empty() {
        vec![&parsed]
    } else {
        parsed.subparts.iter().collect()
    };
    for part in parts {
        let body = part.get_body().expect("a decodable part");
        if part.ctype.mimetype == "text/calendar" {
            assert_eq!(
                part.ctype.params.get("method").map(String::as_str),
                Some("PUBLISH")
            );
            let disposition = part.get_content_disposition();
            assert_eq!(
                disposition.params.get("filename").map(String::as_str),
                Some("undangan.ics")
            );
            calendar = Some(body);
        } else {
            text.push_str(&body.replace("\r\n", "\n"));
        }
    }
    Mail {
        subject: header("Subject"),
        message_id: header("Message-ID"),
        text,
        calendar,
    }
}

/// The events of an iCalendar text, each as its unfolded properties;
/// fails unless components nest and every event has what a calendar
/// program needs to replace it later.
fn events(text: &str) -> Vec<Vec<(String, String)>> {
    let mut unfolded: Vec<String> = Vec::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        match line.strip_prefix(' ') {
            Some(rest) => unfolded.last_mut().expect("a first line").push_str(rest),
            None => unfolded.push(line.to_owned()),
        }
    }
    assert_eq!(
        unfolded.first().map(String::as_str),
        Some("BEGIN:VCALENDAR")
    );
    assert!(unfolded.iter().any(|l| l == "METHOD:PUBLISH"), "{text}");
    let mut stack = Vec::new();
    let mut events = Vec::new();
    for line in &unfolded {
        let (head, value) = line.split_once(':').expect("name:value");
        let name = head.split(';').next().unwrap_or_default();
        match name {
            "BEGIN" => {
                if value == "VEVENT" {
                    events.push(Vec::new());
                }
                stack.push(value.to_owned());
            }
            "END" => assert_eq!(stack.pop().as_deref(), Some(value), "{text}"),
            _ if stack.last().map(String::as_str) == Some("VEVENT") => {
                events
                    .last_mut()
                    .unwrap()
                    .push((name.to_owned(), value.to_owned()));
            }
            _ => {}
        }
    }
    assert!(stack.is_empty(), "{text}");
    for event in &events {
        for needed in ["UID", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY"] {
            assert!(
                event.iter().any(|(n, _)| n == needed),
                "{needed} missing in {text}"
            );
        }
    }
    events
}

fn property<'a>(event: &'a [(String, String)], name: &str) -> Option<&'a str> {
    event
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

async fn log(admin: &Session, batch_id: &str) -> Vec<Value> {
    let (status, log) = admin
        .get(&format!("/api/v1/batches/{batch_id}/messages"))
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    log.as_array().unwrap().clone()
}

/// The log once every message of `kind` has left the queue (the server
/// records a delivery just after the SMTP server accepted it).
async fn log_when_settled(admin: &Session, batch_id: &str, kind: &str) -> Vec<Value> {
    for _ in 0..100 {
        let messages = log(admin, batch_id).await;
        if of_kind(&messages, kind)
            .iter()
            .all(|m| m["status"] != "pending")
        {
            return messages;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{kind} messages still pending after 10 s");
}

fn of_kind<'a>(log: &'a [Value], kind: &str) -> Vec<&'a Value> {
    log.iter().filter(|m| m["kind"] == kind).collect()
}

async fn forty_four_invitations_once_each_across_a_restart_then_a_change_and_a_cancellation(
    app: TestApp,
) {
    let sink = SmtpSink::start().await;
    sink.slow(Duration::from_millis(150));
    let db = TestDatabase::create(&app.backend).await;
    let first = mailing(&app, &db, &sink).await;
    let admin = first.admin().await;
    let batch = future_batch(&admin, "UND").await;
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    import_trainees(&admin, &batch_id, 44).await;

    // Stop the service while the queue is being worked through.
    sink.wait_for(5).await;
    first.stop().await;
    let before_restart = sink.count();
    assert!(
        before_restart < 44,
        "the restart came mid-queue ({before_restart} sent)"
    );
    let second = mailing(&app, &db, &sink).await;
    let admin = second.session_on(&admin);
    sink.slow(Duration::ZERO);
    sink.wait_for(44).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mails = sink.wait_for(44).await;
    assert_eq!(mails.len(), 44, "none sent twice");
    let messages = log_when_settled(&admin, &batch_id, "invitation").await;
    let recipients: HashSet<String> = mails.iter().flat_map(|m| m.rcpt_to.clone()).collect();
    assert_eq!(recipients.len(), 44);
    let opened: Vec<Mail> = mails.iter().map(open).collect();
    let ids: HashSet<&str> = opened.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), 44);
    for mail in &opened {
        assert!(mail.subject.starts_with("Undangan "), "{}", mail.subject);
        assert!(mail.text.contains("Yth. Peserta Undangan"), "{}", mail.text);
        assert!(mail.text.contains("Angkatan II"));
        assert!(
            mail.text
                .contains("\n\nYang perlu dibawa: laptop dan alat tulis\n\n"),
            "{}",
            mail.text
        );
        assert!(
            mail.text
                .contains("08.00–12.00 WIB: Tata kelola TIK (narasumber: Dr. Bambang Sutopo)"),
            "{}",
            mail.text
        );
        assert!(mail.text.contains("/my/batches"));
        let events = events(mail.calendar.as_deref().expect("an .ics attached"));
        assert_eq!(events.len(), 2);
        assert!(events.iter().all(|e| property(e, "SEQUENCE") == Some("0")));
        assert!(events.iter().all(|e| property(e, "STATUS").is_none()));
    }
    let invitations = of_kind(&messages, "invitation");
    assert_eq!(invitations.len(), 44);
    assert!(
        invitations
            .iter()
            .all(|m| m["status"] == "sent" && m["sent_at"].is_string()),
        "{invitations:?}"
    );
    let reminders = of_kind(&messages, "reminder");
    assert_eq!(
        reminders.len(),
        44,
        "one reminder each, for the morning before"
    );
    assert!(reminders.iter().all(|m| m["status"] == "pending"));
    // 07.00 WIB the day before, stored in UTC (SQLite compares moments as text).
    let eve = format!("{}T00:00:00Z", day(41));
    assert!(
        reminders
            .iter()
            .all(|m| m["next_attempt_at"] == eve.as_str()),
        "{:?}",
        reminders[0]
    );

    // A new venue: one change each, with the calendar's next revision; the
    // reminders are replaced, not doubled.
    let (status, body) = admin
        .patch(
            &format!("/api/v1/batches/{batch_id}"),
            &json!({ "venue": "Gedung Wiworo Wiji Pinilih" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["calendar_sequence"], 1);
    let mails = sink.wait_for(88).await;
    for mail in mails[44..].iter().map(open) {
        assert!(
            mail.subject.starts_with("Perubahan jadwal"),
            "{}",
            mail.subject
        );
        assert!(mail.text.contains("Gedung Wiworo Wiji Pinilih"));
        let events = events(mail.calendar.as_deref().expect("an .ics attached"));
        assert!(events.iter().all(|e| property(e, "SEQUENCE") == Some("1")));
    }
    let messages = log(&admin, &batch_id).await;
    assert_eq!(of_kind(&messages, "reminder").len(), 44);
    // Changing what trainees bring alone moves nothing in their calendars.
    let (status, body) = admin
        .patch(
            &format!("/api/v1/batches/{batch_id}"),
            &json!({ "bring": "laptop" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["calendar_sequence"], 1);

    // A session removed: the change cancels its event in every calendar.
    let removed = batch["sessions"][1]["id"].as_str().unwrap();
    let resp = admin
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/batches/{batch_id}/sessions/{removed}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let mails = sink.wait_for(132).await;
    for mail in mails[88..].iter().map(open) {
        let events = events(mail.calendar.as_deref().expect("an .ics attached"));
        assert_eq!(events.len(), 2, "the session kept and the one removed");
        assert!(events.iter().all(|e| property(e, "SEQUENCE") == Some("2")));
        let gone = events
            .iter()
            .find(|e| property(e, "UID") == Some(format!("{removed}@bimtek").as_str()))
            .expect("the removed session's event");
        assert_eq!(property(gone, "STATUS"), Some("CANCELLED"));
    }

    // The cancellation: the reason, the events cancelled, reminders gone.
    let (status, body) = admin
        .post(
            &format!("/api/v1/batches/{batch_id}/cancel"),
            &json!({ "reason": "Narasumber berhalangan hadir" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mails = sink.wait_for(176).await;
    for mail in mails[132..].iter().map(open) {
        assert!(mail.subject.starts_with("Pembatalan"), "{}", mail.subject);
        assert!(
            mail.text.contains("Alasan: Narasumber berhalangan hadir"),
            "{}",
            mail.text
        );
        let events = events(mail.calendar.as_deref().expect("an .ics attached"));
        assert!(
            events.iter().all(|e| property(e, "SEQUENCE") == Some("3")
                && property(e, "STATUS") == Some("CANCELLED"))
        );
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(sink.count(), 176, "nothing more went out");
    let messages = log(&admin, &batch_id).await;
    assert!(
        of_kind(&messages, "reminder").is_empty(),
        "no reminder for a cancelled batch"
    );
    second.stop().await;
    db.drop_database().await;
}

async fn a_refused_message_is_tried_again_until_it_goes(app: TestApp) {
    let sink = SmtpSink::start().await;
    sink.refuse_next(2);
    let db = TestDatabase::create(&app.backend).await;
    let mail_app = mailing(&app, &db, &sink).await;
    let admin = mail_app.admin().await;
    let batch = future_batch(&admin, "ULG").await;
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    import_trainees(&admin, &batch_id, 1).await;
    let mails = sink.wait_for(1).await;
    assert!(open(&mails[0]).subject.starts_with("Undangan"));
    let messages = log_when_settled(&admin, &batch_id, "invitation").await;
    let invitation = of_kind(&messages, "invitation")[0];
    assert_eq!(invitation["status"], "sent", "{invitation}");
    assert_eq!(invitation["attempts"], 3, "two refusals, then delivered");
    // The page says how many tries it took.
    let client = mail_app.browser_client();
    sign_in(&client, &mail_app, "admin", ADMIN_PASSWORD).await;
    let (status, html) = page(
        &client,
        &mail_app,
        &format!("/admin/batches/{batch_id}/surel"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Terkirim") && html.contains("3 kali dicoba"),
        "{html}"
    );
    mail_app.stop().await;
    db.drop_database().await;
}

async fn a_withdrawn_trainee_is_told_and_their_calendar_cleared(app: TestApp) {
    let sink = SmtpSink::start().await;
    let db = TestDatabase::create(&app.backend).await;
    let mail_app = mailing(&app, &db, &sink).await;
    let admin = mail_app.admin().await;
    let batch = future_batch(&admin, "MUN").await;
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    import_trainees(&admin, &batch_id, 1).await;
    sink.wait_for(1).await;
    log_when_settled(&admin, &batch_id, "invitation").await;
    let (_, detail) = admin.get(&format!("/api/v1/batches/{batch_id}")).await;
    let user_id = detail["enrolments"][0]["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = admin
        .request(
            reqwest::Method::DELETE,
            &format!(
                "/api/v1/batches/{batch_id}/enrolments/{user_id}?reason=Tugas%20dinas%20luar%20kota"
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let mails = sink.wait_for(2).await;
    let told = open(&mails[1]);
    assert!(
        told.subject.starts_with("Pendaftaran ") && told.subject.ends_with("dibatalkan"),
        "{}",
        told.subject
    );
    assert!(
        told.text.contains("Alasan: Tugas dinas luar kota"),
        "{}",
        told.text
    );
    let events = events(told.calendar.as_deref().expect("an .ics attached"));
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(
        |e| property(e, "STATUS") == Some("CANCELLED") && property(e, "SEQUENCE") == Some("1")
    ));
    let messages = log_when_settled(&admin, &batch_id, "withdrawal").await;
    assert!(
        of_kind(&messages, "reminder").is_empty(),
        "the reminder is dropped"
    );
    assert_eq!(of_kind(&messages, "withdrawal")[0]["status"], "sent");
    mail_app.stop().await;
    db.drop_database().await;
}

async fn an_administrator_rewrites_the_invitation_on_the_page(app: TestApp) {
    let admin = app.admin().await;
    let client = app.browser_client();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    let (status, html) = page(&client, &app, "/admin/templat-surel").await;
    assert_eq!(status, StatusCode::OK);
    for label in [
        "Undangan",
        "Perubahan jadwal",
        "Pembatalan",
        "Pengunduran diri",
        "Pengingat H-1",
        "Hasil uji kompetensi",
        "Sertifikat terbit",
    ] {
        assert!(html.contains(label), "{label}");
    }
    let edit = "/admin/templat-surel/undangan";
    let (status, html) = page(&client, &app, edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("{{ nama }}") && html.contains("nama peserta"),
        "the variables are listed"
    );

    // A typo is refused with its line; nothing is saved.
    let post = |fields: Vec<(&'static str, String)>| {
        let client = client.clone();
        let app = app.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            crate::support::post_form(&client, &app, edit, edit, &fields).await
        }
    };
    let (status, html, _) = post(vec![
        ("subject", "Panggilan {{ kursus }}".into()),
        (
            "body",
            "Yth. {{ nama }},\n\nHadirlah pada {{ tangal }}.\n".into(),
        ),
        ("action", "save".into()),
    ])
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("baris 3") && html.contains("variabel tidak dikenal"),
        "{html}"
    );
    assert!(
        html.contains("<strong>Isi</strong>"),
        "the field is named: {html}"
    );
    // The preview fills in sample facts.
    let body = "Yth. {{ nama }},\n\nPanggilan mengikuti {{ kursus }} pada {{ tanggal }} di {{ tempat }}.\n{{ jadwal }}\n";
    let (status, html, _) = post(vec![
        ("subject", "Panggilan {{ kursus }}".into()),
        ("body", body.into()),
        ("action", "preview".into()),
    ])
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Panggilan mengikuti Bimtek Calon Pranata Komputer"),
        "{html}"
    );
    let (status, _, location) = post(vec![
        ("subject", "Panggilan {{ kursus }}".into()),
        ("body", body.into()),
        ("action", "save".into()),
    ])
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().contains("disimpan"));

    // The next invitation uses it.
    let batch = future_batch(&admin, "TPL").await;
    let batch_id = batch["id"].as_str().unwrap();
    import_trainees(&admin, batch_id, 1).await;
    let invitation = of_kind(&log(&admin, batch_id).await, "invitation")[0].clone();
    assert!(
        invitation["subject"]
            .as_str()
            .unwrap()
            .starts_with("Panggilan "),
        "{invitation}"
    );
    assert!(
        invitation["body"]
            .as_str()
            .unwrap()
            .contains("Panggilan mengikuti"),
        "{invitation}"
    );

    // Back to the shipped text, only with the confirmation ticked.
    let reset = "/admin/templat-surel/undangan/bawaan";
    let (_, _, location) = crate::support::post_form(&client, &app, edit, reset, &[]).await;
    assert!(
        location.unwrap().contains("error="),
        "unconfirmed, nothing happens"
    );
    let (_, html) = page(&client, &app, edit).await;
    assert!(html.contains("Panggilan mengikuti"));
    let (_, _, location) =
        crate::support::post_form(&client, &app, edit, reset, &[("confirm", "on")]).await;
    assert!(location.unwrap().contains("notice="));
    let (_, html) = page(&client, &app, edit).await;
    assert!(!html.contains("Panggilan mengikuti") && html.contains("Jadwal ini terlampir"));
}

async fn without_smtp_the_messages_wait_and_download_for_sending_by_hand(app: TestApp) {
    let admin = app.admin().await;
    // A draft invites no one until it opens.
    let draft = future_batch(&admin, "DRF").await;
    let draft_id = draft["id"].as_str().unwrap().to_owned();
    let (status, body) = admin
        .patch(
            &format!("/api/v1/batches/{draft_id}"),
            &json!({ "status": "draft" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    import_trainees(&admin, &draft_id, 2).await;
    assert!(
        log(&admin, &draft_id).await.is_empty(),
        "no invitation for a draft"
    );
    let (status, body) = admin
        .patch(
            &format!("/api/v1/batches/{draft_id}"),
            &json!({ "status": "open" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let opened = log(&admin, &draft_id).await;
    assert_eq!(of_kind(&opened, "invitation").len(), 2, "{opened:?}");
    assert!(of_kind(&opened, "schedule_change").is_empty());
    let batch = future_batch(&admin, "WAP").await;
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    // One trainee with an address, one without.
    let (with_mail, _) = app.user_with_roles("ani_wap", &["trainee"]).await;
    admin
        .patch(
            &format!("/api/v1/users/{}", with_mail["id"].as_str().unwrap()),
            &json!({ "email": "ani@magelangkota.go.id" }),
        )
        .await;
    let (without_mail, _) = app.user_with_roles("budi_wap", &["trainee"]).await;
    for user in [&with_mail, &without_mail] {
        let (status, body) = admin
            .post(
                &format!("/api/v1/batches/{batch_id}/enrolments"),
                &json!({ "user_id": user["id"] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // A subject an administrator started with "=" must not become a formula.
    let client = app.browser_client();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    let edit = "/admin/templat-surel/perubahan";
    let (status, _, _) = crate::support::post_form(
        &client,
        &app,
        edit,
        edit,
        &[
            ("subject", "=Jadwal baru {{ kursus }}"),
            ("body", "Yth. {{ nama }}, jadwal baru: {{ tanggal }}."),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = admin
        .patch(
            &format!("/api/v1/batches/{batch_id}"),
            &json!({ "ends_on": day(44) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let messages = log(&admin, &batch_id).await;
    let statuses: HashSet<&str> = messages
        .iter()
        .map(|m| m["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains("pending") && statuses.contains("no_address"),
        "{statuses:?}"
    );
    assert!(!statuses.contains("sent"));

    let (status, html) = page(&client, &app, &format!("/admin/batches/{batch_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Server SMTP belum diatur"),
        "the batch page says so"
    );
    let (status, html) = page(&client, &app, &format!("/admin/batches/{batch_id}/surel")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Menunggu")
            && html.contains("Tanpa alamat surel")
            && html.contains("Perubahan jadwal"),
        "{html}"
    );
    assert!(
        !html.contains("no_address") && !html.contains("schedule_change"),
        "no raw keys"
    );

    let resp = client
        .get(app.url(&format!("/admin/batches/{batch_id}/surel.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = resp.text().await.unwrap();
    assert!(
        csv.contains("Nama,Alamat surel,Jenis,Subjek,Pesan,Status"),
        "{csv}"
    );
    assert!(csv.contains("ani@magelangkota.go.id") && csv.contains("Tanpa alamat surel"));
    assert!(
        csv.contains("Yth. "),
        "the whole text is there to send by hand"
    );
    assert!(csv.contains("'=Jadwal baru"), "formula-safe: {csv}");
    assert!(!csv.contains(",=Jadwal"), "{csv}");
    // The same through the API, as CSV.
    let resp = admin
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/batches/{batch_id}/messages?format=csv"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("'=Jadwal baru"));
}

async fn only_administrators_read_a_batchs_messages(app: TestApp) {
    let admin = app.admin().await;
    let batch = future_batch(&admin, "AKS").await;
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    let (trainee, trainee_session) = app.user_with_roles("peserta_aks", &["trainee"]).await;
    let (status, body) = admin
        .post(
            &format!("/api/v1/batches/{batch_id}/enrolments"),
            &json!({ "user_id": trainee["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, assessor) = app.user_with_roles("asesor_aks", &["assessor"]).await;
    let path = format!("/api/v1/batches/{batch_id}/messages");
    assert_eq!(admin.get(&path).await.0, StatusCode::OK);
    // The trainee's own batch holds other people's messages.
    let (status, body) = trainee_session.get(&path).await;
    assert_error(status, &body, 403, "forbidden");
    let (status, body) = assessor.get(&path).await;
    assert_error(status, &body, 403, "forbidden");
    let (status, _) = app.anonymous().get(&path).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = admin
        .get(&format!("/api/v1/batches/{}/messages", uuid::Uuid::nil()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The pages refuse them too.
    let client = app.browser_client();
    sign_in(
        &client,
        &app,
        "peserta_aks",
        &crate::support::password_of("peserta_aks"),
    )
    .await;
    for path in [
        format!("/admin/batches/{batch_id}/surel"),
        format!("/admin/batches/{batch_id}/surel.csv"),
        "/admin/templat-surel".to_owned(),
        "/admin/templat-surel/undangan".to_owned(),
    ] {
        let (status, _) = page(&client, &app, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    // 403 before anything else: an unknown text, an unticked confirmation.
    let (status, _) = page(&client, &app, "/admin/templat-surel/tidak-ada").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for action in [
        "/admin/templat-surel/undangan/bawaan",
        "/admin/templat-surel/tidak-ada/bawaan",
    ] {
        let (status, _, _) = crate::support::post_form(&client, &app, "/", action, &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{action}");
    }
}
