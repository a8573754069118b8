//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane, as OWASP
//! recommends) into PHC strings.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::LazyLock;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// A PHC hash of a random password, verified against when the e-mail is unknown so that a
/// sign-in takes as long for an unknown user as for a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash(&hex::encode(rand::random::<[u8; 16]>())));

/// Hashes `password` with a fresh random salt. CPU-heavy (tens of ms): call it off the async
/// threads (`spawn_blocking`).
pub fn hash(password: &str) -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any password")
        .to_string()
}

/// Whether `password` matches the PHC string `hash`; `None` for `hash` runs a dummy
/// verification and answers `false`. CPU-heavy like [`hash`].
pub fn verify(password: &str, hash: Option<&str>) -> bool {
    let (hash, real) = match hash {
        Some(h) => (h, true),
        None => (DUMMY_HASH.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && real
}

/// Why a new password is refused, if it is.
pub fn weakness(password: &str) -> Option<String> {
    (password.chars().count() < MIN_PASSWORD_CHARS)
        .then(|| format!("the password must have at least {MIN_PASSWORD_CHARS} characters"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn verifies_own_hash_only() {
        let hash = super::hash("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(super::verify("correct horse battery", Some(&hash)));
        assert!(!super::verify("correct horse batterY", Some(&hash)));
        assert!(!super::verify("correct horse battery", None));
        assert!(!super::verify("x", Some("not a hash")));
    }
}
