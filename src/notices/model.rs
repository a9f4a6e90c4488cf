//! What a message is and the rules of sending it: its kind, its state in
//! the outbox, how long to wait after a failure, and when the reminder of
//! a batch goes out. No I/O.

use serde::Serialize;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use crate::clock::WIB;
use crate::string_enum::string_enum;

string_enum!(
    #[derive(PartialOrd, Ord)]
    MessageKind {
        /// The undangan, sent when a trainee gets a seat.
        Invitation = "invitation",
        /// The schedule, venue or link of a batch changed.
        ScheduleChange = "schedule_change",
        /// The batch was cancelled.
        Cancellation = "cancellation",
        /// The trainee left the batch (or was withdrawn).
        Withdrawal = "withdrawal",
        /// The day before the first session.
        Reminder = "reminder",
        /// Exam results were released.
        ExamResult = "exam_result",
        /// A certificate was issued.
        Certificate = "certificate",
    }
);

impl MessageKind {
    pub const ALL: [MessageKind; 7] = [
        MessageKind::Invitation,
        MessageKind::ScheduleChange,
        MessageKind::Cancellation,
        MessageKind::Withdrawal,
        MessageKind::Reminder,
        MessageKind::ExamResult,
        MessageKind::Certificate,
    ];

    pub fn label(self) -> &'static str {
        match self {
            MessageKind::Invitation => "Undangan",
            MessageKind::ScheduleChange => "Perubahan jadwal",
            MessageKind::Cancellation => "Pembatalan",
            MessageKind::Withdrawal => "Pengunduran diri",
            MessageKind::Reminder => "Pengingat H-1",
            MessageKind::ExamResult => "Hasil uji kompetensi",
            MessageKind::Certificate => "Sertifikat terbit",
        }
    }

    /// The name in page addresses (`/admin/templat-surel/undangan`).
    pub fn slug(self) -> &'static str {
        match self {
            MessageKind::Invitation => "undangan",
            MessageKind::ScheduleChange => "perubahan",
            MessageKind::Cancellation => "pembatalan",
            MessageKind::Withdrawal => "pengunduran-diri",
            MessageKind::Reminder => "pengingat",
            MessageKind::ExamResult => "hasil-ujian",
            MessageKind::Certificate => "sertifikat",
        }
    }

    pub fn from_slug(slug: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// Messages about a batch's schedule: a newer one replaces any of
    /// them still waiting for the same person.
    pub fn is_about_schedule(self) -> bool {
        matches!(
            self,
            MessageKind::Invitation
                | MessageKind::ScheduleChange
                | MessageKind::Reminder
                | MessageKind::Withdrawal
        )
    }
}

string_enum!(
    MessageStatus {
        /// Waiting for its turn (or for SMTP to be set up).
        Pending = "pending",
        Sent = "sent",
        /// The SMTP server kept refusing it; given up after `MAX_ATTEMPTS`.
        Failed = "failed",
        /// The person has no e-mail address: only the download carries it.
        NoAddress = "no_address",
        /// Its moment passed before it could be sent (a reminder after the
        /// first session began).
        Expired = "expired",
    }
);

impl MessageStatus {
    pub fn label(self) -> &'static str {
        match self {
            MessageStatus::Pending => "Menunggu",
            MessageStatus::Sent => "Terkirim",
            MessageStatus::Failed => "Gagal",
            MessageStatus::NoAddress => "Tanpa alamat surel",
            MessageStatus::Expired => "Kedaluwarsa",
        }
    }
}

/// How a batch's messages stand, for the line on its page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, poem_openapi::Object)]
pub struct MessageCounts {
    pub sent: u32,
    pub pending: u32,
    pub failed: u32,
    pub no_address: u32,
    pub expired: u32,
}

impl MessageCounts {
    pub fn of(statuses: impl IntoIterator<Item = MessageStatus>) -> MessageCounts {
        let mut counts = MessageCounts::default();
        for status in statuses {
            let slot = match status {
                MessageStatus::Sent => &mut counts.sent,
                MessageStatus::Pending => &mut counts.pending,
                MessageStatus::Failed => &mut counts.failed,
                MessageStatus::NoAddress => &mut counts.no_address,
                MessageStatus::Expired => &mut counts.expired,
            };
            *slot += 1;
        }
        counts
    }
}

/// Tries before a message is given up (the last about seven hours after
/// the first, with the default first wait).
pub const MAX_ATTEMPTS: i32 = 8;

/// The wait after the `attempts`-th failure, in multiples of `first`
/// (`BIMTEK_MAIL_RETRY_SECONDS`, 30 s): 30 s, 2 min, 8 min, 32 min, then
/// two hours at a time.
pub fn backoff(attempts: i32, first: Duration) -> Duration {
    let factor = match attempts {
        ..=1 => 1,
        2 => 4,
        3 => 16,
        4 => 64,
        _ => 240,
    };
    first * factor
}

/// When the reminder of a batch starting at `first_session` (WIB) goes
/// out: 07:00 WIB the day before; none when that moment has already
/// passed at `now`, because the invitation being sent now says the same.
pub fn reminder_at(
    first_session: PrimitiveDateTime,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let day_before = first_session.date().previous_day()?;
    let at = day_before.with_hms(7, 0, 0).ok()?.assume_offset(WIB);
    (at > now).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn backoff_grows_and_is_capped() {
        let waits: Vec<i64> = (1..=MAX_ATTEMPTS)
            .map(|n| backoff(n, Duration::seconds(30)).whole_seconds())
            .collect();
        assert_eq!(waits, [30, 120, 480, 1920, 7200, 7200, 7200, 7200]);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn the_reminder_goes_the_morning_before() {
        let first = datetime!(2026-03-03 08:00);
        let early = datetime!(2026-02-20 10:00 +7);
        assert_eq!(
            reminder_at(first, early),
            Some(datetime!(2026-03-02 07:00).assume_offset(offset!(+7)))
        );
        // Enrolled on the afternoon before: the invitation is the reminder.
        assert_eq!(reminder_at(first, datetime!(2026-03-02 13:00 +7)), None);
    }

    #[test]
    fn counts_add_up_by_status() {
        let counts = MessageCounts::of([
            MessageStatus::Sent,
            MessageStatus::Sent,
            MessageStatus::Pending,
            MessageStatus::NoAddress,
        ]);
        assert_eq!(
            (
                counts.sent,
                counts.pending,
                counts.no_address,
                counts.failed
            ),
            (2, 1, 1, 0)
        );
    }

    #[test]
    fn kinds_have_distinct_slugs_that_read_back() {
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::from_slug(kind.slug()), Some(kind));
        }
        assert_eq!(MessageKind::from_slug("invitation"), None);
    }
}
