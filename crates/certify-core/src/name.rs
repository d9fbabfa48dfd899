//! Personal names and the key they are compared on.
//!
//! People type their names with whatever input method they have: traditional characters
//! (the Pucheng notice warns that "繁体输入法" made the back office find no one),
//! full-width letters, spaces, or the middle dot of minority and foreign names
//! (`阿依古丽·买买提`, `阿依古丽・买买提`, `阿依古丽 买买提`). [`PersonName::comparison_key`]
//! folds all of these; the stored name is never rewritten, because `於` and `乾` are
//! real surnames that a simplifying rewrite would destroy.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// The longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// Why a text is not a usable name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Empty or only separators.
    #[error("the name is empty")]
    Empty,
    /// Longer than [`MAX_NAME_CHARS`].
    #[error("the name is longer than {MAX_NAME_CHARS} characters")]
    TooLong,
    /// Contains a control character, a digit or punctuation that no name has.
    #[error("the name contains a character that names do not have: {0:?}")]
    BadCharacter(char),
}

impl NameError {
    /// A stable snake_case code for this error.
    pub const fn code(&self) -> &'static str {
        match self {
            NameError::Empty => "empty",
            NameError::TooLong => "too_long",
            NameError::BadCharacter(_) => "bad_character",
        }
    }
}

/// A person's name exactly as entered (outer whitespace trimmed), validated.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

/// The folded form of a name that two spellings of the same name share.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameKey(String);

/// `text` without bidirectional control characters (U+061C, U+200E–U+200F, U+202A–U+202E,
/// U+2066–U+2069).
pub fn strip_bidi_controls(text: &str) -> String {
    text.chars()
        .filter(
            |c| !matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'),
        )
        .collect()
}

impl NameKey {
    /// The folded text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '·' | '・' | '•' | '‧' | '∙' | '⋅' | '.' | '．' | '-' | '‐' | '－' | '_'
        )
}

fn t2s() -> &'static HashMap<char, char> {
    static MAP: OnceLock<HashMap<char, char>> = OnceLock::new();
    MAP.get_or_init(|| {
        include_str!("../data/t2s_chars.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut chars = l.chars();
                let from = chars.next()?;
                let to = chars.nth(1)?;
                Some((from, to))
            })
            .collect()
    })
}

impl PersonName {
    /// Validate a name. Outer whitespace is trimmed; nothing else is changed.
    pub fn new(text: &str) -> Result<Self, NameError> {
        let trimmed = text.trim();
        if trimmed.chars().count() > MAX_NAME_CHARS {
            return Err(NameError::TooLong);
        }
        if let Some(c) = trimmed
            .chars()
            .find(|c| c.is_control() || c.is_ascii_digit() || "<>\"'\\/;:@#$%^&*=+{}[]|~`!?,，。".contains(*c))
        {
            return Err(NameError::BadCharacter(c));
        }
        if !trimmed.chars().any(|c| !is_separator(c)) {
            return Err(NameError::Empty);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name as entered.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name for display (lists, reports, the console): bidirectional control
    /// characters removed, so a right-to-left override cannot make a name read as another.
    /// The stored name is untouched.
    pub fn for_display(&self) -> String {
        strip_bidi_controls(&self.0)
    }

    /// The comparison key: NFKC (full-width → half-width), separators (spaces, middle
    /// dots) removed, traditional and regional variant characters → simplified, Latin
    /// letters lower-cased.
    pub fn comparison_key(&self) -> NameKey {
        let map = t2s();
        NameKey(
            self.0
                .nfkc()
                .filter(|c| !is_separator(*c))
                .map(|c| map.get(&c).copied().unwrap_or(c))
                .flat_map(char::to_lowercase)
                .collect(),
        )
    }

    /// Whether two names are the same name written differently.
    pub fn matches(&self, other: &PersonName) -> bool {
        self.comparison_key() == other.comparison_key()
    }

    /// The name with all but the first character hidden (`张**`), for logs and screens.
    pub fn masked(&self) -> String {
        let mut chars = self.0.chars();
        let first = chars.next().unwrap_or('*');
        std::iter::once(first).chain(chars.map(|_| '*')).collect()
    }
}

impl TryFrom<String> for PersonName {
    type Error = NameError;
    fn try_from(s: String) -> Result<Self, NameError> {
        Self::new(&s)
    }
}

impl From<PersonName> for String {
    fn from(n: PersonName) -> String {
        n.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PersonName {
    /// Masked: names are personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonName({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> PersonName {
        PersonName::new(s).unwrap()
    }

    // Seed 003, 常见问题 4: names typed with a traditional input method must still match.
    #[test]
    fn traditional_characters_match_simplified() {
        assert!(n("劉曉瑜").matches(&n("刘晓瑜")));
        assert!(n("張偉").matches(&n("张伟")));
        assert!(n("陳為民").matches(&n("陈为民")));
        assert!(!n("刘晓瑜").matches(&n("刘婉芸")));
    }

    #[test]
    fn stored_name_is_never_rewritten() {
        // 於 and 乾 are surnames of their own; only the key is folded.
        let name = n("於乾");
        assert_eq!(name.as_str(), "於乾");
        assert_eq!(name.comparison_key().as_str(), "于干");
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"於乾\"");
    }

    #[test]
    fn separators_and_width_are_folded() {
        let forms = [
            "阿依古丽·买买提",
            "阿依古丽・买买提",
            "阿依古丽 买买提",
            "阿依古丽　买买提",
            "阿依古丽･买买提",
            "阿依古丽.买买提",
        ];
        for f in forms {
            assert_eq!(n(f).comparison_key().as_str(), "阿依古丽买买提", "{f}");
        }
        assert!(n("ＪＯＨＮ　Smith").matches(&n("john smith")));
    }

    #[test]
    fn rejects_empty_long_and_impossible_names() {
        assert_eq!(PersonName::new("  "), Err(NameError::Empty));
        assert_eq!(PersonName::new("·"), Err(NameError::Empty));
        assert_eq!(PersonName::new(&"张".repeat(65)), Err(NameError::TooLong));
        assert_eq!(PersonName::new("张3"), Err(NameError::BadCharacter('3')));
        assert_eq!(PersonName::new("张\u{0}"), Err(NameError::BadCharacter('\u{0}')));
    }

    #[test]
    fn debug_is_masked() {
        assert_eq!(format!("{:?}", n("刘晓瑜")), "PersonName(刘**)");
    }

    proptest! {
        // The key is idempotent on its own output and ignores inserted separators.
        #[test]
        fn key_ignores_separators(chars in prop::collection::vec(prop::sample::select(
            vec!['刘','劉','晓','曉','张','張','於','乾','a','B']), 1..8), sep_at in 0usize..8) {
            let plain: String = chars.iter().collect();
            let mut spaced = chars.clone();
            spaced.insert(sep_at.min(chars.len().saturating_sub(1)).max(1).min(chars.len()), '·');
            let spaced: String = spaced.into_iter().collect();
            prop_assert_eq!(n(&plain).comparison_key(), n(&spaced).comparison_key());
            let key = n(&plain).comparison_key();
            prop_assert_eq!(n(key.as_str()).comparison_key(), key.clone());
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,80}") {
            if let Ok(name) = PersonName::new(&text) {
                let _ = name.comparison_key();
            }
        }
    }

    #[test]
    fn display_drops_bidi_controls_only() {
        assert_eq!(strip_bidi_controls("王\u{202E}建国\u{2066}"), "王建国");
        assert_eq!(strip_bidi_controls("阿依古丽·买买提"), "阿依古丽·买买提");
    }
}
