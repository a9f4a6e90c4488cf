//! The people of the demo year: OPDs of the Pemerintah Kota Magelang,
//! trainees with valid NIPs, and the assessors, all created through the
//! account service with one known password.

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::accounts::model::{CurrentUser, Role, UserInput};
use crate::accounts::service;
use crate::db::Db;
use crate::error::AppResult;

/// Every demo trainee and assessor signs in with this.
pub const PASSWORD: &str = "Bimtek#Demo-2026";

/// Unit kerja the trainees come from.
pub const OPD: [&str; 12] = [
    "Dinas Komunikasi, Informatika dan Statistik",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Kesehatan",
    "Dinas Pendidikan dan Kebudayaan",
    "Badan Perencanaan Pembangunan Daerah",
    "Badan Pengelolaan Keuangan dan Pendapatan Daerah",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "Sekretariat Daerah",
    "Kecamatan Magelang Utara",
    "Kecamatan Magelang Tengah",
    "Kecamatan Magelang Selatan",
];

/// The assessors' own office: an assessor never grades a colleague.
const ASSESSOR_OPD: &str = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia";

const FIRST: [&str; 22] = [
    "Agus",
    "Budi",
    "Dewi",
    "Eko",
    "Fitri",
    "Gita",
    "Hendra",
    "Indah",
    "Joko",
    "Kartika",
    "Lestari",
    "Muhammad",
    "Nur",
    "Oktaviani",
    "Putri",
    "Rizki",
    "Sri",
    "Teguh",
    "Utami",
    "Wahyu",
    "Yuni",
    "Zaenal",
];
const LAST: [&str; 19] = [
    "Prasetyo",
    "Wibowo",
    "Lestari",
    "Nugroho",
    "Rahayu",
    "Santoso",
    "Kurniawan",
    "Handayani",
    "Setiawan",
    "Purnomo",
    "Wulandari",
    "Saputra",
    "Hidayat",
    "Susanti",
    "Mulyono",
    "Pratiwi",
    "Hartono",
    "Maharani",
    "Suryadi",
];

/// A trainee of the demo: who they are and how well they know the matter
/// (the share of questions they get right, and whether they write well).
#[derive(Debug, Clone)]
pub struct Trainee {
    pub user: CurrentUser,
    pub nip: String,
    pub ability: f64,
}

/// The `n`th distinct name (n < 418).
fn name(n: usize) -> String {
    let first = FIRST[n % FIRST.len()];
    let last = LAST[(n / FIRST.len() + n * 7) % LAST.len()];
    format!("{first} {last}")
}

/// A valid NIP: born 1985–1999, appointed (TMT) in 2019–2025, serial `n`.
pub fn nip(n: usize) -> String {
    let born_year = 1985 + n % 15;
    let born_month = 1 + n % 12;
    let born_day = 1 + n % 28;
    let tmt_year = 2019 + n % 7;
    let tmt_month = 1 + (n / 3) % 12;
    let sex = 1 + n % 2;
    format!(
        "{born_year}{born_month:02}{born_day:02}{tmt_year}{tmt_month:02}{sex}{:03}",
        n % 999 + 1
    )
}

/// A spread of abilities from weak to strong, the same every run.
fn ability(i: usize, of: usize) -> f64 {
    let rank = (i * 37) % of.max(1);
    0.6 + 0.38 * rank as f64 / (of.max(2) - 1) as f64
}

async fn create(db: &Db, input: UserInput) -> AppResult<CurrentUser> {
    let roles: BTreeSet<Role> = input.roles.iter().copied().collect();
    let view = service::create_account(db, input).await?;
    Ok(CurrentUser {
        id: view.id,
        session_id: Uuid::nil(),
        username: view.username,
        name: view.name,
        roles,
    })
}

/// `count` trainees with the given jabatan, NIPs from `first_serial` on.
pub async fn trainees(
    db: &Db,
    count: usize,
    first_serial: usize,
    jabatan: &str,
) -> AppResult<Vec<Trainee>> {
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let n = first_serial + i;
        let nip = nip(n);
        let person = name(n);
        let input = UserInput {
            nip: Some(nip.clone()),
            name: Some(person.clone()),
            email: Some(format!("peserta{n}@demo.magelangkota.go.id")),
            unit_kerja: Some(OPD[n % OPD.len()].into()),
            jabatan: Some(jabatan.into()),
            roles: vec![Role::Trainee],
            password: Some(PASSWORD.into()),
            ..UserInput::default()
        };
        out.push(Trainee {
            user: create(db, input).await?,
            nip,
            ability: ability(i, count),
        });
    }
    Ok(out)
}

/// Four assessors: three grade and moderate the exam, the fourth hears the appeal.
pub async fn assessors(db: &Db) -> AppResult<Vec<CurrentUser>> {
    let names = [
        ("asesor.rina", "Rina Kusumawati, S.Kom., M.T."),
        ("asesor.bambang", "Bambang Sutrisno, S.T."),
        ("asesor.dian", "Dian Permatasari, S.Kom."),
        ("asesor.yusuf", "Yusuf Hamdani, M.Kom."),
    ];
    let mut out = Vec::new();
    for (username, person) in names {
        let input = UserInput {
            username: Some(username.into()),
            name: Some(person.into()),
            email: Some(format!("{username}@demo.magelangkota.go.id")),
            unit_kerja: Some(ASSESSOR_OPD.into()),
            jabatan: Some("Pranata Komputer Ahli Muda".into()),
            roles: vec![Role::Assessor],
            password: Some(PASSWORD.into()),
            ..UserInput::default()
        };
        out.push(create(db, input).await?);
    }
    Ok(out)
}

/// The administrator as an actor of the services.
pub fn admin(id: Uuid, username: String, name: String) -> CurrentUser {
    CurrentUser {
        id,
        session_id: Uuid::nil(),
        username,
        name,
        roles: BTreeSet::from([Role::Admin]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::nip::Nip;

    #[test]
    fn every_demo_nip_is_valid_and_distinct() {
        let today = time::macros::date!(2026 - 12 - 02);
        let all: BTreeSet<String> = (0..200).map(nip).collect();
        assert_eq!(all.len(), 200);
        for n in &all {
            assert!(Nip::parse(n, today).is_ok(), "{n}");
        }
    }

    #[test]
    fn names_are_distinct_and_abilities_spread() {
        let names: BTreeSet<String> = (0..70).map(name).collect();
        assert_eq!(names.len(), 70);
        let abilities: Vec<f64> = (0..44).map(|i| ability(i, 44)).collect();
        assert!(abilities.iter().all(|a| (0.6..=0.98).contains(a)));
        assert!(abilities.iter().any(|a| *a < 0.65) && abilities.iter().any(|a| *a > 0.9));
    }
}
