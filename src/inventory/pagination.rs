//! Marker pagination that always ends: a truncated page must hand back a marker never seen before in
//! this listing. A service (or something between it and us) that cycles markers, A, B, A, B, would
//! otherwise hold the audit forever; the listing stops and the caller reports it as incomplete.

use std::collections::HashSet;
use std::future::Future;

use super::failure::CallError;

/// One page of a listing: its items, and the marker of the next page when there is one.
pub(crate) struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// Whether the service says more pages follow.
    pub truncated: bool,
    /// The marker to ask for the next page with.
    pub next: Option<String>,
}

/// Most pages one listing may take: far beyond any account's load balancers, listeners or
/// certificates; a service that keeps handing fresh markers is stopped here.
const MAX_PAGES: usize = 10_000;

/// Every item of a marker-paginated listing: `fetch` is asked for the first page (marker `None`),
/// then for each page at the marker the previous one handed back, until a page is the last. A
/// listing that cannot end (a missing or repeated marker, or more than [`MAX_PAGES`] pages) is a
/// failure, never taken as whole.
pub(crate) async fn all_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, CallError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, CallError>>,
{
    let mut items = Vec::new();
    let mut marker = None;
    let mut markers = Markers::default();
    for _ in 0..MAX_PAGES {
        let page = fetch(marker.take()).await?;
        items.extend(page.items);
        match markers.after(page.truncated, page.next.as_deref()) {
            NextPage::At(next) => marker = Some(next),
            NextPage::Done => return Ok(items),
            NextPage::Stuck => return Err(CallError::invalid_response("marker that advances")),
        }
    }
    Err(CallError::invalid_response("last page within 10,000 pages"))
}

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

    fn page(items: &[u32], next: Option<&str>) -> Result<Page<u32>, CallError> {
        Ok(Page {
            items: items.to_vec(),
            truncated: next.is_some(),
            next: next.map(str::to_owned),
        })
    }

    #[tokio::test]
    async fn all_pages_collects_every_page_and_stops_on_a_repeated_or_endless_marker() {
        let listed = all_pages(|marker| async move {
            match marker.as_deref() {
                None => page(&[1, 2], Some("b")),
                Some("b") => page(&[3], None),
                Some(_) => page(&[], None),
            }
        })
        .await;
        assert_eq!(listed, Ok(vec![1, 2, 3]));
        let cycling = all_pages(|marker| async move {
            page(
                &[0],
                Some(if marker.as_deref() == Some("a") {
                    "b"
                } else {
                    "a"
                }),
            )
        })
        .await;
        assert!(cycling.is_err());
        let mut count = 0u32;
        let endless = all_pages(|_| {
            count += 1;
            let next = format!("m{count}");
            async move { page(&[], Some(&next)) }
        })
        .await;
        assert!(endless.is_err_and(|e| e.message.contains("10,000 pages")));
    }

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
