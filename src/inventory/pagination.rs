//! Marker pagination that always ends: a truncated page must hand back a marker never seen before in
//! this listing. A service (or something between it and us) that cycles markers, A, B, A, B, would
//! otherwise hold the audit forever; the listing stops and the caller reports it as incomplete.

use std::collections::HashSet;

/// What to do after a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NextPage {
    /// Ask for the page at this marker.
    At(String),
    /// The listing is complete.
    Done,
    /// The page is truncated but its marker is missing or was already used: stop, and say so.
    Stuck,
}

/// The markers of one listing so far.
#[derive(Debug, Default)]
pub(crate) struct Markers {
    seen: HashSet<String>,
}

impl Markers {
    /// The step after a page that was `truncated` and handed back `next` (blank counts as none).
    pub(crate) fn after(&mut self, truncated: bool, next: Option<&str>) -> NextPage {
        let next = next.map(str::trim).filter(|m| !m.is_empty());
        match (truncated, next) {
            (false, _) => NextPage::Done,
            (true, Some(marker)) if self.seen.insert(marker.to_owned()) => {
                NextPage::At(marker.to_owned())
            }
            (true, _) => NextPage::Stuck,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_ends_at_its_last_page() {
        let mut markers = Markers::default();
        assert_eq!(markers.after(true, Some("A")), NextPage::At("A".into()));
        assert_eq!(markers.after(true, Some("B")), NextPage::At("B".into()));
        assert_eq!(markers.after(false, Some("C")), NextPage::Done);
    }

    #[test]
    fn any_repeated_marker_stops_the_listing_not_only_an_immediate_repeat() {
        let mut markers = Markers::default();
        assert_eq!(markers.after(true, Some("A")), NextPage::At("A".into()));
        assert_eq!(markers.after(true, Some("B")), NextPage::At("B".into()));
        assert_eq!(
            markers.after(true, Some("A")),
            NextPage::Stuck,
            "A, B, A cycles"
        );
    }

    #[test]
    fn a_truncated_page_without_a_marker_is_stuck() {
        let mut markers = Markers::default();
        assert_eq!(markers.after(true, None), NextPage::Stuck);
        assert_eq!(markers.after(true, Some("  ")), NextPage::Stuck);
    }
}
