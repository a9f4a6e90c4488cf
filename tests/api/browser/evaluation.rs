//! The participants' evaluation on a phone: the trainee finds the form,
//! is told which statement is missing, and sends it.

use std::future::Future;
use std::pin::Pin;

use fantoccini::Client;

use crate::browser::{click, fill, fits_the_screen, page_text, sign_in, submit, wait_for_path};
use crate::given::evaluated_batch;
use crate::support::{TestApp, password_of};

type Flow = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A trainee fills the evaluation on a 360 px phone: finds it on "Bimtek
/// saya", misses one statement and is told which, then sends it.
pub fn on_a_phone(client: Client, app: TestApp) -> Flow {
    Box::pin(async move {
        let admin = app.admin().await;
        let (batch_id, _, _) = evaluated_batch(&app, &admin, "EVP", 1).await;
        client.set_window_size(360, 740).await.unwrap();
        sign_in(&client, &app, "evp_0", &password_of("evp_0")).await;
        client.goto(&app.url("/my/batches")).await.unwrap();
        submit(
            &client,
            &format!("a[href='/my/batches/{batch_id}/evaluasi']"),
        )
        .await;
        let text = page_text(&client).await;
        assert!(
            text.contains("tanpa nama") && text.contains("Narasumber: Ir. Sri Wahyuni"),
            "{text}"
        );
        fits_the_screen(&client, "the evaluation form").await;
        // Everything but the last statement about Ir. Sri; the browser's
        // own check is skipped to see the server's answer.
        client
            .execute(
                "document.getElementById('evaluasi').noValidate = true;",
                vec![],
            )
            .await
            .unwrap();
        for i in 0..5 {
            click(&client, &format!("input[name='org_{i}'][value='4']")).await;
        }
        for i in 0..4 {
            click(&client, &format!("input[name='spk_0_{i}'][value='3']")).await;
        }
        for i in 0..3 {
            click(&client, &format!("input[name='spk_1_{i}'][value='2']")).await;
        }
        fill(&client, "#comment", "Materi bermanfaat, ruang agak sempit.").await;
        submit(&client, "#evaluasi button[type=submit]").await;
        let text = page_text(&client).await;
        assert!(
            text.contains("Narasumber ke-2 › Pernyataan ke-4")
                && text.contains("\"Interaksi dengan peserta\" (Ir. Sri Wahyuni)"),
            "the missing one is named: {text}"
        );
        assert!(
            client
                .find(fantoccini::Locator::Css("input[name='org_0'][value='4']"))
                .await
                .unwrap()
                .prop("checked")
                .await
                .unwrap()
                .as_deref()
                == Some("true"),
            "what was chosen stays chosen"
        );
        fits_the_screen(&client, "the form with its error").await;
        for i in 0..4 {
            click(&client, &format!("input[name='spk_1_{i}'][value='2']")).await;
        }
        submit(&client, "#evaluasi button[type=submit]").await;
        wait_for_path(&client, "/my/batches").await;
        assert!(page_text(&client).await.contains("evaluasi Anda tersimpan"));
        client
            .goto(&app.url(&format!("/my/batches/{batch_id}/evaluasi")))
            .await
            .unwrap();
        assert!(page_text(&client).await.contains("sudah mengisi"));
        fits_the_screen(&client, "the answered form").await;
    })
}
