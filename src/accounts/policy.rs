//! The password policy, one pure function used wherever a person chooses
//! their own password: activation, a change on `/password` and a reset by
//! e-mail. Long enough, not their own name or number, not a password
//! everyone else picks first.

use std::collections::HashSet;
use std::sync::LazyLock;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

/// What a password must not be made of: the account's own names.
#[derive(Debug, Clone, Copy, Default)]
pub struct Identity<'a> {
    pub nip: Option<&'a str>,
    pub username: &'a str,
    /// Full name, possibly with gelar ("Dr. Budi Santoso, S.Kom.").
    pub name: &'a str,
}

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Letters and digits only, lowercased: "Budi Santoso" and "budi.santoso"
/// are the same word to a guesser.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The parts of a name a person would build a password from: each word of
/// four letters or more, without academic titles (they carry a dot) —
/// "Dr. Budi Santoso, S.Kom." gives budi, santoso.
fn name_words(name: &str) -> Vec<String> {
    name.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.contains('.'))
        .map(squeeze)
        .filter(|w| w.chars().count() >= 4)
        .collect()
}

/// True when `password` is a common password, or one with digits and
/// punctuation stuck on the end ("Indonesia2026!").
fn is_common(password: &str) -> bool {
    let lowered = password.trim().to_lowercase();
    let stem = lowered.trim_end_matches(|c: char| !c.is_alphabetic());
    let stem_start = stem.trim_start_matches(|c: char| !c.is_alphabetic());
    [lowered.as_str(), stem, stem_start]
        .iter()
        .any(|candidate| !candidate.is_empty() && COMMON.contains(candidate))
        || COMMON.contains(squeeze(&lowered).as_str())
}

/// Checks a new password against the policy; the message says what to change.
pub fn check(password: &str, who: &Identity) -> Result<(), String> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(format!("minimal {MIN_LEN} karakter"));
    }
    if len > MAX_LEN {
        return Err(format!("maksimal {MAX_LEN} karakter"));
    }
    let squeezed = squeeze(password);
    if let Some(nip) = who.nip.map(squeeze).filter(|n| !n.is_empty())
        && squeezed.contains(&nip)
    {
        return Err("tidak boleh memuat NIP Anda".into());
    }
    let username = squeeze(who.username);
    if !username.is_empty()
        && (squeezed == username || (username.chars().count() >= 4 && squeezed.contains(&username)))
    {
        return Err("tidak boleh memuat nama pengguna Anda".into());
    }
    let full_name = squeeze(who.name);
    if (!full_name.is_empty() && squeezed.contains(&full_name))
        || name_words(who.name).iter().any(|w| squeezed.contains(w))
    {
        return Err("tidak boleh memuat nama Anda".into());
    }
    if is_common(password) {
        return Err("terlalu mudah ditebak; pilih kata sandi yang lebih unik".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDI: Identity = Identity {
        nip: Some("198503122010011001"),
        username: "budi.s",
        name: "Dr. Budi Santoso, S.Kom.",
    };

    #[test]
    fn refuses_what_breaks_each_rule() {
        for (password, why) in [
            ("pendek123", "minimal 10"),
            (&"x".repeat(129), "maksimal 128"),
            ("198503122010011001", "NIP"),
            ("nip-19850312 201001 1 001", "NIP"),
            ("BUDI.S-rahasia-99", "nama pengguna"),
            ("Santoso-Pagi-Hari", "nama"),
            ("budisantoso99!", "nama pengguna"),
            ("pagi-santoso-99", "nama"),
            ("bismillah123", "mudah ditebak"),
            ("Indonesia2026!", "mudah ditebak"),
            ("PASSWORD123", "mudah ditebak"),
            ("1234567890", "mudah ditebak"),
            ("alhamdulillah", "mudah ditebak"),
        ] {
            let err = check(password, &BUDI).expect_err(password);
            assert!(err.contains(why), "{password}: {err}");
        }
    }

    #[test]
    fn accepts_a_long_unrelated_password() {
        for password in [
            "kopi-tubruk-di-alun-alun",
            "Merapi meletus 2010 lagi?",
            "tigaKata-acak-9",
        ] {
            assert_eq!(check(password, &BUDI), Ok(()), "{password}");
        }
    }

    #[test]
    fn titles_and_short_names_are_not_forbidden_words() {
        let ani = Identity {
            nip: None,
            username: "ani",
            name: "Ani, S.Kom.",
        };
        // "ani" is three letters: only the whole password equal to it is refused.
        assert_eq!(check("kompani-tangguh-7", &ani), Ok(()));
        assert_eq!(name_words("Dr. Budi Santoso, S.Kom."), ["budi", "santoso"]);
    }

    #[test]
    fn the_list_is_loaded_and_lowercase() {
        assert!(COMMON.len() > 300);
        assert!(COMMON.iter().all(|p| *p == p.to_lowercase()));
    }
}
