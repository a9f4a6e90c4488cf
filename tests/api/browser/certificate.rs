//! Certificates in a real browser: the trainee finds and downloads their
//! PDF, and a stranger with a phone opens the verification page for a
//! valid, a revoked and an unknown code.

use std::future::Future;
use std::pin::Pin;

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::browser::{page_text, sign_in, text_of};
use crate::given::finished_batch;
use crate::support::TestApp;

type Flow = Pin<Box<dyn Future<Output = ()> + Send>>;

pub fn download_and_verify(client: Client, app: TestApp) -> Flow {
    Box::pin(async move {
        let b = finished_batch(&app, "BRC").await;
        let (_, issued) = b
            .admin
            .post(
                &format!("/api/v1/batches/{}/certificates", b.batch_id),
                &json!({}),
            )
            .await;
        let mine = issued
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["user_id"] == b.done.0.as_str())
            .unwrap()
            .clone();
        let other = issued
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["user_id"] == b.attended.0.as_str())
            .unwrap()
            .clone();

        // The trainee, on a phone: home shows the JP, the certificate page the PDF.
        client.set_window_size(360, 740).await.unwrap();
        sign_in(
            &client,
            &app,
            "brc-lulus",
            &crate::support::password_of("brc-lulus"),
        )
        .await;
        assert_eq!(text_of(&client, "#jp-this-year").await, "4 JP");
        client.goto(&app.url("/my/certificates")).await.unwrap();
        let list = page_text(&client).await;
        assert!(
            list.contains(mine["content"]["number"].as_str().unwrap()),
            "{list}"
        );
        let link = client
            .find(Locator::LinkText("Unduh PDF"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        // Fetched the way the browser downloads it: with the session cookie.
        let fetched = client
            .execute_async(
                "const [url, done] = arguments; fetch(url).then(async r => { const b = new Uint8Array(await r.arrayBuffer()); done([r.status, r.headers.get('content-type'), String.fromCharCode(...b.slice(0, 5)), b.length]); });",
                vec![json!(link)],
            )
            .await
            .unwrap();
        assert_eq!(fetched[0], 200, "{fetched}");
        assert_eq!(fetched[1], "application/pdf");
        assert_eq!(fetched[2], "%PDF-");
        assert!(fetched[3].as_u64().unwrap() > 1000);
        crate::browser::fits_the_screen(&client, "the page").await;

        // A stranger scans the QR: the URL is the verification page.
        client.delete_all_cookies().await.unwrap();
        client
            .goto(
                mine["verify_url"]
                    .as_str()
                    .unwrap()
                    .replace("http://127.0.0.1:8080", &app.url(""))
                    .as_str(),
            )
            .await
            .unwrap();
        assert_eq!(text_of(&client, "#verdict").await, "SAH");
        let shown = page_text(&client).await;
        assert!(
            shown.contains("Nama brc-lulus")
                && shown.contains(mine["content"]["number"].as_str().unwrap())
        );
        crate::browser::fits_the_screen(&client, "the page").await;

        // Revoked by the admin: the same page says so, with the reason.
        b.admin
            .post(
                &format!(
                    "/api/v1/certificates/{}/revoke",
                    other["id"].as_str().unwrap()
                ),
                &json!({ "reason": "Diterbitkan untuk angkatan yang salah" }),
            )
            .await;
        let code = other["content"]["verification_code"].as_str().unwrap();
        client
            .goto(&app.url(&format!("/verify/{code}")))
            .await
            .unwrap();
        assert_eq!(text_of(&client, "#verdict").await, "DICABUT");
        assert!(
            page_text(&client)
                .await
                .contains("Diterbitkan untuk angkatan yang salah")
        );

        // An unknown code, typed into the form.
        client.goto(&app.url("/verify")).await.unwrap();
        let input = client.find(Locator::Css("input[name=code]")).await.unwrap();
        input.send_keys("zzzz-zzzz-zzzz").await.unwrap();
        crate::browser::submit(&client, "form[action='/verify'] button").await;
        assert_eq!(text_of(&client, "#verdict").await, "TIDAK DIKENAL");
    })
}
