//! Selecting tensors by name: comma-separated globs (`*` any run of characters, dots included;
//! `?` exactly one character), e.g. `features.*.weight,classifier.1.weight`
//! (docs/decisions.md D-TEMPLATE-3).

use crate::PolarityError;

/// A set of name globs; a name is selected when any of them matches the whole name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerPattern {
    text: String,
    globs: Vec<Vec<char>>,
}

impl LayerPattern {
    /// Parses `glob[,glob...]`. Empty alternatives are an error (a stray comma is a typo, not a
    /// request for nothing).
    pub fn parse(text: &str) -> Result<Self, PolarityError> {
        let globs: Vec<Vec<char>> = text
            .split(',')
            .map(|g| g.trim().chars().collect())
            .collect();
        if globs.iter().any(Vec::is_empty) {
            return Err(PolarityError::Invalid {
                field: "layer pattern".into(),
                message: format!(
                    "'{text}' has an empty alternative; expected comma-separated globs such as 'features.*.weight,fc?.weight'"
                ),
            });
        }
        Ok(Self {
            text: text.to_string(),
            globs,
        })
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn matches(&self, name: &str) -> bool {
        let name: Vec<char> = name.chars().collect();
        self.globs.iter().any(|g| glob_matches(g, &name))
    }
}

impl std::fmt::Display for LayerPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Whole-string glob match. Greedy with backtracking to the last `*` only: a later `*` can absorb
/// whatever an earlier one would have, so this is exact in O(len(glob) * len(name)).
fn glob_matches(glob: &[char], name: &[char]) -> bool {
    let (mut g, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None; // (glob index after '*', name index it resumes at)
    while n < name.len() {
        match glob.get(g) {
            Some('*') => {
                star = Some((g + 1, n));
                g += 1;
            }
            Some(&c) if c == '?' || c == name[n] => {
                g += 1;
                n += 1;
            }
            _ => match star {
                Some((after, resume)) => {
                    g = after;
                    n = resume + 1;
                    star = Some((after, resume + 1));
                }
                None => return false,
            },
        }
    }
    glob[g..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        let p = LayerPattern::parse("features.*.weight, fc?.weight").unwrap();
        assert!(p.matches("features.0.weight"));
        assert!(p.matches("features.10.weight"));
        assert!(!p.matches("features.0.bias"));
        assert!(p.matches("fc6.weight"));
        assert!(!p.matches("fc.weight"));
        assert!(!p.matches("xfc6.weight"));
        let e = LayerPattern::parse("a,,b").unwrap_err().to_string();
        assert!(e.contains("empty alternative"), "{e}");
    }

    /// The same glob as a regex (an independent implementation of the matching).
    fn as_regex(glob: &str) -> regex::Regex {
        let mut re = String::from("^(?s:");
        for c in glob.chars() {
            match c {
                '*' => re.push_str(".*"),
                '?' => re.push('.'),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        re.push_str(")$");
        regex::Regex::new(&re).unwrap()
    }

    proptest! {
        #[test]
        fn agrees_with_a_regex(glob in "[ab.*?]{1,8}", name in "[ab.]{0,10}") {
            let p = LayerPattern::parse(&glob).unwrap();
            prop_assert_eq!(p.matches(&name), as_regex(&glob).is_match(&name));
        }
    }
}
