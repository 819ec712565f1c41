//! Signed dashboard links. A link names a team and a quarter in its path and carries a
//! token `EXPIRY.SIGNATURE`: the expiry in Unix seconds and the HMAC-SHA256 (lowercase
//! hex) of `team`, `quarter` and the expiry under the dashboard's key. Anyone holding the
//! link sees that one team quarter until it expires; rotating the key revokes every link.
//! Signatures are compared in constant time, as the exact text that was issued.

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2_hmac::Sha256;
use subtle::ConstantTimeEq;

/// Bytes of a generated key.
pub const KEY_BYTES: usize = 32;

/// The key links are signed with. Its `Debug` never shows it.
#[derive(Clone)]
pub struct LinkKey(Vec<u8>);

impl std::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkKey(***)")
    }
}

/// Why a token was refused (never shown to the visitor: every refusal is the same 403).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    Malformed,
    Expired,
    BadSignature,
}

impl LinkKey {
    /// A key from its text: `QUARTERDECK_DASHBOARD_KEY` or the stored hex. At least 32
    /// characters, so a short password cannot be mistaken for a key.
    pub fn from_text(text: &str) -> Result<Self, String> {
        if text.len() < KEY_BYTES {
            return Err(format!(
                "the dashboard key must be at least {KEY_BYTES} characters (found {})",
                text.len()
            ));
        }
        Ok(Self(text.as_bytes().to_vec()))
    }

    /// A fresh random key, as the hex text it is stored as.
    pub fn generate_text() -> String {
        let bytes: [u8; KEY_BYTES] = rand::random();
        hex::encode(bytes)
    }

    fn signature(&self, team: &str, quarter: &str, expires: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        // Length-prefixed fields: ("ab", "c") and ("a", "bc") sign differently.
        for field in [team.as_bytes(), quarter.as_bytes()] {
            mac.update(&(field.len() as u64).to_be_bytes());
            mac.update(field);
        }
        mac.update(&expires.to_be_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The token for `team`'s `quarter`, valid until `expires`.
    pub fn sign(&self, team: &str, quarter: &str, expires: DateTime<Utc>) -> String {
        let at = expires.timestamp();
        format!("{at}.{}", self.signature(team, quarter, at))
    }

    /// Checks a token against the team and quarter of the path it came with.
    pub fn verify(
        &self,
        team: &str,
        quarter: &str,
        token: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, Refusal> {
        let token = token.filter(|t| !t.is_empty()).ok_or(Refusal::Missing)?;
        let (at, sig) = token.split_once('.').ok_or(Refusal::Malformed)?;
        // Only the canonical decimal form: "+5" or "05" would be another text for the
        // same expiry.
        if at.is_empty()
            || !at.bytes().all(|b| b.is_ascii_digit())
            || (at.len() > 1 && at.starts_with('0'))
        {
            return Err(Refusal::Malformed);
        }
        let expires: i64 = at.parse().map_err(|_| Refusal::Malformed)?;
        let expected = self.signature(team, quarter, expires);
        if !bool::from(expected.as_bytes().ct_eq(sig.as_bytes())) {
            return Err(Refusal::BadSignature);
        }
        let expires = DateTime::from_timestamp(expires, 0).ok_or(Refusal::Malformed)?;
        if expires <= now {
            return Err(Refusal::Expired);
        }
        Ok(expires)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn key() -> LinkKey {
        LinkKey::from_text("0123456789abcdef0123456789abcdef").unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap()
    }

    #[test]
    fn signature_is_hmac_sha256_of_the_length_prefixed_fields() {
        // Independently: HMAC-SHA256 with key "0123…cdef" over
        // be64(6) "growth" be64(7) "2027-Q1" be64(1800000000), by Python's hmac module:
        // hmac.new(b"0123456789abcdef0123456789abcdef",
        //   (6).to_bytes(8,"big")+b"growth"+(7).to_bytes(8,"big")+b"2027-Q1"
        //   +(1800000000).to_bytes(8,"big"), "sha256").hexdigest()
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let token = key().sign("growth", "2027-Q1", at);
        assert_eq!(token, format!("1800000000.{}", EXPECTED_SIG));
    }
    const EXPECTED_SIG: &str = "7f71610d1b4de42a47fa92832818040ecc008cdbbf255ffb09e1cc1fe66fcfbe";

    #[test]
    fn a_fresh_token_verifies_until_it_expires() {
        let exp = now() + Duration::hours(1);
        let t = key().sign("growth", "2027-Q1", exp);
        assert_eq!(key().verify("growth", "2027-Q1", Some(&t), now()), Ok(exp));
        assert_eq!(
            key().verify("growth", "2027-Q1", Some(&t), exp),
            Err(Refusal::Expired)
        );
    }

    #[test]
    fn missing_malformed_forged_and_misplaced_tokens_are_refused() {
        let k = key();
        let t = k.sign("growth", "2027-Q1", now() + Duration::hours(1));
        assert_eq!(
            k.verify("growth", "2027-Q1", None, now()),
            Err(Refusal::Missing)
        );
        assert_eq!(
            k.verify("growth", "2027-Q1", Some(""), now()),
            Err(Refusal::Missing)
        );
        assert_eq!(
            k.verify("growth", "2027-Q1", Some("abc"), now()),
            Err(Refusal::Malformed)
        );
        // Another team or quarter with the same token.
        assert_eq!(
            k.verify("brand", "2027-Q1", Some(&t), now()),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            k.verify("growth", "2027-Q2", Some(&t), now()),
            Err(Refusal::BadSignature)
        );
        // Every single-character change is refused, including a change of case.
        for i in 0..t.len() {
            for c in ['0', '1', '9', 'a', 'f', 'A', 'F', '.', 'x'] {
                let mut forged: Vec<char> = t.chars().collect();
                if forged[i] == c {
                    continue;
                }
                forged[i] = c;
                let forged: String = forged.into_iter().collect();
                assert!(
                    k.verify("growth", "2027-Q1", Some(&forged), now()).is_err(),
                    "{forged} was accepted"
                );
            }
        }
        // A later expiry with the old signature.
        let (_, sig) = t.split_once('.').unwrap();
        let later = format!("{}.{sig}", (now() + Duration::days(30)).timestamp());
        assert_eq!(
            k.verify("growth", "2027-Q1", Some(&later), now()),
            Err(Refusal::BadSignature)
        );
    }

    #[test]
    fn another_key_refuses_the_link() {
        let t = key().sign("growth", "2027-Q1", now() + Duration::hours(1));
        let rotated = LinkKey::from_text(&LinkKey::generate_text()).unwrap();
        assert_eq!(
            rotated.verify("growth", "2027-Q1", Some(&t), now()),
            Err(Refusal::BadSignature)
        );
    }

    #[test]
    fn short_keys_are_refused_and_debug_hides_the_key() {
        assert!(
            LinkKey::from_text("short")
                .unwrap_err()
                .contains("at least 32")
        );
        assert_eq!(format!("{:?}", key()), "LinkKey(***)");
        assert_eq!(LinkKey::generate_text().len(), 64);
    }
}
