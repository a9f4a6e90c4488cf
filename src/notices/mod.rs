//! Messages to people: invitations, schedule changes, cancellations,
//! reminders, released results and issued certificates. A capability
//! queues a message in the transaction that causes it (`service::enqueue`);
//! `worker` sends it through SMTP with retries; `templates` holds the
//! texts an administrator may edit on the page in `pages`.

pub mod model;
mod outbox;
pub mod pages;
pub mod service;
pub mod templates;
pub mod worker;
