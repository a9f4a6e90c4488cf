//! Outgoing e-mail through the SMTP server named by `BIMTEK_SMTP_URL`.
//! Without one the service sends nothing and the pages say whom to ask.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::{AppError, AppResult};

/// A message waits this long for the SMTP server before it is given up.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// One plain-text message to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    /// `<id@host>`: the same message sent twice is recognisably the same.
    pub message_id: Option<String>,
    /// An iCalendar text attached as `undangan.ics`.
    pub calendar: Option<String>,
}

impl Mailer {
    /// The mailer for `url` (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://host`), or none when `url` is empty. A malformed URL or
    /// sender stops the start, naming the setting.
    pub fn from_settings(url: &str, from: &str) -> AppResult<Option<Mailer>> {
        if url.trim().is_empty() {
            return Ok(None);
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.trim())
            .map_err(|err| AppError::internal(format!("BIMTEK_SMTP_URL: {err}")))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|err| AppError::internal(format!("BIMTEK_SMTP_FROM {from:?}: {err}")))?;
        Ok(Some(Mailer { transport, from }))
    }

    /// Hands `letter` to the SMTP server; the error says why it refused.
    pub async fn send(&self, letter: Letter) -> Result<(), String> {
        let to = Mailbox::new(
            Some(letter.to_name),
            letter
                .to_address
                .parse()
                .map_err(|err| format!("alamat {}: {err}", letter.to_address))?,
        );
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(letter.subject)
            .message_id(letter.message_id);
        let message = match letter.calendar {
            None => builder.header(ContentType::TEXT_PLAIN).body(letter.body),
            Some(calendar) => {
                let calendar_type =
                    ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                        .map_err(|err| err.to_string())?;
                builder.multipart(
                    MultiPart::mixed()
                        .singlepart(SinglePart::plain(letter.body))
                        .singlepart(
                            Attachment::new("undangan.ics".to_owned())
                                .body(calendar, calendar_type),
                        ),
                )
            }
        }
        .map_err(|err| err.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|err| err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_url_means_no_mail() {
        assert!(Mailer::from_settings("", "x@y.id").unwrap().is_none());
        assert!(Mailer::from_settings("  ", "x@y.id").unwrap().is_none());
    }

    #[tokio::test]
    async fn bad_settings_name_the_setting() {
        let url = Mailer::from_settings("ftp://mail.example", "Bimtek <a@b.id>")
            .err()
            .unwrap();
        assert!(url.to_string().contains("BIMTEK_SMTP_URL"), "{url}");
        let from = Mailer::from_settings("smtp://127.0.0.1:2525", "bukan alamat")
            .err()
            .unwrap();
        assert!(from.to_string().contains("BIMTEK_SMTP_FROM"), "{from}");
        assert!(
            Mailer::from_settings("smtp://127.0.0.1:2525", "BKD <bimtek@bkd.example.go.id>")
                .unwrap()
                .is_some()
        );
    }
}
