//! Pure rules for accounts: roles, usernames, e-mail addresses, passwords,
//! and the validation of a new or changed user. No I/O here.

use std::collections::BTreeSet;

use poem_openapi::Object;
use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::nip::Nip;
use crate::conflict::Conflict;
use crate::error::{AppError, FieldError};
use crate::string_enum::string_enum;

string_enum!(
    /// What a user may do. A user may hold several roles.
    #[derive(PartialOrd, Ord)]
    Role {
        Admin = "admin",
        Assessor = "assessor",
        Trainee = "trainee",
    }
);

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Assessor, Role::Trainee];

    /// Label shown in pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator BKD",
            Role::Assessor => "Asesor",
            Role::Trainee => "Peserta",
        }
    }

    /// Accepts the English name or the Indonesian one used in spreadsheets.
    pub fn from_sheet(text: &str) -> Option<Role> {
        match text.trim().to_lowercase().as_str() {
            "admin" | "administrator" => Some(Role::Admin),
            "assessor" | "asesor" => Some(Role::Assessor),
            "trainee" | "peserta" => Some(Role::Trainee),
            _ => None,
        }
    }

    /// Parses a comma-separated list such as `"peserta, asesor"`.
    pub fn parse_list(text: &str) -> Result<BTreeSet<Role>, String> {
        let mut roles = BTreeSet::new();
        for part in text
            .split([',', ';', '|'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match Role::from_sheet(part) {
                Some(role) => {
                    roles.insert(role);
                }
                None => {
                    return Err(format!(
                        "peran '{part}' tidak dikenal (pilih admin, assessor/asesor, trainee/peserta)"
                    ));
                }
            }
        }
        Ok(roles)
    }
}

/// The signed-in user making a request, as resolved from their session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    pub id: Uuid,
    pub session_id: Uuid,
    pub username: String,
    pub name: String,
    pub roles: BTreeSet<Role>,
}

impl CurrentUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// 403 unless the user holds `role`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.has(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// A user as the API and the pages show it: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Object, Serialize)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub nip: Option<String>,
    pub name: String,
    pub email: Option<String>,
    pub unit_kerja: Option<String>,
    pub jabatan: Option<String>,
    pub roles: Vec<Role>,
    pub active: bool,
    /// False for imported accounts until an administrator sets a password.
    pub has_password: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// When an administrator anonymised the account (its personal fields
    /// are gone); absent for everyone else.
    #[serde(with = "time::serde::rfc3339::option")]
    pub anonymised_at: Option<OffsetDateTime>,
}

pub const MIN_PASSWORD_LEN: usize = 8;
const MAX_PASSWORD_LEN: usize = 128;
const MAX_TEXT_LEN: usize = 200;

/// Usernames are lowercase, 3–64 characters of `a-z 0-9 . _ -`.
pub fn parse_username(text: &str) -> Result<String, String> {
    let name = text.trim().to_lowercase();
    if name.len() < 3 || name.len() > 64 {
        return Err("harus 3–64 karakter".into());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "karakter '{bad}' tidak boleh; gunakan huruf, angka, titik, garis bawah atau tanda hubung"
        ));
    }
    Ok(name)
}

/// A deliberately plain check: one `@`, something before it, a dotted domain after.
pub fn parse_email(text: &str) -> Result<String, String> {
    let email = text.trim().to_lowercase();
    let invalid = || format!("'{email}' bukan alamat e-mail yang sah");
    if email.len() > 254 || email.chars().any(char::is_whitespace) {
        return Err(invalid());
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.') =>
        {
            Ok(email)
        }
        _ => Err(invalid()),
    }
}

pub fn check_password(password: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(format!("minimal {MIN_PASSWORD_LEN} karakter"));
    }
    if len > MAX_PASSWORD_LEN {
        return Err(format!("maksimal {MAX_PASSWORD_LEN} karakter"));
    }
    Ok(())
}

/// Trims a free-text field; empty becomes `None`.
pub fn optional_text(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// What someone typed (a form, a JSON body, a spreadsheet row) to create a user.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub username: Option<String>,
    pub nip: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub unit_kerja: Option<String>,
    pub jabatan: Option<String>,
    pub roles: Vec<Role>,
    pub password: Option<String>,
}

/// A user that passed every rule and may be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub nip: Option<Nip>,
    pub name: String,
    pub email: Option<String>,
    pub unit_kerja: Option<String>,
    pub jabatan: Option<String>,
    pub roles: BTreeSet<Role>,
    pub password: Option<String>,
}

impl UserInput {
    /// Checks every field and reports all problems at once. A user without a
    /// username gets the NIP as username; without roles, `trainee`.
    pub fn validate(self, today: Date) -> Result<NewUser, Vec<FieldError>> {
        let mut errors = Vec::new();

        let nip = match optional_text(self.nip.as_deref()) {
            None => None,
            Some(text) => match Nip::parse(&text, today) {
                Ok(nip) => Some(nip),
                Err(err) => {
                    errors.push(FieldError::new("nip", err.to_string()));
                    None
                }
            },
        };

        let username = match (optional_text(self.username.as_deref()), &nip) {
            (Some(text), _) => parse_username(&text)
                .map_err(|msg| errors.push(FieldError::new("username", msg)))
                .ok(),
            (None, Some(nip)) => Some(nip.as_str().to_owned()),
            (None, None) if errors.iter().any(|e| e.field == "nip") => None,
            (None, None) => {
                errors.push(FieldError::new("username", "wajib diisi bila NIP kosong"));
                None
            }
        };

        let name = optional_text(self.name.as_deref());
        match &name {
            None => errors.push(FieldError::new("name", "nama wajib diisi")),
            Some(n) if n.chars().count() > MAX_TEXT_LEN => errors.push(FieldError::new(
                "name",
                format!("maksimal {MAX_TEXT_LEN} karakter"),
            )),
            _ => {}
        }

        let email = optional_text(self.email.as_deref()).and_then(|text| {
            parse_email(&text)
                .map_err(|msg| errors.push(FieldError::new("email", msg)))
                .ok()
        });

        // A password an administrator types for someone is held to the
        // same policy as one a person chooses.
        if let Some(password) = self.password.as_deref() {
            let who = super::policy::Identity {
                nip: nip.as_ref().map(|n| n.as_str()),
                username: username.as_deref().unwrap_or_default(),
                name: name.as_deref().unwrap_or_default(),
            };
            if let Err(msg) = super::policy::check(password, &who) {
                errors.push(FieldError::new("password", msg));
            }
        }

        for (field, value) in [("unit_kerja", &self.unit_kerja), ("jabatan", &self.jabatan)] {
            if value
                .as_deref()
                .is_some_and(|v| v.chars().count() > MAX_TEXT_LEN)
            {
                errors.push(FieldError::new(
                    field,
                    format!("maksimal {MAX_TEXT_LEN} karakter"),
                ));
            }
        }

        let mut roles: BTreeSet<Role> = self.roles.into_iter().collect();
        if roles.is_empty() {
            roles.insert(Role::Trainee);
        }

        // Each of the two is missing only with its error already pushed.
        let (Some(username), Some(name)) = (username, name) else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewUser {
            username,
            nip,
            name,
            email,
            unit_kerja: optional_text(self.unit_kerja.as_deref()),
            jabatan: optional_text(self.jabatan.as_deref()),
            roles,
            password: self.password,
        })
    }
}

/// The answer to any change of an anonymised account: it stays anonymous
/// (a name typed back in would make certificate checks say something false).
pub fn refused_anonymised() -> AppError {
    AppError::conflict(
        Conflict::Anonymised,
        "Akun ini sudah dianonimkan dan tidak dapat diubah atau diaktifkan kembali.",
    )
}

/// Which users a list shows, one page at a time.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub role: Option<Role>,
    /// Matches name, username, NIP, e-mail or unit kerja (case-insensitive).
    pub query: Option<String>,
    pub page: u64,
    pub per_page: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn input() -> UserInput {
        UserInput {
            name: Some("Siti Aminah".into()),
            nip: Some("198503122010012003".into()),
            ..UserInput::default()
        }
    }

    #[test]
    fn nip_becomes_username_and_trainee_is_default_role() {
        let user = input().validate(TODAY).unwrap();
        assert_eq!(user.username, "198503122010012003");
        assert_eq!(user.roles, BTreeSet::from([Role::Trainee]));
    }

    #[test]
    fn reports_every_bad_field_at_once() {
        let errors = UserInput {
            name: None,
            nip: Some("123".into()),
            email: Some("bukan-email".into()),
            password: Some("pendek".into()),
            ..UserInput::default()
        }
        .validate(TODAY)
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["nip", "name", "email", "password"]);
    }

    #[test]
    fn username_required_without_nip() {
        let errors = UserInput {
            name: Some("Tamu".into()),
            ..UserInput::default()
        }
        .validate(TODAY)
        .unwrap_err();
        assert_eq!(errors[0].field, "username");
    }

    #[test]
    fn usernames_are_lowercased_and_checked() {
        assert_eq!(parse_username(" Admin.BKD ").unwrap(), "admin.bkd");
        assert!(parse_username("ab").is_err());
        assert!(parse_username("nama spasi").unwrap_err().contains("' '"));
    }

    #[test]
    fn emails() {
        assert_eq!(
            parse_email("Humas@MagelangKota.go.id").unwrap(),
            "humas@magelangkota.go.id"
        );
        for bad in ["a", "a@b", "@b.id", "a@@b.id", "a b@c.id", "a@.id", "a@b."] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_parse_in_both_languages() {
        assert_eq!(
            Role::parse_list("peserta, Asesor").unwrap(),
            BTreeSet::from([Role::Trainee, Role::Assessor])
        );
        assert!(Role::parse_list("guru").unwrap_err().contains("guru"));
        assert!(Role::parse_list("").unwrap().is_empty());
    }
}
