//! "Did you mean ...?": the allowed name closest to one that was not recognised, for the errors
//! about an unknown CSV column and an unknown scenario field.
//!
//! A suggestion is only a hint in the error: the unknown name is still refused, so that no
//! heading or field is read under another name without the user knowing.

/// Names a heading is often written as in a spreadsheet, with the column domino reads for it.
/// They are suggested, never accepted: `Enrolment` may count students or something else.
const SYNONYMS: &[(&str, &str)] = &[
    ("enrolment", "size"),
    ("enrollment", "size"),
    ("enrolments", "size"),
    ("enrollments", "size"),
    ("students", "size"),
    ("pupils", "size"),
    ("roll", "size"),
    ("school", "id"),
    ("code", "id"),
    ("urn", "id"),
    ("district", "region"),
    ("area", "region"),
    ("zone", "region"),
    ("from", "source"),
    ("to", "target"),
    ("src", "source"),
    ("dst", "target"),
    ("strength", "weight"),
    ("year", "term"),
    ("period", "term"),
    ("status", "stage"),
];

/// Levenshtein distance between `a` and `b`, by characters.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The candidate `word` was most likely meant as, if one is close enough: within a third of its
/// length in edit distance (at least 1, at most 3), case and surrounding spaces ignored. Ties go
/// to the first candidate.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let w = word.trim().to_lowercase();
    if w.is_empty() {
        return None;
    }
    let limit = (w.chars().count() / 3).clamp(1, 3);
    candidates
        .iter()
        .map(|c| (distance(&w, &c.to_lowercase()), *c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// The allowed column a CSV heading was most likely meant as: a close spelling
/// ([`closest`]), a word of the heading that is an allowed name (`School ID` -> `id`), or a
/// common spreadsheet name for it (`Enrolment` -> `size`).
pub(crate) fn column<'a>(heading: &str, allowed: &[&'a str]) -> Option<&'a str> {
    if let Some(c) = closest(heading, allowed) {
        return Some(c);
    }
    let lower = heading.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // The last word first: `School ID` is an id, `ID school` hardly occurs.
    for w in words.iter().rev() {
        if let Some(c) = allowed.iter().find(|c| **c == *w) {
            return Some(c);
        }
    }
    for w in words.iter().rev() {
        if let Some((_, c)) = SYNONYMS.iter().find(|(s, _)| s == w) {
            if let Some(c) = allowed.iter().find(|a| *a == c) {
                return Some(c);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("pilot", "pilots"), 1);
        assert_eq!(distance("budjet", "budget"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("größe", "grösse"), 2);
    }

    #[test]
    fn close_names_are_suggested_and_far_ones_not() {
        let fields = ["pilots", "pilot_ids", "name", "kind"];
        assert_eq!(closest("pilot", &fields), Some("pilots"));
        assert_eq!(closest("Pilots ", &fields), Some("pilots"));
        assert_eq!(closest("colour", &fields), None);
        assert_eq!(closest("", &fields), None);
    }

    #[test]
    fn spreadsheet_headings_map_to_the_columns_they_name() {
        let nodes = [
            "id",
            "name",
            "region",
            "size",
            "need",
            "readiness",
            "resources",
            "context",
        ];
        assert_eq!(column("School ID", &nodes), Some("id"));
        assert_eq!(column("School name", &nodes), Some("name"));
        assert_eq!(column("Enrolment", &nodes), Some("size"));
        assert_eq!(column("Readyness", &nodes), Some("readiness"));
        assert_eq!(column("colour", &nodes), None);
        // A synonym is only suggested when its column is allowed in the file.
        assert_eq!(column("from", &["id", "name"]), None);
        assert_eq!(
            column("From", &["source", "target", "weight"]),
            Some("source")
        );
    }
}
